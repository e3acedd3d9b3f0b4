package web_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"strings"
	"testing"

	"esep/internal/register"
	"esep/internal/store/storetest"
)

func pushBody(t *testing.T, month string, records ...map[string]string) io.Reader {
	t.Helper()
	b, err := json.Marshal(map[string]any{"month": month, "records": records})
	if err != nil {
		t.Fatal(err)
	}
	return strings.NewReader(string(b))
}

// TestRecordWrites pushes records through the API as the operator's system
// would: idempotent by record_id, corrections kept with history, and the
// forbidden cases.
func TestRecordWrites(t *testing.T) {
	for _, e := range storetest.Engines() {
		t.Run(e.Name, func(t *testing.T) {
			s := newSite(t, e)
			id := firstRecord(t, s, "analyst", "430000000")
			d, err := s.db.Record(context.Background(), id)
			if err != nil {
				t.Fatal(err)
			}
			rec := map[string]string{}
			for k, v := range recordMap(d.Record.Values()) {
				rec[k] = v
			}
			rec["record_id"] = "API-1"
			resp, body := s.call("POST", "/api/v1/records", "manager", pushBody(t, "", rec), "Content-Type", "application/json")
			if resp.StatusCode != 200 || summary(body, "rows_read") != 1 {
				t.Fatalf("push: %d %v", resp.StatusCode, body)
			}
			before, _ := s.db.Totals(context.Background())
			_, again := s.call("POST", "/api/v1/records", "manager", pushBody(t, "", rec), "Content-Type", "application/json")
			if summary(again, "unchanged") != 1 {
				t.Errorf("the same record again: %v", again["summary"])
			}
			if after, _ := s.db.Totals(context.Background()); after.Records != before.Records || after.Corrections != before.Corrections {
				t.Errorf("an idempotent write changed the register: %+v → %+v", before, after)
			}
			rec["service_place"] = "ЦОП Байқоңыр"
			_, changed := s.call("POST", "/api/v1/records", "manager", pushBody(t, "", rec), "Content-Type", "application/json")
			if summary(changed, "corrected") != 1 {
				t.Errorf("a changed record: %v", changed["summary"])
			}
			got, _ := s.db.Record(context.Background(), "API-1")
			if got.Version != 2 || len(got.Corrections) != 1 || got.Corrections[0].Column != "service_place" || !strings.HasPrefix(got.Corrections[0].By, "user:") {
				t.Errorf("history: version %d %+v", got.Version, got.Corrections)
			}

			other := map[string]string{}
			for k, v := range rec {
				other[k] = v
			}
			other["record_id"], other["region_kato"], other["settlement_kato"] = "API-2", "710000000", ""
			for _, tt := range []struct {
				name, login string
				body        io.Reader
				status      int
				code        string
			}{
				{"another region", "manager", pushBody(t, "", other), 403, "forbidden_region"},
				{"a role that cannot write", "analyst", pushBody(t, "", rec), 403, "forbidden"},
				{"malformed JSON", "manager", strings.NewReader(`{"records": [`), 400, "bad_request"},
				{"an unknown field", "manager", strings.NewReader(`{"records": [], "extra": 1}`), 400, "bad_request"},
				{"an unknown column", "manager", strings.NewReader(`{"records": [{"record_id": "X", "colour": "red"}]}`), 400, "bad_request"},
				{"a 50 MB body", "manager", strings.NewReader(`{"records": [{"record_id": "` + strings.Repeat("x", 50<<20) + `"}]}`), 413, "too_large"},
				{"a bad month", "manager", pushBody(t, "2026-13", rec), 400, "bad_request"},
			} {
				resp, body := s.call("POST", "/api/v1/records", tt.login, tt.body, "Content-Type", "application/json")
				if resp.StatusCode != tt.status || body["code"] != tt.code {
					t.Errorf("%s: %d %v, want %d %s", tt.name, resp.StatusCode, body["code"], tt.status, tt.code)
				}
			}
			if _, err := s.db.Record(context.Background(), "API-2"); err == nil {
				t.Error("a record of another region was written")
			}
		})
	}
}

func recordMap(values []string) map[string]string {
	m := map[string]string{}
	for i, n := range register.ColumnNames() {
		m[n] = values[i]
	}
	return m
}

func summary(body map[string]any, key string) int {
	s, _ := body["summary"].(map[string]any)
	n, _ := s[key].(float64)
	return int(n)
}

// TestEditPage corrects a record through the page as a manager, and shows
// that a correction with a blocking error is refused with its reason.
func TestEditPage(t *testing.T) {
	s := newSite(t, storetest.Engines()[0])
	jar, _ := cookiejar.New(nil)
	client := &http.Client{Jar: jar}
	resp, err := client.PostForm(s.srv.URL+"/login", url.Values{"login": {"manager"}, "password": {password}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	id := firstRecord(t, s, "analyst", "430000000")
	d, _ := s.db.Record(context.Background(), id)
	form := url.Values{}
	for k, v := range recordMap(d.Record.Values()) {
		form.Set(k, v)
	}
	form.Set("service_place", "Мобильный ЦПП №1")
	resp, err = client.PostForm(s.srv.URL+"/register/"+id+"/edit?lang=en", form)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.Request.URL.Path != "/register/"+id || !strings.Contains(string(body), "service_place") {
		t.Fatalf("after saving: %s %d", resp.Request.URL, resp.StatusCode)
	}
	form.Set("end_date", "1999-01-01")
	resp, err = client.PostForm(s.srv.URL+"/register/"+id+"/edit?lang=en", form)
	if err != nil {
		t.Fatal(err)
	}
	body, _ = io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(string(body), `id="edit-errors"`) || !strings.Contains(string(body), "before the start date") {
		t.Errorf("a blocking correction: %d %.300s", resp.StatusCode, body)
	}
	got, _ := s.db.Record(context.Background(), id)
	if got.Record.EndDate == "1999-01-01" || got.Version != d.Version+1 {
		t.Errorf("the refused correction changed the record: %s v%d", got.Record.EndDate, got.Version)
	}
	// An analyst cannot edit the operator's records.
	jar2, _ := cookiejar.New(nil)
	c2 := &http.Client{Jar: jar2}
	r2, _ := c2.PostForm(s.srv.URL+"/login", url.Values{"login": {"analyst"}, "password": {password}})
	r2.Body.Close()
	r3, _ := c2.Get(s.srv.URL + "/register/" + id + "/edit")
	r3.Body.Close()
	if r3.StatusCode != http.StatusForbidden {
		t.Errorf("an analyst's edit page: %d", r3.StatusCode)
	}
}
