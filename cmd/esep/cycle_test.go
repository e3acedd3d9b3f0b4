package main

import (
	"bytes"
	"context"
	"encoding/csv"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"esep/internal/kz"
	"esep/internal/monitor"
	"esep/internal/register"
	"esep/internal/report"
	"esep/internal/stats"
	"esep/internal/stats/live"
	"esep/internal/stats/statstest"
	"esep/internal/store"
	"esep/internal/store/storetest"
)

// TestMonitoringCycle runs a quarter of the cycle on both engines: July on
// time, August late, September on time with a letter, corrections in time
// and late, and an act registry with a missing act and a mismatched one.
// The report's tables must equal an independent recount in which the test
// decides each record's fate from the defects it injected.
func TestMonitoringCycle(t *testing.T) {
	for _, e := range storetest.Engines() {
		t.Run(e.Name, func(t *testing.T) {
			dir := t.TempDir()
			db := e.DSN(t)
			esepOK := func(args ...string) string {
				return mustRun(t, append([]string{"--db", db, "--lang", "en"}, args...)...)
			}
			gen := func(month, prefix, seed string) string {
				path := filepath.Join(dir, prefix+".csv")
				first, last := month+"-01", lastDay(month)
				mustRun(t, "demo", "--rows", "600", "--seed", seed, "--from", first, "--to", last, "--errors", "0.06", "--prefix", prefix, "-o", path)
				return path
			}
			jul, aug, sep := gen("2026-07", "JUL", "21"), gen("2026-08", "AUG", "22"), gen("2026-09", "SEP", "23")

			// A server's warm indicator index, loaded before anything is
			// written and kept up to date through the change log by every
			// step below, each made by another process (the esep command).
			ind := liveIndicators(t, db)
			esepOK("import", "--month", "2026-07", "--received", "2026-08-01T09:00:00+05:00", jul)
			checkLive(t, ind, "after July")
			esepOK("import", "--month", "2026-08", "--received", "2026-09-02T10:00:00+05:00", aug)
			checkLive(t, ind, "after the late August")
			var res struct {
				Letter string `json:"letter"`
			}
			mustDecode(t, esepOK("import", "--month", "2026-09", "--received", "2026-10-01T09:30:00+05:00", "--format", "json", sep), &res)
			if res.Letter == "" {
				t.Fatal("no letter was drafted for a register with problems")
			}
			// Received Friday 2 October: corrections due Wednesday 7 October.
			checkLive(t, ind, "after September")
			if out := esepOK("letter", "send", res.Letter, "--sent", "2026-10-02T09:00:00+05:00"); !strings.Contains(out, "2026-10-07") {
				t.Fatalf("letter send: %q", out)
			}
			checkLive(t, ind, "after the letter")

			// The test's own account of every record's fate.
			recs, cycle := readRegisters(t, jul, aug, sep)
			for _, r := range recs {
				if strings.HasPrefix(r.RecordID, "AUG") {
					cycle[r.RecordID] = register.ExcludedLate
				}
			}
			// Fix the blocking records of September: the first half in time
			// (Monday 5 October), the rest late (Friday 9 October).
			var broken []string
			for _, r := range recs {
				if strings.HasPrefix(r.RecordID, "SEP") && cycle[r.RecordID] == register.ExcludedValidation {
					broken = append(broken, r.RecordID)
				}
			}
			if len(broken) < 4 {
				t.Fatalf("only %d broken September records", len(broken))
			}
			early, late := broken[:len(broken)/2], broken[len(broken)/2:]
			fixes := map[string]string{"fix1": "2026-10-05T12:00:00+05:00", "fix2": "2026-10-09T12:00:00+05:00"}
			for name, ids := range map[string][]string{"fix1": early, "fix2": late} {
				path := filepath.Join(dir, name+".csv")
				writeFixed(t, sep, path, ids)
				esepOK("import", "--month", "2026-09", "--received", fixes[name], path)
				checkLive(t, ind, "after "+name)
			}
			for _, id := range early {
				delete(cycle, id)
			}
			for _, id := range late {
				cycle[id] = "corrected_late"
			}
			recs, _ = readRegisters(t, jul, aug, writeFixedAll(t, dir, sep, broken))

			// An act registry for September: every act but one, and one act
			// signed on another day.
			acts := filepath.Join(dir, "acts.csv")
			missing, mismatched := writeActs(t, acts, recs, "SEP")
			cycle[missing], cycle[mismatched] = "act_not_found", "act_mismatch"
			esepOK("acts", "import", acts)
			checkLive(t, ind, "after the act registry")
			checkLive(t, liveIndicators(t, db), "a server started now")

			var got report.Report
			mustDecode(t, esepOK("report", "--quarter", "2026Q3", "--format", "json"), &got)
			want := statstest.Recount(recs, cycle, "2026-07-01", "2026-09-30")
			want.LateRegisters = []stats.LateRow{{Month: "2026-08", DueDate: "2026-09-01", Delivered: "2026-09-02"}}
			if g, w := mustJSONString(t, got.Tables), mustJSONString(t, want); g != w {
				t.Errorf("report tables differ from the recount\nreport:  %.1500s\nrecount: %.1500s", g, w)
			}
			if g, w := mustJSONString(t, got.National), mustJSONString(t, statstest.RecountNational(recs, cycle, "2026-07-01", "2026-09-30")); g != w {
				t.Errorf("national figures differ\nreport:  %.600s\nrecount: %.600s", g, w)
			}
			checkExcluded(t, got.Tables.Excluded, map[string]int{"late_register": countPrefix(recs, cycle, "AUG", "late_register"),
				"corrected_late": countPrefix(recs, cycle, "SEP", "corrected_late"), "act_not_found": 1, "act_mismatch": 1})
			if countPrefix(recs, cycle, "SEP", "corrected_late") < len(late)-2 || countPrefix(recs, cycle, "AUG", "late_register") < 500 {
				t.Errorf("the injected defects did not take: %d corrected late of %d, %d late", countPrefix(recs, cycle, "SEP", "corrected_late"), len(late), countPrefix(recs, cycle, "AUG", "late_register"))
			}
			// A letter for each register with problems; the September one
			// was sent, and its records fixed in time and late.
			found := false
			for _, l := range got.Annexes.Letters {
				if l.Number != res.Letter {
					continue
				}
				found = true
				if l.Month != "2026-09" || l.Corrected != len(early) || l.CorrectedLate != len(late) || l.Outstanding != 0 || l.CorrectionDue != "2026-10-07" {
					t.Errorf("letter outcome: %+v (want %d in time, %d late)", l, len(early), len(late))
				}
			}
			if !found || len(got.Annexes.Letters) < 3 {
				t.Errorf("letters: %+v", got.Annexes.Letters)
			}
			if got.Due != "2026-10-12" || got.Quality.HasData || len(got.Conclusions) == 0 {
				t.Errorf("due %s, quality %+v, %d conclusions", got.Due, got.Quality, len(got.Conclusions))
			}

			t.Run("a sent report is frozen", func(t *testing.T) {
				esepOK("report", "save", "--quarter", "2026Q3")
				esepOK("report", "edit", "--quarter", "2026Q3", "--version", "1", "--conclusion", "1", "--text", "Edited by the analyst.")
				esepOK("report", "send", "--quarter", "2026Q3", "--version", "1")
				before := esepOK("report", "--quarter", "2026Q3", "--version", "1", "--format", "json")
				sentFiles := map[string][]byte{}
				for _, format := range []string{"pdf", "xlsx"} {
					path := filepath.Join(dir, "sent."+format)
					esepOK("report", "--quarter", "2026Q3", "--version", "1", "--format", format, "--lang", "kk", "-o", path)
					sentFiles[format] = mustRead(t, path)
				}
				if !strings.Contains(before, "Edited by the analyst.") || !strings.Contains(before, `"status": "sent"`) {
					t.Errorf("the sent report lost its edit or status")
				}
				// A correction after sending: a record of July loses its act.
				changed := filepath.Join(dir, "jul2.csv")
				rewriteRow(t, jul, changed, func(row map[string]string) bool {
					if row["act_number"] == "" {
						return false
					}
					row["act_number"] = ""
					return true
				})
				esepOK("import", "--month", "2026-07", "--received", "2026-08-01T09:00:00+05:00", changed)
				after := esepOK("report", "--quarter", "2026Q3", "--version", "1", "--format", "json")
				if before != after {
					t.Error("the sent report changed after a correction")
				}
				for format, sent := range sentFiles {
					path := filepath.Join(dir, "again."+format)
					esepOK("report", "--quarter", "2026Q3", "--version", "1", "--format", format, "--lang", "kk", "-o", path)
					if again := mustRead(t, path); !bytes.Equal(sent, again) || len(sent) < 1000 {
						t.Errorf("%s: the frozen report is not byte-identical after a correction (%d vs %d bytes)", format, len(sent), len(again))
					}
				}
				live := esepOK("report", "--quarter", "2026Q3", "--format", "json")
				if live == before {
					t.Error("the live report did not see the correction")
				}
				if code, _, errs := esep(t, "--db", db, "--lang", "en", "report", "edit", "--quarter", "2026Q3", "--version", "1", "--conclusion", "1", "--text", "x"); code != exitFail || !strings.Contains(errs, "sent") {
					t.Errorf("editing a sent report: exit %d %q", code, errs)
				}
				for _, format := range []string{"json", "text"} {
					a := esepOK("report", "--quarter", "2026Q3", "--version", "1", "--format", format, "--lang", "kk")
					b := esepOK("report", "--quarter", "2026Q3", "--version", "1", "--format", format, "--lang", "kk")
					if a != b {
						t.Errorf("%s: two renders of the frozen report differ", format)
					}
				}
			})

			t.Run("letters render", func(t *testing.T) {
				for _, format := range []string{"pdf", "xlsx", "json", "text"} {
					path := filepath.Join(dir, "letter."+format)
					esepOK("letter", "show", res.Letter, "--format", format, "--lang", "kk", "-o", path)
					b := mustRead(t, path)
					magic := map[string]string{"pdf": "%PDF", "xlsx": "PK\x03\x04", "json": "{", "text": "Хабарлама хат"}[format]
					if !bytes.HasPrefix(b, []byte(magic)) {
						t.Errorf("letter as %s starts %q", format, b[:min(len(b), 16)])
					}
				}
				if code, _, errs := esep(t, "--db", db, "--lang", "en", "letter", "show", "99/2026"); code != exitFail || !strings.Contains(errs, "not found") {
					t.Errorf("a missing letter: exit %d %q", code, errs)
				}
			})

			t.Run("bad input", func(t *testing.T) {
				plans := filepath.Join(dir, "plans.csv")
				write(t, plans, []byte("period,region_kato,service_code,target\n2026Q3,710000000,,100\n2026Q3,510000000,,50\n2026Q3,Марс,,1\n"))
				code, _, errs := esep(t, "--db", db, "--lang", "ru", "plan", "import", plans)
				if code != exitFail || !strings.Contains(errs, "510000000") || !strings.Contains(errs, "неизвестный регион") {
					t.Errorf("plan with unknown regions: exit %d %q", code, errs)
				}
				var r report.Report
				mustDecode(t, esepOK("report", "--quarter", "2026Q3", "--format", "json"), &r)
				if len(r.Plans) != 0 {
					t.Errorf("a refused plan file left plans: %+v", r.Plans)
				}
				code, _, errs = esep(t, "--db", db, "--lang", "kk", "report", "--quarter", "2025Q1")
				if code != exitFail || !strings.Contains(errs, "деректер жоқ") {
					t.Errorf("report without data: exit %d %q", code, errs)
				}
				code, _, errs = esep(t, "--db", db, "--lang", "de", "report", "--quarter", "2026Q3")
				if code != exitUsage || !strings.Contains(errs, "kk, ru or en") {
					t.Errorf("unknown language: exit %d %q", code, errs)
				}
				code, _, errs = esep(t, "--db", db, "--lang", "en", "report", "--quarter", "2026Q5")
				if code != exitFail || !strings.Contains(errs, "2026Q5") {
					t.Errorf("bad quarter: exit %d %q", code, errs)
				}
			})

			t.Run("plans", func(t *testing.T) {
				plans := filepath.Join(dir, "plans-ok.csv")
				write(t, plans, []byte("period;region;service_code;target\n2026Q3;Астана қаласы;;10\n2026Q3;430000000;ACC;1000\n"))
				esepOK("plan", "import", plans)
				var r report.Report
				mustDecode(t, esepOK("report", "--quarter", "2026Q3", "--format", "json"), &r)
				if len(r.Plans) != 2 || r.Plans[1].Region != "710000000" || r.Plans[1].Plan != 10 || r.Plans[1].Actual == 0 {
					t.Fatalf("plans: %+v", r.Plans)
				}
				p := r.Plans[1]
				if want := float64(int(float64(p.Actual)/float64(p.Plan)*1000+0.5)) / 10; p.Percent != want {
					t.Errorf("percent %v, want %v", p.Percent, want)
				}
			})
		})
	}
}

func lastDay(month string) string {
	days := map[string]string{"07": "31", "08": "31", "09": "30"}
	return month + "-" + days[month[5:]]
}

// readRegisters reads registers back, with "validation_error" for the
// records the validator blocks.
func readRegisters(t *testing.T, paths ...string) ([]register.Record, map[string]string) {
	t.Helper()
	var all []register.Record
	reasons := map[string]string{}
	for _, p := range paths {
		recs, r := readRegister(t, p)
		all = append(all, recs...)
		for k, v := range r {
			reasons[k] = v
		}
	}
	return all, reasons
}

// fixRecord repairs the defects the demo injects that block a record.
func fixRecord(row map[string]string) {
	if row["end_date"] < row["start_date"] {
		row["end_date"] = row["start_date"]
	}
	id := row["enterprise_iin_bin"]
	for i := 0; i < 10; i++ {
		if _, err := kz.ParseID(id); err == nil {
			break
		}
		id = id[:11] + fmt.Sprint((id[11]-'0'+9)%10)
	}
	row["enterprise_iin_bin"] = id
}

// writeFixed writes a register with only the rows ids, repaired.
func writeFixed(t *testing.T, from, to string, ids []string) {
	t.Helper()
	want := map[string]bool{}
	for _, id := range ids {
		want[id] = true
	}
	rows := readCSV(t, from)
	out := [][]string{rows[0]}
	for _, row := range rows[1:] {
		m := rowMap(rows[0], row)
		if want[m["record_id"]] {
			fixRecord(m)
			out = append(out, mapRow(rows[0], m))
		}
	}
	writeCSVRows(t, to, out)
}

// writeFixedAll writes the whole register as it stands after the fixes.
func writeFixedAll(t *testing.T, dir, from string, ids []string) string {
	to := filepath.Join(dir, "sep-fixed.csv")
	want := map[string]bool{}
	for _, id := range ids {
		want[id] = true
	}
	rows := readCSV(t, from)
	for i, row := range rows[1:] {
		m := rowMap(rows[0], row)
		if want[m["record_id"]] {
			fixRecord(m)
			rows[i+1] = mapRow(rows[0], m)
		}
	}
	writeCSVRows(t, to, rows)
	return to
}

// writeActs writes an act registry for the records with prefix that have an
// act, leaving one act out and dating another a day later. It returns the
// record ids of those two.
func writeActs(t *testing.T, path string, recs []register.Record, prefix string) (missing, mismatched string) {
	t.Helper()
	var b bytes.Buffer
	b.WriteString("act_number;record_ids;signed_at;method;signer\n")
	for _, r := range recs {
		if !strings.HasPrefix(r.RecordID, prefix) || register.ActExclusion(&r) != "" {
			continue
		}
		signed := r.ActSignedAt
		switch {
		case missing == "":
			missing = r.RecordID
			continue
		case mismatched == "":
			mismatched = r.RecordID
			signed = strings.Replace(signed, r.ActSignedAt[:10], otherDay(r.ActSignedAt[:10]), 1)
		}
		fmt.Fprintf(&b, "%s;%s;%s;%s;%s\n", r.ActNumber, r.RecordID, signed, r.ActConfirmation, r.EnterpriseID)
	}
	write(t, path, b.Bytes())
	return missing, mismatched
}

// otherDay moves a date by a day, staying inside its month.
func otherDay(d string) string {
	t, _ := time.Parse(time.DateOnly, d)
	if o := t.AddDate(0, 0, 1); o.Month() == t.Month() {
		return o.Format(time.DateOnly)
	}
	return t.AddDate(0, 0, -1).Format(time.DateOnly)
}

func checkExcluded(t *testing.T, rows []stats.ReasonRow, want map[string]int) {
	t.Helper()
	got := map[string]int{}
	for _, r := range rows {
		got[r.Reason] = r.Count
	}
	for reason, n := range want {
		if got[reason] != n {
			t.Errorf("excluded %s: %d, want %d (all: %v)", reason, got[reason], n, got)
		}
	}
}

func countPrefix(recs []register.Record, cycle map[string]string, prefix, reason string) int {
	n := 0
	for _, r := range recs {
		if strings.HasPrefix(r.RecordID, prefix) && register.ActExclusion(&r) == "" && cycle[r.RecordID] == reason {
			n++
		}
	}
	return n
}

func readCSV(t *testing.T, path string) [][]string {
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
	return rows
}

func writeCSVRows(t *testing.T, path string, rows [][]string) {
	t.Helper()
	var b bytes.Buffer
	w := csv.NewWriter(&b)
	w.WriteAll(rows)
	write(t, path, b.Bytes())
}

func rowMap(header, row []string) map[string]string {
	m := map[string]string{}
	for i, h := range header {
		m[h] = row[i]
	}
	return m
}

func mapRow(header []string, m map[string]string) []string {
	row := make([]string, len(header))
	for i, h := range header {
		row[i] = m[h]
	}
	return row
}

// liveIndicators opens the database dsn as a server would and loads its
// warm indicator index, reading the change log at every question (a
// server reads it at most once a second for other processes' changes).
func liveIndicators(t *testing.T, dsn string) *live.Indicators {
	t.Helper()
	db, err := store.Open(context.Background(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	ind := live.New(&monitor.Cycle{DB: db})
	ind.OthersEvery = 0
	if err := ind.Load(context.Background()); err != nil {
		t.Fatal(err)
	}
	return ind
}

// checkLive compares the warm index with a count from the database, for
// the quarter and for each of its months.
func checkLive(t *testing.T, ind *live.Indicators, step string) {
	t.Helper()
	ctx := context.Background()
	cycle := &monitor.Cycle{DB: ind.DB()}
	for _, p := range [][2]string{{"2026-07-01", "2026-09-30"}, {"2026-07-01", "2026-07-31"}, {"2026-08-01", "2026-08-31"}, {"2026-09-01", "2026-09-30"}} {
		gt, gn, err := ind.Compute(ctx, p[0], p[1])
		if err != nil {
			t.Fatal(err)
		}
		wt, wn, err := stats.Compute(ctx, cycle, p[0], p[1])
		if err != nil {
			t.Fatal(err)
		}
		if g, w := mustJSONString(t, gt), mustJSONString(t, wt); g != w {
			t.Errorf("%s, %s..%s: the warm index differs from a count of the database\nindex: %.1200s\ncount: %.1200s", step, p[0], p[1], g, w)
		}
		if g, w := mustJSONString(t, gn), mustJSONString(t, wn); g != w {
			t.Errorf("%s, %s..%s: national figures differ\nindex: %.600s\ncount: %.600s", step, p[0], p[1], g, w)
		}
	}
}
