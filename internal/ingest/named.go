package ingest

import (
	"errors"
	"fmt"
	"io"
	"strings"

	"esep/internal/ingest/tabular"
)

// readNamed reads a small reference table (a classifier, acts, plans) whose
// columns are found by name: aliases maps each column to the titles it may
// have (compared case-insensitively, spaces and underscores alike). A file
// without a required column is refused whole. fn gets each row as column →
// value with its data row number; a row that could not be read is passed
// with ok false.
func readNamed(path string, opts tabular.Options, aliases map[string][]string, required []string, fn func(num int, row map[string]string, ok bool) error) error {
	r, err := tabular.Open(path, opts)
	if err != nil {
		return err
	}
	defer r.Close()
	norm := func(s string) string {
		return strings.Join(strings.Fields(strings.ToLower(strings.ReplaceAll(s, "_", " "))), " ")
	}
	col := map[string]int{}
	for i, h := range r.Header() {
		for name, titles := range aliases {
			for _, t := range append(titles, name) {
				if _, seen := col[name]; !seen && norm(h) == norm(t) {
					col[name] = i
				}
			}
		}
	}
	var missing []string
	for _, name := range required {
		if _, ok := col[name]; !ok {
			missing = append(missing, name)
		}
	}
	if len(missing) > 0 {
		return &HeaderError{Code: CodeMissingColumns, Columns: missing}
	}
	for {
		row, err := r.Next()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("read %s: %w", path, err)
		}
		vals := make(map[string]string, len(col))
		for name, i := range col {
			if i < len(row.Fields) {
				vals[name] = strings.TrimSpace(row.Fields[i])
			}
		}
		if err := fn(row.Num, vals, row.Err == nil); err != nil {
			return err
		}
	}
}
