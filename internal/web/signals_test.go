package web_test

import (
	"context"
	"encoding/csv"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"esep/internal/browsertest"
	"esep/internal/store"
	"esep/internal/store/storetest"
)

// fakeManager is the manager of the injected fake services.
const fakeManager = "Жалғанов Жалған Жалғанұлы"

// injectSameMinute adds three services of one manager whose acts, for three
// different clients, were signed in the same minute of March 2026: three
// people cannot all have signed with one manager at once. It returns their
// record ids.
func injectSameMinute(t *testing.T, s *site) []string {
	t.Helper()
	ctx := context.Background()
	id := firstRecord(t, s, "analyst", "430000000")
	base, _, err := s.db.RecordFacts(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	tx, err := s.db.BeginImport(ctx, store.ImportMeta{FileName: "fakes.csv", By: "test"})
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	var writes []store.Write
	for i, name := range []string{"Әлиева Әйгерім", "Бекова Балжан", "Сейітов Серік"} {
		r := *base
		r.RecordID = fmt.Sprintf("FAKE-%d", i+1)
		r.ClientFullName, r.ClientIIN, r.ClientBirthDate = name, "", fmt.Sprintf("199%d-05-0%d", i, i+1)
		r.ManagerFullName = fakeManager
		r.StartDate, r.EndDate = "2026-03-17", "2026-03-17"
		r.ActNumber = fmt.Sprintf("FAKE-ACT-%d", i+1)
		r.ActSignedAt = fmt.Sprintf("2026-03-17T11:42:%02d+05:00", 10*i)
		writes = append(writes, store.Write{Row: i + 1, Record: r, Store: true})
		ids = append(ids, r.RecordID)
	}
	if err := tx.Put(ctx, writes); err != nil {
		t.Fatal(err)
	}
	if err := tx.Commit(ctx, store.ImportSummary{}); err != nil {
		t.Fatal(err)
	}
	return ids
}

// TestSignalsAPI: the API finds the injected fake, masks personal data,
// checks its query, and only analysts may call it; the CSV export names
// records and nothing personal.
func TestSignalsAPI(t *testing.T) {
	for _, e := range storetest.Engines() {
		t.Run(e.Name, func(t *testing.T) {
			s := newSite(t, e)
			fakes := injectSameMinute(t, s)
			resp, body := s.call("GET", "/api/v1/signals?from=2026-03-01&to=2026-03-31&code=same_minute", "analyst", nil, "Accept-Language", "en")
			if resp.StatusCode != http.StatusOK {
				t.Fatalf("%d %v", resp.StatusCode, body)
			}
			list := body["signals"].([]any)
			found := false
			for _, it := range list {
				m := it.(map[string]any)
				if m["code"] != "same_minute" {
					t.Errorf("a code filter let %v through", m["code"])
				}
				var recs []string
				for _, r := range m["records"].([]any) {
					recs = append(recs, r.(string))
				}
				if slices.Equal(recs, fakes) {
					found = true
					if text := m["explanation"].(string); !strings.Contains(text, fakeManager) || !strings.Contains(text, "2026-03-17 11:42") {
						t.Errorf("explanation: %q", text)
					}
				}
			}
			if !found {
				t.Errorf("the fake is not among the signals: %v", list)
			}
			if body["records"].(float64) < 3 || len(body["counts"].([]any)) != 9 {
				t.Errorf("records %v, counts %v", body["records"], body["counts"])
			}
			for _, tt := range []struct {
				login, query string
				status       int
			}{
				{"manager", "from=2026-03-01&to=2026-03-31", http.StatusForbidden},
				{"agent", "from=2026-03-01&to=2026-03-31", http.StatusForbidden},
				{"ministry", "from=2026-03-01&to=2026-03-31", http.StatusForbidden},
				{"analyst", "from=2026-03-31&to=2026-03-01", http.StatusBadRequest},
				{"analyst", "from=2024-01-01&to=2026-03-01", http.StatusBadRequest},
				{"analyst", "from=2026-03-01&to=2026-03-31&code=nonsense", http.StatusBadRequest},
				{"", "from=2026-03-01&to=2026-03-31", http.StatusUnauthorized},
			} {
				if resp, body := s.call("GET", "/api/v1/signals?"+tt.query, tt.login, nil); resp.StatusCode != tt.status || body["message"] == "" {
					t.Errorf("%s %s: %d %v, want %d", tt.login, tt.query, resp.StatusCode, body, tt.status)
				}
			}

			// The page's CSV: every record of every signal, no names.
			status, _, raw := s.cycleBrowser("analyst").get("/signals/export.csv?period=2026-03")
			if status != 200 || !strings.HasPrefix(raw, "\ufeff") {
				t.Fatalf("csv: %d %q", status, signalsTruncate(raw, 200))
			}
			rows, err := csv.NewReader(strings.NewReader(strings.TrimPrefix(string(raw), "\ufeff"))).ReadAll()
			if err != nil || len(rows) < 4 || strings.Join(rows[0], ",") != "signal,code,title,score,record_id,region_kato,latest_end_date" {
				t.Fatalf("csv: %v %v", rows, err)
			}
			seen := 0
			for _, r := range rows[1:] {
				if slices.Contains(fakes, r[4]) && r[1] == "same_minute" {
					seen++
				}
				for _, personal := range []string{"Әлиева", "Бекова", fakeManager} {
					if strings.Contains(strings.Join(r, ","), personal) {
						t.Errorf("the CSV names a person: %v", r)
					}
				}
			}
			if seen != 3 {
				t.Errorf("the CSV lists %d of the 3 fakes", seen)
			}
		})
	}
}

// signalsTruncate shortens s for a message.
func signalsTruncate(s string, n int) string {
	if len(s) > n {
		return s[:n] + "…"
	}
	return s
}

// TestSignalsPage: an analyst opens the page in Kazakh in a real browser
// and sees the injected fake among the signals, with the note that a
// signal is no verdict; an operator gets 403.
func TestSignalsPage(t *testing.T) {
	s := newSite(t, storetest.Engines()[0])
	fakes := injectSameMinute(t, s)

	b := browsertest.New(t, browsertest.Language("kk"))
	signIn(t, b, s.srv.URL, "analyst")
	if !exists(b, `nav a[href="/signals"]`) {
		t.Error("the analyst's menu has no signals")
	}
	b.Navigate(s.srv.URL + "/signals?period=2026-03")
	b.WaitText("#signals-note", "үкім емес")
	b.WaitVisible(`#signals-table a[href="/register/` + fakes[0] + `"]`)
	row := browsertest.Get(b, chromedp.Evaluate[string](`[...document.querySelectorAll("#signals-table tbody tr")].find(tr => tr.textContent.includes("FAKE-1")).textContent`))
	if !strings.Contains(row, "бір минутта") || !strings.Contains(row, fakeManager) || !strings.Contains(row, "FAKE-3") {
		t.Errorf("the fake's row: %q", row)
	}
	if n := b.Text(`#signals-counts tr[data-code="same_minute"]`); !strings.Contains(n, "same_minute") {
		t.Errorf("counts row: %q", n)
	}
	// Only the same-minute signals, by the filter.
	b.Navigate(s.srv.URL + "/signals?period=2026-03&code=same_minute")
	if others := browsertest.Get(b, evalInt(`document.querySelectorAll('#signals-table tbody tr[data-code]:not([data-code="same_minute"])').length`)); others != 0 {
		t.Errorf("%d rows of other codes under a code filter", others)
	}
	b.DocScreenshot("page-signals")
	if errs := b.ConsoleErrors(); len(errs) > 0 {
		t.Errorf("console errors: %v", errs)
	}

	op := browsertest.New(t, browsertest.Language("kk"))
	signIn(t, op, s.srv.URL, "manager")
	if exists(op, `nav a[href="/signals"]`) {
		t.Error("an operator's menu offers the signals")
	}
	manager := s.cycleBrowser("manager")
	for _, path := range []string{"/signals?period=2026-03", "/signals/export.csv?period=2026-03"} {
		if status, _, _ := manager.get(path); status != http.StatusForbidden {
			t.Errorf("an operator opening %s: %d, want 403", path, status)
		}
	}
}
