package main

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"esep/internal/pgtest"
	"esep/internal/register"
	"esep/internal/stats"
	"esep/internal/stats/statstest"
	"esep/internal/store"
	"esep/internal/store/storetest"
)

func TestMain(m *testing.M) { pgtest.RunMain(m) }

// esep runs the command line as a user would, returning the exit code and
// what it printed.
func esep(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errb bytes.Buffer
	code = run(context.Background(), args, strings.NewReader(""), &out, &errb)
	return code, out.String(), errb.String()
}

func mustRun(t *testing.T, args ...string) string {
	t.Helper()
	code, out, errs := esep(t, args...)
	if code != 0 {
		t.Fatalf("esep %s: exit %d\n%s", strings.Join(args, " "), code, errs)
	}
	return out
}

// writeDemo writes a generated register to a file and returns its path.
func writeDemo(t *testing.T, dir string, rows int, seed string) string {
	t.Helper()
	path := filepath.Join(dir, "r.csv")
	mustRun(t, "demo", "--rows", strconv.Itoa(rows), "--seed", seed, "--from", "2026-01-01", "--to", "2026-10-31", "--errors", "0.05", "-o", path)
	return path
}

type importResult struct {
	ImportID int64               `json:"import_id"`
	Summary  store.ImportSummary `json:"summary"`
	Rules    map[string]int      `json:"rules"`
}

// TestEndToEnd is the acceptance path on both engines: generate a
// register, import it, report it, and check the report against an
// independent recount of the same file.
func TestEndToEnd(t *testing.T) {
	for _, e := range storetest.Engines() {
		t.Run(e.Name, func(t *testing.T) {
			dir := t.TempDir()
			dsn := e.DSN(t)
			file := writeDemo(t, dir, 5000, "7")

			var res importResult
			mustDecode(t, mustRun(t, "--db", dsn, "import", file, "--format", "json"), &res)
			s := res.Summary
			if s.RowsRead != 5000 || s.Accepted+s.Warned+s.Rejected != s.RowsRead || s.Rejected == 0 || s.Accepted == 0 {
				t.Fatalf("summary does not add up: %+v", s)
			}

			var got stats.Tables
			mustDecode(t, mustRun(t, "report", "--db", dsn, "--from", "2026-01-01", "--to", "2026-12-31", "--format", "json"), &got)
			recs, blocking := readRegister(t, file)
			want := statstest.Recount(recs, blocking, "2026-01-01", "2026-12-31")
			if g, w := mustJSONString(t, &got), mustJSONString(t, want); g != w {
				t.Errorf("report differs from the recount\nreport:  %.800s\nrecount: %.800s", g, w)
			}
			excluded := 0
			for _, r := range got.Excluded {
				excluded += r.Count
			}
			inPeriod := 0
			for _, r := range recs {
				if r.EndDate >= "2026-01-01" && r.EndDate <= "2026-12-31" {
					inPeriod++
				}
			}
			if got.ServicesTotal+excluded != inPeriod || inPeriod < 4900 {
				t.Errorf("counted %d + excluded %d != %d records of the period", got.ServicesTotal, excluded, inPeriod)
			}

			t.Run("re-import changes nothing", func(t *testing.T) {
				db := openDB(t, dsn)
				before := snapshot(t, db)
				var again importResult
				mustDecode(t, mustRun(t, "--db", dsn, "import", "--format", "json", file), &again)
				if again.Summary.Unchanged+again.Summary.Rejected < 5000-s.Rejected || again.Summary.Corrected != 0 {
					t.Errorf("second import: %+v", again.Summary)
				}
				after := snapshot(t, db)
				if before.records != after.records || before.corrections != after.corrections || before.Records != after.Records {
					t.Errorf("re-import changed records: %+v → %+v", before.Totals, after.Totals)
				}
			})

			t.Run("a changed row is a correction with history", func(t *testing.T) {
				fixed := filepath.Join(dir, "fixed.csv")
				id := rewriteRow(t, file, fixed, func(row map[string]string) bool {
					if row["act_number"] != "" {
						return false
					}
					row["act_number"], row["act_signed_at"], row["act_confirmation"] = "АКТ-1", row["end_date"]+"T17:00:00+05:00", "eds"
					if row["delivery_mode"] == "online" {
						row["act_confirmation"] = "otp2"
					}
					return true
				})
				var res importResult
				mustDecode(t, mustRun(t, "--db", dsn, "import", "--format", "json", fixed), &res)
				if res.Summary.Corrected != 1 || res.Rules["record_changed"] != 1 {
					t.Fatalf("correction import: %+v %v", res.Summary, res.Rules)
				}
				d, err := openDB(t, dsn).Record(context.Background(), id)
				if err != nil {
					t.Fatal(err)
				}
				if d.Version != 2 || len(d.Corrections) < 2 || d.Corrections[0].Old != "" || d.Corrections[0].By == "" {
					t.Errorf("record %s after correction: version %d, history %+v", id, d.Version, d.Corrections)
				}
			})
		})
	}
}

// readRegister reads a canonical CSV register back, with the exclusion
// reason that the validator's blocking findings give records.
func readRegister(t *testing.T, path string) ([]register.Record, map[string]string) {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	v := &register.Validator{Today: time.Now()}
	blocking := map[string]string{}
	var recs []register.Record
	for _, row := range rows[1:] {
		var r register.Record
		for i, c := range register.Columns {
			c.Set(&r, row[i])
		}
		register.Normalize(&r)
		if register.HasBlocking(v.Validate(&r)) {
			blocking[r.RecordID] = register.ExcludedValidation
		}
		recs = append(recs, r)
	}
	return recs, blocking
}

// rewriteRow copies a register, changing the first row that change accepts,
// and returns that row's record_id.
func rewriteRow(t *testing.T, from, to string, change func(map[string]string) bool) string {
	t.Helper()
	in, err := os.ReadFile(from)
	if err != nil {
		t.Fatal(err)
	}
	rows, err := csv.NewReader(bytes.NewReader(in)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	id := ""
	for _, row := range rows[1:] {
		m := map[string]string{}
		for i, h := range rows[0] {
			m[h] = row[i]
		}
		if id == "" && change(m) {
			id = m["record_id"]
			for i, h := range rows[0] {
				row[i] = m[h]
			}
		}
	}
	if id == "" {
		t.Fatal("no row to change")
	}
	var b bytes.Buffer
	w := csv.NewWriter(&b)
	w.WriteAll(rows)
	if err := os.WriteFile(to, b.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	return id
}

func openDB(t *testing.T, dsn string) *store.DB {
	t.Helper()
	db, err := store.Open(context.Background(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

type dbState struct {
	store.Totals
	records, corrections string
}

// snapshot captures the database's contents: the row counts and a dump of
// every record and correction, so a test can show nothing changed.
func snapshot(t *testing.T, db *store.DB) dbState {
	t.Helper()
	ctx := context.Background()
	tot, err := db.Totals(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var recs strings.Builder
	err = db.EachRecord(ctx, "0000-00-00", "9999-99-99", func(r *register.Record, f *register.Facts) error {
		recs.WriteString(strings.Join(r.Values(), "|"))
		if f.Blocking {
			recs.WriteString("|B")
		}
		recs.WriteByte('\n')
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return dbState{Totals: tot, records: recs.String(), corrections: strconv.Itoa(tot.Corrections)}
}

func mustDecode(t *testing.T, s string, v any) {
	t.Helper()
	if err := json.Unmarshal([]byte(s), v); err != nil {
		t.Fatalf("decode %q: %v", truncate(s, 300), err)
	}
}

func mustJSONString(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func truncate(s string, n int) string {
	if len(s) > n {
		return s[:n] + "…"
	}
	return s
}
