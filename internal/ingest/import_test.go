package ingest_test

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"esep/internal/ingest"
	"esep/internal/kz"
	"esep/internal/register"
	"esep/internal/store"
	"esep/internal/store/storetest"
)

var today = time.Date(2026, 11, 25, 0, 0, 0, 0, time.UTC)

// row is a valid register row; tests change one column at a time.
func row(t *testing.T, id string) map[string]string {
	t.Helper()
	iin, err := kz.NewIIN(time.Date(1985, 3, 14, 0, 0, 0, 0, time.UTC), kz.Female, 1234)
	if err != nil {
		t.Fatal(err)
	}
	return map[string]string{
		"record_id": id, "region_kato": "430000000", "enterprise_name": "ИП «Береке»", "enterprise_iin_bin": iin,
		"client_full_name": "Қасымова Әсем Серікқызы", "client_iin": iin, "client_gender": "F", "client_birth_date": "1985-03-14",
		"legal_form": "IE", "manager_full_name": "Ахметов Нұрлан", "start_date": "2026-03-12", "end_date": "2026-03-12",
		"delivery_mode": "offline", "act_number": "A-" + id, "act_signed_at": "2026-03-12T15:00:00+05:00", "act_confirmation": "eds",
	}
}

// writeCSV writes rows under the canonical header.
func writeCSV(t *testing.T, rows ...map[string]string) string {
	t.Helper()
	var b strings.Builder
	b.WriteString(strings.Join(register.ColumnNames(), ",") + "\n")
	for _, r := range rows {
		vals := make([]string, len(register.Columns))
		for i, c := range register.Columns {
			vals[i] = `"` + strings.ReplaceAll(r[c.Name], `"`, `""`) + `"`
		}
		b.WriteString(strings.Join(vals, ",") + "\n")
	}
	path := filepath.Join(t.TempDir(), "r.csv")
	if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

type imported struct {
	res      *ingest.Result
	findings []ingest.RowFinding
}

func importFile(t *testing.T, db *store.DB, path string) imported {
	t.Helper()
	var out imported
	res, err := ingest.ImportFile(context.Background(), db, path, store.ImportMeta{By: "test"},
		ingest.Options{Today: today, OnFinding: func(f ingest.RowFinding) { out.findings = append(out.findings, f) }})
	if err != nil {
		t.Fatal(err)
	}
	out.res = res
	return out
}

func (im imported) has(rule register.Rule, row int) bool {
	return slices.ContainsFunc(im.findings, func(f ingest.RowFinding) bool { return f.Rule == rule.Code && f.Row == row })
}

// TestCrossRecordRules gives each rule that compares a row with others a
// failing and a passing example, on both engines.
func TestCrossRecordRules(t *testing.T) {
	for _, e := range storetest.Engines() {
		t.Run(e.Name, func(t *testing.T) {
			t.Run("record_duplicate", func(t *testing.T) {
				db := storetest.Open(t, e)
				a := row(t, "A")
				im := importFile(t, db, writeCSV(t, a, row(t, "B"), a))
				if !im.has(register.RuleRecordDuplicate, 3) || im.has(register.RuleRecordDuplicate, 2) {
					t.Errorf("findings: %+v", im.findings)
				}
				if s := im.res.Summary; s.RowsRead != 3 || s.Warned != 1 || s.Accepted != 2 {
					t.Errorf("summary: %+v", s)
				}
			})
			t.Run("record_conflict", func(t *testing.T) {
				db := storetest.Open(t, e)
				a, a2 := row(t, "A"), row(t, "A")
				a2["end_date"] = "2026-03-13"
				im := importFile(t, db, writeCSV(t, a, a2))
				if !im.has(register.RuleRecordConflict, 2) || im.has(register.RuleRecordConflict, 1) {
					t.Errorf("findings: %+v", im.findings)
				}
				d, err := db.Record(context.Background(), "A")
				if err != nil || d.Record.EndDate != "2026-03-12" {
					t.Errorf("the first row must stand: %+v %v", d, err)
				}
			})
			t.Run("record_changed", func(t *testing.T) {
				db := storetest.Open(t, e)
				a := row(t, "A")
				importFile(t, db, writeCSV(t, a))
				same := importFile(t, db, writeCSV(t, a))
				if same.has(register.RuleRecordChanged, 1) || same.res.Summary.Unchanged != 1 {
					t.Errorf("an unchanged row: %+v %+v", same.findings, same.res.Summary)
				}
				a["client_age"] = "40"
				changed := importFile(t, db, writeCSV(t, a))
				if !changed.has(register.RuleRecordChanged, 1) || changed.res.Summary.Corrected != 1 {
					t.Errorf("a changed row: %+v %+v", changed.findings, changed.res.Summary)
				}
			})
			t.Run("a blocking correction never replaces a valid record", func(t *testing.T) {
				db := storetest.Open(t, e)
				a := row(t, "A")
				importFile(t, db, writeCSV(t, a))
				a["end_date"] = "2026-03-01" // before the start
				im := importFile(t, db, writeCSV(t, a))
				if s := im.res.Summary; s.Rejected != 1 || s.Corrected != 0 {
					t.Errorf("summary: %+v", s)
				}
				d, _ := db.Record(context.Background(), "A")
				if d.Record.EndDate != "2026-03-12" || d.Blocking || d.Version != 1 {
					t.Errorf("the valid version must stand: end %s blocking %v version %d", d.Record.EndDate, d.Blocking, d.Version)
				}
				// A record that arrived broken is replaced by its fix.
				b := row(t, "B")
				b["end_date"] = "2026-03-01"
				importFile(t, db, writeCSV(t, b))
				b["end_date"] = "2026-03-12"
				importFile(t, db, writeCSV(t, b))
				d, _ = db.Record(context.Background(), "B")
				if d.Blocking || d.Version != 2 {
					t.Errorf("the fix must replace a broken record: blocking %v version %d", d.Blocking, d.Version)
				}
			})
			t.Run("person_spelling", func(t *testing.T) {
				db := storetest.Open(t, e)
				a, b, c := row(t, "A"), row(t, "B"), row(t, "C")
				for _, r := range []map[string]string{a, b, c} {
					r["client_iin"] = "" // identity by folded name and birth date
				}
				b["client_full_name"] = "Касымoва Асем Сериккызы" // typed without Kazakh letters, and with a Latin o
				c["client_full_name"] = "ҚАСЫМОВА ӘСЕМ СЕРІКҚЫЗЫ" // only the case differs: not a spelling
				importFile(t, db, writeCSV(t, a))
				im := importFile(t, db, writeCSV(t, b, c))
				if !im.has(register.RulePersonSpelling, 1) || im.has(register.RulePersonSpelling, 2) {
					t.Errorf("findings: %+v", im.findings)
				}
			})
			t.Run("iin_name_mismatch", func(t *testing.T) {
				db := storetest.Open(t, e)
				a, b := row(t, "A"), row(t, "B")
				b["client_full_name"] = "Иванова Мария"
				im := importFile(t, db, writeCSV(t, a, b, row(t, "C")))
				if !im.has(register.RuleIINName, 2) || im.has(register.RuleIINName, 3) {
					t.Errorf("findings: %+v", im.findings)
				}
			})
			t.Run("row_malformed", func(t *testing.T) {
				db := storetest.Open(t, e)
				good := writeCSV(t, row(t, "A"), row(t, "B"))
				b, _ := os.ReadFile(good)
				lines := strings.Split(string(b), "\n")
				lines[1] = `"A","430000000"` // too few fields
				bad := filepath.Join(t.TempDir(), "bad.csv")
				os.WriteFile(bad, []byte(strings.Join(lines, "\n")), 0o644)
				im := importFile(t, db, bad)
				if !im.has(register.RuleRowMalformed, 1) || im.has(register.RuleRowMalformed, 2) {
					t.Errorf("findings: %+v", im.findings)
				}
				if s := im.res.Summary; s.Rejected != 1 || s.Accepted != 1 {
					t.Errorf("summary: %+v", s)
				}
				if _, err := db.Record(context.Background(), "A"); err == nil {
					t.Error("a malformed row was stored")
				}
			})
		})
	}
}
