package ingest_test

import (
	"context"
	"database/sql"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	"esep/internal/demo"
	"esep/internal/ingest"
	"esep/internal/register"
	"esep/internal/store"
	"esep/internal/store/storetest"
)

// TestBatchesAgree imports the same files in batches of a few rows and in
// one batch, and wants the same results and the same database. Within a
// batch the importer remembers every record_id and person of the file;
// across batches it asks the store for those whose rows wrote them, keeping
// only hashes (see importer.forget). The file repeats records and persons
// far apart: duplicates and conflicts of new, corrected, unchanged and
// refused rows, persons spelled again (also persons met first on a row that
// wrote nothing), into an empty register and into one that holds some of
// the records.
func TestBatchesAgree(t *testing.T) {
	var recs []register.Record
	demo.Generate(demo.Options{Rows: 400, Seed: 7, ErrorRate: 0.1,
		From: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), To: time.Date(2026, 10, 31, 0, 0, 0, 0, time.UTC)},
		func(r *register.Record) bool { recs = append(recs, *r); return true })
	base := recs[:200]
	var file []register.Record
	for i, r := range recs[100:] {
		switch i % 9 {
		case 3: // a correction of a stored record, or a new one
			r.ClientAge = "41"
		case 5: // a correction with a blocking finding
			r.EndDate = "2025-12-01"
		}
		file = append(file, r)
	}
	n := len(file)
	for i := 0; i < n; i += 3 {
		r := file[i]
		switch i % 4 {
		case 1: // a conflict
			r.WorkPhone = "8 (727) 000-00-00"
		case 2: // the person spelled otherwise, on a new record
			r.RecordID += "-X"
			r.ClientFullName = strings.ToUpper(r.ClientFullName)
		case 3: // another name under the same IIN
			r.RecordID += "-Y"
			r.ClientFullName = "Иванова Мария"
		}
		file = append(file, r) // case 0: a duplicate
	}
	for _, e := range storetest.Engines() {
		t.Run(e.Name, func(t *testing.T) {
			for _, prefill := range []bool{false, true} {
				t.Run(fmt.Sprintf("prefilled=%v", prefill), func(t *testing.T) {
					var got [2]batchRun
					for k, size := range []int{7, len(file) + 1} {
						dsn := e.DSN(t)
						db, err := store.Open(context.Background(), dsn)
						if err != nil {
							t.Fatal(err)
						}
						if prefill {
							// Judged in June, the records ending later
							// are in the future: stored, blocking, and
							// their persons not in the clients table.
							_, err := ingest.ImportFile(context.Background(), db, writeRecords(t, base), store.ImportMeta{By: "test"},
								ingest.Options{Today: time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)})
							if err != nil {
								t.Fatal(err)
							}
						}
						restore := ingest.SetBatchSize(size)
						got[k].imported = importFile(t, db, writeRecords(t, file))
						restore()
						db.Close()
						got[k].tables = dumpTables(t, dsn)
					}
					a, b := got[0], got[1]
					if !reflect.DeepEqual(a.res.Summary, b.res.Summary) || !reflect.DeepEqual(a.res.RuleCounts, b.res.RuleCounts) {
						t.Errorf("in batches: %+v %v\nin one: %+v %v", a.res.Summary, a.res.RuleCounts, b.res.Summary, b.res.RuleCounts)
					}
					if !reflect.DeepEqual(a.findings, b.findings) {
						t.Errorf("findings differ: %d in batches, %d in one", len(a.findings), len(b.findings))
					}
					for name, rows := range a.tables {
						if !reflect.DeepEqual(rows, b.tables[name]) {
							t.Errorf("%s differ: %d rows in batches, %d in one", name, len(rows), len(b.tables[name]))
						}
					}
					// The file must exercise what it is meant to.
					s := a.res.Summary
					for _, rule := range []register.Rule{register.RuleRecordDuplicate, register.RuleRecordConflict, register.RulePersonSpelling, register.RuleIINName} {
						if a.res.RuleCounts[rule.Code] == 0 {
							t.Errorf("no %s in %v", rule.Code, a.res.RuleCounts)
						}
					}
					if prefill && (s.Unchanged == 0 || s.Corrected == 0) {
						t.Errorf("summary: %+v", s)
					}
				})
			}
		})
	}
}

type batchRun struct {
	imported
	tables map[string][][]string
}

// writeRecords writes recs as a register file.
func writeRecords(t *testing.T, recs []register.Record) string {
	t.Helper()
	rows := make([]map[string]string, len(recs))
	for i := range recs {
		rows[i] = map[string]string{}
		for _, c := range register.Columns {
			rows[i][c.Name] = c.Get(&recs[i])
		}
	}
	return writeCSV(t, rows...)
}

// dumpTables reads what an import writes, but for its clock.
func dumpTables(t *testing.T, dsn string) map[string][][]string {
	t.Helper()
	driver := "sqlite"
	if store.IsPostgres(dsn) {
		driver = "pgx"
	}
	db, err := sql.Open(driver, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	out := map[string][][]string{}
	for name, q := range map[string]string{
		"records":         `SELECT ` + strings.Join(register.ColumnNames(), ", ") + `, client_key, blocking, version, first_import_id, last_import_id FROM records ORDER BY record_id`,
		"clients":         `SELECT client_key, full_name FROM clients ORDER BY client_key`,
		"import_findings": `SELECT import_id, row_num, record_id, rule, column_name, value, detail FROM import_findings ORDER BY import_id, row_num, rule, column_name, value`,
		"record_findings": `SELECT record_id, rule, column_name, value, detail FROM record_findings ORDER BY record_id, rule, column_name, value`,
		"corrections":     `SELECT record_id, import_id, version, column_name, old_value, new_value FROM corrections ORDER BY record_id, version, column_name`,
	} {
		rows, err := db.Query(q)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		cols, _ := rows.Columns()
		for rows.Next() {
			vals := make([]sql.NullString, len(cols))
			dest := make([]any, len(cols))
			for i := range vals {
				dest[i] = &vals[i]
			}
			if err := rows.Scan(dest...); err != nil {
				t.Fatal(err)
			}
			row := make([]string, len(cols))
			for i, v := range vals {
				row[i] = v.String
			}
			out[name] = append(out[name], row)
		}
		if err := rows.Close(); err != nil {
			t.Fatal(err)
		}
	}
	return out
}
