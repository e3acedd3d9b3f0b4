package main

import (
	"bytes"
	"path/filepath"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"esep/internal/store"
)

// TestQuestionnairesCommand: answers import from a file; a second import
// of the same file is refused with every problem on its row, in Russian,
// and changes nothing; the export as CSV imports into a fresh database
// with the same register and gives the same answers; the XLSX export opens.
func TestQuestionnairesCommand(t *testing.T) {
	dir := t.TempDir()
	reg := writeDemo(t, dir, 200, "4")
	dsn := filepath.Join(dir, "a.db")
	mustRun(t, "--db", dsn, "import", reg)
	db := openDB(t, dsn)
	rows, _, err := db.ListRecords(t.Context(), store.RecordFilter{}, "", 3)
	db.Close()
	if err != nil || len(rows) < 3 {
		t.Fatalf("records: %v", err)
	}
	file := filepath.Join(dir, "q.csv")
	write(t, file, []byte("record_id;filled_on;lang;usefulness;organisation;expectations;satisfaction;purposes;financial;nonfinancial\n"+
		rows[0].RecordID+";2026-10-01;ru;5;5;4;4;Освоение новых рынков;grant;\n"+
		rows[1].RecordID+";02.10.2026;en;3;3;3;3;;loan_guarantee;staff_training|senior_experts\n"))
	if out := mustRun(t, "--db", dsn, "questionnaires", "import", file); !strings.Contains(out, "2") {
		t.Errorf("import: %q", out)
	}
	code, _, errs := esep(t, "--db", dsn, "--lang", "ru", "questionnaires", "import", file)
	if code != exitFail || strings.Count(errs, "строка") != 2 || !strings.Contains(errs, "уже есть ответ") {
		t.Errorf("a second import: exit %d\n%s", code, errs)
	}
	export := filepath.Join(dir, "export.csv")
	mustRun(t, "--db", dsn, "questionnaires", "export", "--from", "2026-01-01", "--to", "2026-12-31", "-o", export)
	if b := mustRead(t, export); !bytes.HasPrefix(b, []byte("\ufeffrecord_id,")) || bytes.Count(b, []byte("\r\n")) != 3 {
		t.Errorf("export:\n%s", b)
	}
	fresh := filepath.Join(dir, "b.db")
	mustRun(t, "--db", fresh, "import", reg)
	mustRun(t, "--db", fresh, "questionnaires", "import", export)
	a, b := openDB(t, dsn), openDB(t, fresh)
	qa, _ := a.Questionnaires(t.Context(), "2026-01-01", "2026-12-31")
	qb, _ := b.Questionnaires(t.Context(), "2026-01-01", "2026-12-31")
	if len(qa) != 2 || len(qb) != 2 {
		t.Fatalf("%d and %d answers", len(qa), len(qb))
	}
	for i := range qa {
		if qa[i].RecordID != qb[i].RecordID || qa[i].AnsweredAt != qb[i].AnsweredAt || strings.Join(qa[i].NonFinancial, ";") != strings.Join(qb[i].NonFinancial, ";") || qa[i].Usefulness != qb[i].Usefulness {
			t.Errorf("%+v\n%+v", qa[i], qb[i])
		}
	}
	xfile := filepath.Join(dir, "export.xlsx")
	mustRun(t, "--db", dsn, "--lang", "kk", "questionnaires", "export", "--from", "2026-01-01", "--to", "2026-12-31", "--format", "xlsx", "-o", xfile)
	x, err := excelize.OpenFile(xfile)
	if err != nil {
		t.Fatal(err)
	}
	got, _ := x.GetRows(x.GetSheetName(0))
	x.Close()
	if len(got) != 3 || !strings.Contains(strings.Join(got[2], "|")+strings.Join(got[1], "|"), "Жаңа нарықтарды игеру") {
		t.Errorf("xlsx: %v", got)
	}
	if code, _, _ := esep(t, "--db", dsn, "questionnaires", "export", "--from", "2026-12-31", "--to", "2026-01-01"); code != exitUsage {
		t.Errorf("a bad period: exit %d", code)
	}
}
