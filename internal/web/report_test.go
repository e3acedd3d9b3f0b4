package web_test

import (
	"bytes"
	"fmt"
	"net/url"
	"path/filepath"
	"strings"
	"testing"

	"esep/internal/store/storetest"
)

func TestReports(t *testing.T) {
	for _, e := range storetest.Engines() {
		t.Run(e.Name, func(t *testing.T) {
			s := newCycleSite(t, e)

			t.Run("periods without data or sense", func(t *testing.T) {
				for lang, word := range map[string]string{"en": "no data", "ru": "нет данных", "kk": "деректер жоқ"} {
					resp, out := s.call("GET", "/api/v1/reports/2025Q1", "ministry", nil, "Accept-Language", lang)
					if resp.StatusCode != 404 || out["code"] != "no_data" || !strings.Contains(fmt.Sprint(out["message"]), word) {
						t.Errorf("%s: a period without data: %d %v", lang, resp.StatusCode, out)
					}
				}
				if resp, out := s.call("POST", "/api/v1/reports/2025Q1", "analyst", nil); resp.StatusCode != 404 || out["code"] != "no_data" {
					t.Errorf("saving a period without data: %d %v", resp.StatusCode, out)
				}
				for _, p := range []string{"2026Q5", "26Q1", "2026-07"} {
					if resp, out := s.call("GET", "/api/v1/reports/"+p, "analyst", nil); resp.StatusCode != 400 || out["code"] != "bad_request" || !strings.Contains(fmt.Sprint(out["message"]), p) {
						t.Errorf("period %s: %d %v", p, resp.StatusCode, out)
					}
				}
				if resp, out := s.call("GET", "/api/v1/reports/2026Q3/versions/7", "analyst", nil); resp.StatusCode != 404 || out["code"] != "not_found" {
					t.Errorf("a missing version: %d %v", resp.StatusCode, out)
				}
			})

			t.Run("the ministry reads and downloads, nothing else", func(t *testing.T) {
				_, live := s.call("GET", "/api/v1/reports/2026Q3", "ministry", nil)
				if live["period"] != "2026Q3" || live["tables"] == nil || live["version"] != 0.0 {
					t.Fatalf("live report: %.300v", live)
				}
				code, h, b := s.cycleFetch("GET", "/api/v1/reports/2026Q3?format=pdf", "ministry", nil)
				if code != 200 || !bytes.HasPrefix(b, []byte("%PDF")) || h.Get("Content-Type") != "application/pdf" {
					t.Errorf("live PDF: %d %s", code, h.Get("Content-Type"))
				}
				for _, tt := range []struct{ method, path string }{
					{"POST", "/api/v1/reports/2026Q3"},
					{"PUT", "/api/v1/reports/2026Q3/versions/1/conclusions/1"},
					{"POST", "/api/v1/reports/2026Q3/versions/1/send"},
				} {
					if resp, out := s.call(tt.method, tt.path, "ministry", strings.NewReader(`{"text":"x"}`)); resp.StatusCode != 403 || out["code"] != "forbidden" {
						t.Errorf("ministry %s %s: %d %v", tt.method, tt.path, resp.StatusCode, out)
					}
				}
				if resp, _ := s.call("GET", "/api/v1/reports", "manager", nil); resp.StatusCode != 403 {
					t.Errorf("a manager lists reports: %d", resp.StatusCode)
				}
			})

			t.Run("save, edit, send, frozen", func(t *testing.T) {
				resp, saved := s.call("POST", "/api/v1/reports/2026Q3", "analyst", nil)
				if resp.StatusCode != 201 || saved["version"] != 1.0 || saved["status"] != "draft" || resp.Header.Get("Location") != "/api/v1/reports/2026Q3/versions/1" {
					t.Fatalf("save: %d %v", resp.StatusCode, saved)
				}
				v1 := "/api/v1/reports/2026Q3/versions/1"
				if resp, out := s.call("PUT", v1+"/conclusions/1", "analyst", strings.NewReader(`{"text": "x"`)); resp.StatusCode != 400 || out["code"] != "bad_request" {
					t.Errorf("malformed JSON: %d %v", resp.StatusCode, out)
				}
				if resp, out := s.call("PUT", v1+"/conclusions/1", "analyst", cycleJSON(map[string]string{"lang": "de", "text": "x"})); resp.StatusCode != 400 {
					t.Errorf("an unknown language: %d %v", resp.StatusCode, out)
				}
				if resp, out := s.call("PUT", v1+"/conclusions/99", "analyst", cycleJSON(map[string]string{"text": "x"})); resp.StatusCode != 404 || out["code"] != "not_found" {
					t.Errorf("a missing conclusion: %d %v", resp.StatusCode, out)
				}
				resp, out := s.call("PUT", v1+"/conclusions/1", "analyst", cycleJSON(map[string]string{"lang": "en", "text": "Edited by the analyst."}))
				if resp.StatusCode != 200 || out["edited"] != true || out["text"] != "Edited by the analyst." {
					t.Fatalf("edit: %d %v", resp.StatusCode, out)
				}
				if _, _, b := s.cycleFetch("GET", v1, "ministry", nil); !bytes.Contains(b, []byte("Edited by the analyst.")) || !bytes.Contains(b, []byte(`"status": "draft"`)) {
					t.Errorf("the edit is not in the version: %.300s", b)
				}
				resp, sent := s.call("POST", v1+"/send", "analyst", nil)
				if resp.StatusCode != 200 || sent["status"] != "sent" || sent["sent_at"] == "" {
					t.Fatalf("send: %d %v", resp.StatusCode, sent)
				}
				if resp, out := s.call("POST", v1+"/send", "analyst", nil); resp.StatusCode != 409 || out["code"] != "conflict" {
					t.Errorf("a second send: %d %v", resp.StatusCode, out)
				}
				if resp, out := s.call("PUT", v1+"/conclusions/1", "analyst", cycleJSON(map[string]string{"text": "Too late."})); resp.StatusCode != 409 || out["code"] != "conflict" || out["message"] == "" {
					t.Errorf("editing a sent report: %d %v", resp.StatusCode, out)
				}

				// What was sent, as files, by the API and from the page.
				ministry := s.cycleBrowser("ministry")
				download := func() map[string][]byte {
					files := map[string][]byte{}
					for _, f := range []string{"pdf", "xlsx", "json"} {
						code, _, b := s.cycleFetch("GET", v1+"?format="+f, "ministry", nil, "Accept-Language", "kk")
						if code != 200 || len(b) < 500 {
							t.Fatalf("version 1 as %s: %d, %d bytes", f, code, len(b))
						}
						files["api."+f] = b
						code, _, page := ministry.get("/reports/2026Q3/v1." + f + "?lang=kk")
						if code != 200 {
							t.Fatalf("version 1 as %s from the page: %d", f, code)
						}
						files["page."+f] = []byte(page)
					}
					return files
				}
				before := download()
				if !bytes.Equal(before["api.pdf"], before["page.pdf"]) || !bytes.Equal(before["api.xlsx"], before["page.xlsx"]) {
					t.Error("the page and the API give different files of one version")
				}
				_, _, liveBefore := s.cycleFetch("GET", "/api/v1/reports/2026Q3", "analyst", nil)

				// A correction after sending: a record of July loses its act.
				changed := filepath.Join(s.dir, "jul2.csv")
				cycleRewriteRow(t, s.files["2026-07"], changed, func(row map[string]string) bool {
					if row["act_number"] == "" {
						return false
					}
					row["act_number"] = ""
					return true
				})
				s.importRegister("2026-07", cycleMonths[0].received, changed)

				_, _, liveAfter := s.cycleFetch("GET", "/api/v1/reports/2026Q3", "analyst", nil)
				if bytes.Equal(liveBefore, liveAfter) {
					t.Fatal("the live report did not see the correction: the test proves nothing")
				}
				after := download()
				for name, b := range before {
					if !bytes.Equal(b, after[name]) {
						t.Errorf("%s: the sent version changed after a correction (%d vs %d bytes)", name, len(b), len(after[name]))
					}
				}
				_, list := s.call("GET", "/api/v1/reports", "ministry", nil)
				items, _ := list["items"].([]any)
				if len(items) != 1 || items[0].(map[string]any)["status"] != "sent" || items[0].(map[string]any)["period"] != "2026Q3" {
					t.Errorf("saved reports: %v", list)
				}
			})

			t.Run("pages", func(t *testing.T) {
				analyst, ministry := s.cycleBrowser("analyst"), s.cycleBrowser("ministry")
				for who, b := range map[string]*cycleBrowser{"analyst": analyst, "ministry": ministry} {
					code, _, body := b.get("/reports?lang=en")
					if code != 200 || !strings.Contains(body, `id="reports-table"`) || !strings.Contains(body, `id="reports-pick"`) {
						t.Errorf("%s: reports page: %d", who, code)
					}
					code, path, _ := b.get("/reports?period=2026q3")
					if code != 200 || path != "/reports/2026Q3" {
						t.Errorf("%s: picking a period: %d at %s", who, code, path)
					}
					code, _, body = b.get("/reports/2026Q3?lang=en")
					for _, id := range []string{"report-intro", "report-clients-by-region", "report-services-by-region-service", "report-conclusions", "report-annexes", "report-pdf", "Total, Kazakhstan"} {
						if code != 200 || !strings.Contains(body, id) {
							t.Errorf("%s: live report: %d, no %s", who, code, id)
						}
					}
					if strings.Contains(body, `id="report-save"`) != (who == "analyst") {
						t.Errorf("%s: the save form shown: %v", who, !(who == "analyst"))
					}
					if code, _, body := b.get("/reports/2025Q1?lang=en"); code != 404 || !strings.Contains(body, "no data") {
						t.Errorf("%s: a period without data: %d", who, code)
					}
					if code, _, _ := b.get("/reports/2026Q7"); code != 400 {
						t.Errorf("%s: a bad period: %d", who, code)
					}
				}
				if code, _, _ := ministry.post("/reports/2026Q3/save", nil); code != 403 {
					t.Errorf("the ministry saves a report: %d", code)
				}

				// The analyst's path: save, edit a conclusion, send.
				code, path, body := analyst.post("/reports/2026Q3/save?lang=en", nil)
				if code != 200 || !strings.HasPrefix(path, "/reports/2026Q3/v") || !strings.Contains(body, `id="report-edit"`) {
					t.Fatalf("save from the page: %d at %s", code, path)
				}
				analyst.get("/lang/ru?back=/") // the language of the edit, kept across the redirect
				code, _, body = analyst.post(path+"/conclusions", url.Values{"c1": {"Вывод аналитика."}})
				if code != 200 || !strings.Contains(body, "Вывод аналитика.") || !strings.Contains(body, `id="report-notice"`) {
					t.Errorf("edit from the page: %d", code)
				}
				if code, _, body := analyst.get(path + "?lang=en"); strings.Contains(body, "Вывод аналитика.") || code != 200 {
					t.Error("an edit in Russian shows in English")
				}
				if code, _, _ := ministry.post(path+"/send", url.Values{"confirm": {"1"}}); code != 403 {
					t.Errorf("the ministry sends: %d", code)
				}
				if code, _, _ := analyst.post(path+"/send", nil); code != 400 {
					t.Errorf("send without the confirmation: %d", code)
				}
				code, _, body = analyst.post(path+"/send?lang=en", url.Values{"confirm": {"1"}})
				if code != 200 || !strings.Contains(body, `id="report-status"`) || strings.Contains(body, `id="report-edit"`) || strings.Contains(body, `id="report-send-form"`) {
					t.Errorf("send from the page: %d", code)
				}
				if code, _, _ := analyst.post(path+"/conclusions", url.Values{"c1": {"again"}}); code != 409 {
					t.Errorf("editing a sent report from the page: %d", code)
				}
				if code, _, body := ministry.get(path + "?lang=en"); code != 200 || !strings.Contains(body, "frozen") {
					t.Errorf("the ministry reads the sent version: %d", code)
				}
			})
		})
	}
}
