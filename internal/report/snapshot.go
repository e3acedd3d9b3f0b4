package report

import (
	"encoding/json"
	"fmt"
	"io"
)

// Snapshot is the report as stored: its JSON. A sent report renders from
// its snapshot alone, so what was sent can be reproduced byte for byte
// whatever is corrected later.
func Snapshot(r *Report) ([]byte, error) {
	b, err := json.Marshal(r)
	if err != nil {
		return nil, fmt.Errorf("report snapshot: %w", err)
	}
	return b, nil
}

// FromSnapshot reads a stored report back.
func FromSnapshot(b []byte) (*Report, error) {
	r := &Report{}
	if err := json.Unmarshal(b, r); err != nil {
		return nil, fmt.Errorf("report snapshot: %w", err)
	}
	return r, nil
}

// WriteJSON writes the report's machine form: the model, indented. The
// spec §4 tables are under "tables" in exactly the shape of
// `esep report --from --to --format json`.
func WriteJSON(w io.Writer, r *Report, _ string) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(r)
}
