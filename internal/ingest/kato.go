package ingest

import (
	"errors"
	"fmt"
	"io"
	"strings"

	"esep/internal/ingest/tabular"
	"esep/internal/kz"
)

// ReadKATO reads the settlements of the official KATO classifier file of
// the Bureau of National Statistics (CSV or XLSX with the columns te, ab,
// cd, ef, hij, k, name_kaz, name_rus, nn; reference-kz.md §3.1). Only te
// (the 9-digit code) and the two names are used. Region rows (AB0000000)
// are skipped: the regions are kz's own data. A file without those columns
// is refused whole; a row with a malformed code is skipped and counted.
func ReadKATO(path string, opts tabular.Options) (settlements []kz.Settlement, skipped int, err error) {
	r, err := tabular.Open(path, opts)
	if err != nil {
		return nil, 0, err
	}
	defer r.Close()
	col := map[string]int{"te": -1, "name_kaz": -1, "name_rus": -1}
	for i, h := range r.Header() {
		if _, ok := col[strings.ToLower(strings.TrimSpace(h))]; ok {
			col[strings.ToLower(strings.TrimSpace(h))] = i
		}
	}
	var missing []string
	for _, name := range []string{"te", "name_kaz", "name_rus"} {
		if col[name] < 0 {
			missing = append(missing, name)
		}
	}
	if len(missing) > 0 {
		return nil, 0, &HeaderError{Code: CodeMissingColumns, Columns: missing}
	}
	for {
		row, err := r.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, 0, fmt.Errorf("read KATO %s: %w", path, err)
		}
		get := func(name string) string {
			if i := col[name]; i < len(row.Fields) {
				return strings.TrimSpace(row.Fields[i])
			}
			return ""
		}
		code := get("te")
		if row.Err != nil || kz.ValidKATO(code) != nil {
			skipped++
			continue
		}
		if strings.HasSuffix(code, "0000000") {
			continue // a region
		}
		settlements = append(settlements, kz.Settlement{Code: code, Name: kz.Names{KK: get("name_kaz"), RU: get("name_rus")}})
	}
	return settlements, skipped, nil
}
