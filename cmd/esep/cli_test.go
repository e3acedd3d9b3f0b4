package main

import (
	"archive/zip"
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"
	"golang.org/x/text/encoding/charmap"

	"esep/internal/store/storetest"
)

// TestBadInput shows that each kind of bad file gets a clear error in the
// user's language, exits non-zero, and leaves the database exactly as it
// was, on both engines.
func TestBadInput(t *testing.T) {
	dir := t.TempDir()
	good := writeDemo(t, dir, 200, "3")
	header, _, _ := strings.Cut(string(mustRead(t, good)), "\n")
	files := map[string]func(path string){
		"empty":       func(p string) { write(t, p, nil) },
		"header only": func(p string) { write(t, p, []byte(header+"\n")) },
		"truncated": func(p string) {
			b := mustRead(t, good)
			write(t, p, append(b[:len(b)/2:len(b)/2], []byte(`,"Қасым`)...))
		},
		"binary": func(p string) {
			write(t, p, append([]byte("\x89PNG\r\n\x1a\n"), bytes.Repeat([]byte{0, 1, 2, 0xff}, 2000)...))
		},
		"garbage bytes": func(p string) { write(t, p, bytes.Repeat([]byte{0x00, 0x9f, 0x13, 0x07, 0xfe}, 5000)) },
		"100 MB line":   func(p string) { writeLongLine(t, p, 100<<20) },
		"wrong encoding": func(p string) {
			// A Russian header in KOI8-R: read as Windows-1251 it is gibberish,
			// so no column is recognised.
			koi, _ := charmap.KOI8R.NewEncoder().String("Область;Наименование предприятия клиента;ИИН/БИН субъекта МСБ\nАстана;ТОО;123\n")
			write(t, p, []byte(koi))
		},
		"unknown columns":   func(p string) { write(t, p, []byte("colour,size,weight\nred,1,2\n")) },
		"zip bomb as xlsx":  func(p string) { writeZipBomb(t, p) },
		"xlsx that is text": func(p string) { write(t, p, []byte(header+"\n")) },
	}
	names := map[string]string{"zip bomb as xlsx": "bomb.xlsx", "xlsx that is text": "text.xlsx"}
	for _, e := range storetest.Engines() {
		t.Run(e.Name, func(t *testing.T) {
			dsn := e.DSN(t)
			mustRun(t, "--db", dsn, "import", good)
			db := openDB(t, dsn)
			before := snapshot(t, db)
			for name, make := range files {
				t.Run(name, func(t *testing.T) {
					file := names[name]
					if file == "" {
						file = strings.ReplaceAll(name, " ", "_") + ".csv"
					}
					path := filepath.Join(dir, file)
					if _, err := os.Stat(path); err != nil {
						make(path)
					}
					for _, lang := range []string{"kk", "ru", "en"} {
						code, out, errs := esep(t, "--db", dsn, "--lang", lang, "import", path)
						if code != exitFail {
							t.Errorf("%s: exit %d, want %d\n%s%s", lang, code, exitFail, out, errs)
						}
						if !strings.Contains(errs, filepath.Base(path)) && !strings.Contains(errs, "column") && !strings.Contains(errs, "баған") && !strings.Contains(errs, "столб") {
							t.Errorf("%s: the error does not say which file or what is wrong: %q", lang, errs)
						}
						if lang != "en" && !hasCyrillic(errs) {
							t.Errorf("%s: the error is not in the user's language: %q", lang, errs)
						}
					}
					if after := snapshot(t, db); after != before {
						t.Errorf("the database changed: %+v → %+v", before.Totals, after.Totals)
					}
				})
			}
		})
	}
}

func TestUnknownExtraColumnIsIgnored(t *testing.T) {
	dir := t.TempDir()
	good := writeDemo(t, dir, 20, "4")
	lines := strings.Split(strings.TrimSpace(string(mustRead(t, good))), "\n")
	for i := range lines {
		extra := "note"
		if i > 0 {
			extra = "x"
		}
		lines[i] += "," + extra
	}
	path := filepath.Join(dir, "extra.csv")
	write(t, path, []byte(strings.Join(lines, "\n")+"\n"))
	var res struct {
		Summary struct {
			RowsRead int `json:"rows_read"`
		} `json:"summary"`
		Unknown []string `json:"unknown_columns"`
	}
	mustDecode(t, mustRun(t, "--db", filepath.Join(dir, "e.db"), "import", "--format", "json", path), &res)
	if res.Summary.RowsRead != 20 || len(res.Unknown) != 1 || res.Unknown[0] != "note" {
		t.Errorf("import with an extra column: %+v", res)
	}
}

func TestValidateJSON(t *testing.T) {
	dir := t.TempDir()
	file := writeDemo(t, dir, 300, "5")
	dbPath := filepath.Join(dir, "never.db")
	var doc struct {
		Rows     int `json:"rows"`
		Findings []struct {
			Row      int    `json:"row"`
			RecordID string `json:"record_id"`
			Column   string `json:"column"`
			Rule     string `json:"rule"`
			Severity string `json:"severity"`
			Message  string `json:"message"`
		} `json:"findings"`
	}
	mustDecode(t, mustRun(t, "--db", dbPath, "--lang", "ru", "validate", file, "--format", "json"), &doc)
	if doc.Rows != 300 || len(doc.Findings) == 0 {
		t.Fatalf("rows %d, %d findings", doc.Rows, len(doc.Findings))
	}
	recs, _ := readRegister(t, file)
	for _, f := range doc.Findings {
		if f.Row < 1 || f.Row > 300 || recs[f.Row-1].RecordID != f.RecordID {
			t.Errorf("finding %+v: row does not point at its record", f)
		}
		if (f.Severity != "blocking" && f.Severity != "warning") || f.Rule == "" || !hasCyrillic(f.Message) {
			t.Errorf("finding %+v", f)
		}
	}
	if _, err := os.Stat(dbPath); err == nil {
		t.Error("validate created a database")
	}
}

// TestCheckID uses published numbers: the second-pass examples of
// reference-kz.md §1.2 (python-stdnum PR #322 for the BINs; valery1707 and
// FakerPHP test data for the IINs).
func TestCheckID(t *testing.T) {
	var got []map[string]any
	mustDecode(t, mustRun(t, "check-id", "--format", "json", "961141000023", "830717350867", "0612 1160 0012", "830717350868", "83071730013x", "961141000024"), &got)
	want := []map[string]any{
		{"number": "961141000023", "valid": true, "kind": "bin"},
		{"number": "830717350867", "valid": true, "kind": "iin", "birth_date": "1983-07-17", "gender": "M"},
		{"number": "061211600012", "valid": true, "kind": "iin", "birth_date": "2006-12-11", "gender": "F"},
		{"number": "830717350868", "valid": false, "kind": "iin"},
		{"number": "83071730013x", "valid": false},
		{"number": "961141000024", "valid": false, "kind": "bin"},
	}
	if len(got) != len(want) {
		t.Fatalf("got %d results", len(got))
	}
	for i, w := range want {
		for k, v := range w {
			if got[i][k] != v {
				t.Errorf("%v: %s = %v, want %v", w["number"], k, got[i][k], v)
			}
		}
		if w["valid"] == false && got[i]["error"] == "" {
			t.Errorf("%v: no error given", w["number"])
		}
	}
}

// TestCalendarJSON checks 2026 against the official calendar published by
// egov.kz as reported by alau.kz (02.01.2026) — reference-kz.md §2.
func TestCalendarJSON(t *testing.T) {
	var doc struct {
		Year    int `json:"year"`
		DaysOff []struct {
			Date string `json:"date"`
			Name string `json:"name"`
		} `json:"days_off"`
		Working []string `json:"working_weekend_days"`
	}
	mustDecode(t, mustRun(t, "calendar", "2026", "--format", "json", "--lang", "en"), &doc)
	var dates []string
	for _, d := range doc.DaysOff {
		dates = append(dates, d.Date)
		if d.Name == "" {
			t.Errorf("%s has no name", d.Date)
		}
	}
	want := []string{"2026-01-01", "2026-01-02", "2026-01-07", "2026-03-09", "2026-03-23", "2026-03-24", "2026-03-25",
		"2026-05-01", "2026-05-07", "2026-05-11", "2026-05-27", "2026-07-06", "2026-10-26", "2026-12-16"}
	if strings.Join(dates, " ") != strings.Join(want, " ") {
		t.Errorf("days off in 2026:\n got %v\nwant %v", dates, want)
	}
	if doc.Year != 2026 || doc.Working == nil || len(doc.Working) != 0 {
		t.Errorf("year %d, working weekend days %v", doc.Year, doc.Working)
	}
}

func TestUsageErrors(t *testing.T) {
	for _, args := range [][]string{{}, {"nonsense"}, {"report", "--from", "2026-13-01", "--to", "2026-12-31"}, {"calendar", "abc"}, {"--lang", "de", "import", "x"}, {"demo", "--rows", "-5"}} {
		if code, _, errs := esep(t, args...); code != exitUsage || errs == "" {
			t.Errorf("esep %v: exit %d, stderr %q", args, code, errs)
		}
	}
}

func TestConfigMasksSecrets(t *testing.T) {
	out := mustRun(t, "--db", "postgres://esep:s3cret@db.local:5432/esep", "config")
	if strings.Contains(out, "s3cret") || !strings.Contains(out, "esep:***@db.local") {
		t.Errorf("config printed a secret: %q", out)
	}
}

func TestMaskDSN(t *testing.T) {
	if got := maskDSN("postgres://esep:s3cret@db:5432/esep"); strings.Contains(got, "s3cret") || !strings.Contains(got, "esep:***@db") {
		t.Errorf("maskDSN = %q", got)
	}
	if got := maskDSN("esep.db"); got != "esep.db" {
		t.Errorf("maskDSN(file) = %q", got)
	}
}

func hasCyrillic(s string) bool {
	return strings.ContainsFunc(s, func(r rune) bool { return r >= 'А' && r <= 'я' || r == 'Ә' || r == 'қ' })
}

func mustRead(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func write(t *testing.T, path string, b []byte) {
	t.Helper()
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
}

// writeLongLine streams one line of n bytes, without holding it in memory.
func writeLongLine(t *testing.T, path string, n int) {
	t.Helper()
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	chunk := bytes.Repeat([]byte("a,"), 32<<10)
	for written := 0; written < n; written += len(chunk) {
		if _, err := f.Write(chunk); err != nil {
			t.Fatal(err)
		}
	}
}

// writeZipBomb writes an .xlsx whose sheet inflates to about 2 GiB.
func writeZipBomb(t *testing.T, path string) {
	t.Helper()
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	z := zip.NewWriter(f)
	for _, name := range []string{"[Content_Types].xml", "xl/workbook.xml", "xl/_rels/workbook.xml.rels", "_rels/.rels"} {
		w, _ := z.Create(name)
		w.Write([]byte(`<?xml version="1.0"?><x/>`))
	}
	w, err := z.Create("xl/worksheets/sheet1.xml")
	if err != nil {
		t.Fatal(err)
	}
	zeros := make([]byte, 1<<20)
	for i := 0; i < 2100; i++ { // past the 2 GiB default limit
		w.Write(zeros)
	}
	if err := z.Close(); err != nil {
		t.Fatal(err)
	}
}

// TestKATOClassifier loads settlements from a workbook shaped like the
// Bureau of National Statistics' KATO file and shows that the settlement
// rule then uses it.
func TestKATOClassifier(t *testing.T) {
	dir := t.TempDir()
	x := excelize.NewFile()
	rows := [][]any{
		{"te", "ab", "cd", "ef", "hij", "k", "name_kaz", "name_rus", "nn"},
		{"430000000", "43", "00", "00", "000", "1", "Қызылорда облысы", "Кызылординская область", "1"},
		{"431010000", "43", "10", "10", "000", "2", "Қызылорда қ.ә.", "г.а. Кызылорда", "2"},
		{"43xx", "", "", "", "", "", "broken", "broken", "3"},
	}
	for i, r := range rows {
		cell, _ := excelize.CoordinatesToCellName(1, i+1)
		x.SetSheetRow("Sheet1", cell, &r)
	}
	book := filepath.Join(dir, "kato.xlsx")
	if err := x.SaveAs(book); err != nil {
		t.Fatal(err)
	}
	db := filepath.Join(dir, "k.db")
	out := mustRun(t, "--db", db, "--lang", "en", "kato", book)
	if !strings.Contains(out, "Loaded 1 settlements") || !strings.Contains(out, "1 rows skipped") {
		t.Errorf("kato: %q", out)
	}
	file := writeDemo(t, dir, 50, "6")
	var doc struct {
		Findings []struct {
			Rule string `json:"rule"`
		} `json:"findings"`
	}
	mustDecode(t, mustRun(t, "--db", db, "validate", "--format", "json", file), &doc)
	unknown := 0
	for _, f := range doc.Findings {
		if f.Rule == "settlement_unknown" {
			unknown++
		}
	}
	recs, _ := readRegister(t, file)
	want := 0
	for _, r := range recs {
		if r.SettlementKATO != "431010000" && r.RegionKATO != "" && strings.HasPrefix(r.SettlementKATO, r.RegionKATO[:2]) {
			want++
		}
	}
	if unknown != want || want == 0 {
		t.Errorf("settlement_unknown on %d records, want %d", unknown, want)
	}
}
