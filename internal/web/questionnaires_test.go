package web_test

import (
	"bytes"
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"esep/internal/store/storetest"
)

// TestQuestionnairesPages: an analyst imports answers from the page, sees
// them counted, downloads them as CSV and XLSX; a bad file is refused with
// every problem listed, in her language, and nothing is stored. Operators
// and agents may not; the API does the same.
func TestQuestionnairesPages(t *testing.T) {
	for _, e := range storetest.Engines() {
		t.Run(e.Name, func(t *testing.T) {
			s := newSite(t, e)
			ctx := context.Background()
			a := firstRecord(t, s, "analyst", "430000000")
			b := firstRecord(t, s, "analyst", "710000000")
			rec, _, _ := s.db.RecordFacts(ctx, a)
			from, to := rec.EndDate, rec.EndDate
			if rb, _, _ := s.db.RecordFacts(ctx, b); rb.EndDate < from {
				from = rb.EndDate
			} else if rb.EndDate > to {
				to = rb.EndDate
			}
			analyst := s.cycleBrowser("analyst")
			head := "record_id,filled_on,lang,usefulness,organisation,expectations,satisfaction,purposes,financial,nonfinancial\n"

			bad := head + a + ",2026-07-01,ru,7,4,4,5,,,\n" + "nope,2026-07-01,ru,5,4,4,5,Освоение новых рынков;мир во всём мире,,\n"
			status, _, page := analyst.upload("/questionnaires/import", "bad.csv", []byte(bad))
			if status != http.StatusBadRequest || !strings.Contains(page, `id="questionnaires-problems"`) || !strings.Contains(page, "мир во всём мире") ||
				strings.Count(page, "<tr><td>") < 3 {
				t.Errorf("a bad file: %d\n%s", status, page)
			}
			if qs, _ := s.db.Questionnaires(ctx, "0000-01-01", "9999-12-31"); len(qs) != 0 {
				t.Errorf("a refused file stored %d answers", len(qs))
			}

			good := head + a + ",2026-07-01,ru,5,4,3,5,Освоение новых рынков,grant,\n" + b + ",01.07.2026,kk,2,2,2,2,,,programme_advice\n"
			status, path, page := analyst.upload("/questionnaires/import", "good.csv", []byte(good))
			if status != http.StatusOK || path != "/questionnaires" || !strings.Contains(page, `id="questionnaires-notice"`) {
				t.Fatalf("a good file: %d %s\n%s", status, path, page)
			}
			status, _, page = analyst.get("/questionnaires?from=" + from + "&to=" + to)
			if status != 200 || !strings.Contains(page, `href="/register/`+a+`"`) || !strings.Contains(page, "Жаңа нарықтарды игеру") {
				t.Errorf("the register page: %d\n%s", status, page)
			}
			status, _, csvBody := analyst.get("/questionnaires/export?from=" + from + "&to=" + to + "&format=csv")
			if status != 200 || !strings.HasPrefix(csvBody, "\ufeffrecord_id,filled_on,lang") || strings.Count(csvBody, "\r\n") != 3 {
				t.Errorf("csv: %d %q", status, csvBody)
			}
			status, _, x := analyst.get("/questionnaires/export?from=" + from + "&to=" + to + "&format=xlsx")
			book, err := excelize.OpenReader(bytes.NewReader([]byte(x)))
			if status != 200 || err != nil {
				t.Fatalf("xlsx: %d %v", status, err)
			}
			rows, _ := book.GetRows(book.GetSheetName(0))
			book.Close()
			if len(rows) != 3 || rows[0][0] != "record_id" {
				t.Errorf("xlsx rows: %v", rows)
			}

			// The API: a refused file lists every problem (now also the
			// answer the page stored).
			resp, body := s.call("POST", "/api/v1/questionnaires/import", "analyst", strings.NewReader(bad), "Accept-Language", "en")
			if resp.StatusCode != 400 || len(body["problems"].([]any)) != 4 || !strings.Contains(body["message"].(string), "row") {
				t.Errorf("api refused: %d %v", resp.StatusCode, body)
			}
			resp, body = s.call("GET", "/api/v1/questionnaires?from="+from+"&to="+to, "analyst", nil)
			if resp.StatusCode != 200 || body["counts"].(map[string]any)["total"].(float64) != 2 || len(body["items"].([]any)) != 2 {
				t.Errorf("api list: %d %v", resp.StatusCode, body)
			}
			if resp, _ := s.call("GET", "/api/v1/questionnaires/export?format=pdf", "analyst", nil); resp.StatusCode != 400 {
				t.Errorf("a pdf export: %d", resp.StatusCode)
			}
			for _, login := range []string{"manager", "agent", "ministry"} {
				if resp, _ := s.call("GET", "/api/v1/questionnaires", login, nil); resp.StatusCode != http.StatusForbidden {
					t.Errorf("%s: %d", login, resp.StatusCode)
				}
				if resp, _ := s.call("POST", "/api/v1/questionnaires/import", login, strings.NewReader(good)); resp.StatusCode != http.StatusForbidden {
					t.Errorf("%s import: %d", login, resp.StatusCode)
				}
			}
			if status, _, _ := s.cycleBrowser("manager").get("/questionnaires"); status != http.StatusForbidden {
				t.Errorf("an operator's page: %d", status)
			}
			events, _ := s.db.AuditEvents(ctx, 10)
			audited := false
			for _, ev := range events {
				audited = audited || ev.Action == "questionnaires.import" && ev.Object == "file:good.csv"
			}
			if !audited {
				t.Error("the import was not audited")
			}
		})
	}
}
