package main

import (
	"encoding/csv"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"esep/internal/store"
)

// TestSignalsCommand: esep signals finds a fake injected into a demo
// register (three clients' acts signed with one manager in one minute), in
// text, JSON and CSV; the CSV names no one; a bad period is a usage error.
func TestSignalsCommand(t *testing.T) {
	dir := t.TempDir()
	dsn := filepath.Join(dir, "esep.db")
	mustRun(t, "--db", dsn, "import", writeDemo(t, dir, 300, "8"))
	db := openDB(t, dsn)
	var base store.Listed
	rows, _, err := db.ListRecords(t.Context(), store.RecordFilter{From: "2026-03-01", To: "2026-03-31"}, "", 1)
	if err != nil || len(rows) == 0 {
		t.Fatalf("no March record: %v", err)
	}
	base = rows[0]
	tx, err := db.BeginImport(t.Context(), store.ImportMeta{FileName: "fakes", By: "test"})
	if err != nil {
		t.Fatal(err)
	}
	var writes []store.Write
	for i := range 3 {
		r := base.Record
		r.RecordID = fmt.Sprintf("FAKE-%d", i+1)
		r.ClientFullName, r.ClientIIN, r.ClientBirthDate = fmt.Sprintf("Жалған Клиент %c", 'А'+i), "", fmt.Sprintf("199%d-01-01", i)
		r.ManagerFullName, r.EndDate, r.StartDate = "Жалғанов Жалған", "2026-03-18", "2026-03-18"
		r.ActNumber, r.ActSignedAt = fmt.Sprintf("F-%d", i), "2026-03-18T16:20:00+05:00"
		writes = append(writes, store.Write{Row: i + 1, Record: r, Store: true})
	}
	if err := tx.Put(t.Context(), writes); err != nil {
		t.Fatal(err)
	}
	if err := tx.Commit(t.Context(), store.ImportSummary{}); err != nil {
		t.Fatal(err)
	}
	db.Close()

	text := mustRun(t, "--db", dsn, "--lang", "kk", "signals", "--from", "2026-03-01", "--to", "2026-03-31")
	if !strings.Contains(text, "үкім емес") || !strings.Contains(text, "FAKE-1, FAKE-2, FAKE-3") || !strings.Contains(text, "Жалғанов Жалған") {
		t.Errorf("text:\n%s", text)
	}
	var list struct {
		Records int `json:"records"`
		Signals []struct {
			Code    string   `json:"code"`
			Records []string `json:"records"`
		} `json:"signals"`
	}
	mustDecode(t, mustRun(t, "--db", dsn, "signals", "--from", "2026-03-01", "--to", "2026-03-31", "--code", "same_minute", "--format", "json"), &list)
	if len(list.Signals) == 0 || list.Records == 0 {
		t.Fatalf("json: %+v", list)
	}
	for _, s := range list.Signals {
		if s.Code != "same_minute" {
			t.Errorf("code filter: %s", s.Code)
		}
	}
	out := filepath.Join(dir, "signals.csv")
	mustRun(t, "--db", dsn, "signals", "--from", "2026-03-01", "--to", "2026-03-31", "--format", "csv", "-o", out)
	recs, err := csv.NewReader(strings.NewReader(strings.TrimPrefix(string(mustRead(t, out)), "\ufeff"))).ReadAll()
	if err != nil || len(recs) < 4 || recs[0][4] != "record_id" {
		t.Fatalf("csv: %v %v", recs, err)
	}
	if body := string(mustRead(t, out)); strings.Contains(body, "Жалған Клиент") || strings.Contains(body, "Жалғанов") {
		t.Error("the CSV names people")
	}
	for _, bad := range [][]string{{"--from", "2026-03-31", "--to", "2026-03-01"}, {"--from", "2026-03-01"}, {"--from", "2026-03-01", "--to", "2026-03-31", "--code", "x"}, {"--from", "2026-03-01", "--to", "2026-03-31", "--format", "pdf"}} {
		if code, _, errs := esep(t, append([]string{"--db", dsn, "--lang", "ru", "signals"}, bad...)...); code != exitUsage || !hasCyrillic(errs) {
			t.Errorf("%v: exit %d %q", bad, code, errs)
		}
	}
}
