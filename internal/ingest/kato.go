package ingest

import (
	"fmt"
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
	cols := map[string][]string{"te": nil, "name_kaz": nil, "name_rus": nil}
	err = readNamed(path, opts, cols, []string{"te", "name_kaz", "name_rus"}, func(_ int, row map[string]string, ok bool) error {
		code := row["te"]
		switch {
		case !ok || kz.ValidKATO(code) != nil:
			skipped++
		case strings.HasSuffix(code, "0000000"): // a region
		default:
			settlements = append(settlements, kz.Settlement{Code: code, Name: kz.Names{KK: row["name_kaz"], RU: row["name_rus"]}})
		}
		return nil
	})
	if err != nil {
		return nil, 0, fmt.Errorf("read KATO %s: %w", path, err)
	}
	return settlements, skipped, nil
}
