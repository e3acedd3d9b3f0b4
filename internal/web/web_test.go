package web_test

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/getkin/kin-openapi/openapi3"

	"esep/internal/auth"
	"esep/internal/demo"
	"esep/internal/ingest"
	"esep/internal/kz"
	"esep/internal/pgtest"
	"esep/internal/store"
	"esep/internal/store/storetest"
	"esep/internal/web"
)

func TestMain(m *testing.M) { pgtest.RunMain(m) }

// site is a running esep with a small register and a user of every role.
type site struct {
	t      *testing.T
	srv    *httptest.Server
	db     *store.DB
	web    *web.Server
	tokens map[string]string // login → API token
}

const password = "correct horse battery staple"

func newSite(t *testing.T, e storetest.Engine) *site {
	t.Helper()
	db := storetest.Open(t, e)
	ctx := context.Background()
	dir := t.TempDir()
	file := filepath.Join(dir, "r.csv")
	f, _ := os.Create(file)
	demo.WriteCSV(f, demo.Options{Rows: 300, Seed: 5, From: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), To: time.Date(2026, 6, 30, 0, 0, 0, 0, time.UTC), ErrorRate: 0.05})
	f.Close()
	if _, err := ingest.ImportFile(ctx, db, file, store.ImportMeta{By: "test"}, ingest.Options{}); err != nil {
		t.Fatal(err)
	}
	s := &site{t: t, db: db, tokens: map[string]string{}}
	hash, err := auth.HashPassword(password)
	if err != nil {
		t.Fatal(err)
	}
	for _, u := range []auth.User{
		{Login: "admin", Name: "Admin", Role: auth.Admin},
		{Login: "analyst", Name: "Analyst", Role: auth.Analyst},
		{Login: "manager", Name: "Manager", Role: auth.Operator, Region: "430000000"},
		{Login: "agent", Name: "Agent", Role: auth.Agent},
		{Login: "ministry", Name: "Ministry", Role: auth.Viewer},
	} {
		if err := db.CreateUser(ctx, &u, hash, "test"); err != nil {
			t.Fatal(err)
		}
		tok, th, _ := auth.NewToken()
		if err := db.CreateAPIToken(ctx, u.ID, th, "test", "test"); err != nil {
			t.Fatal(err)
		}
		s.tokens[u.Login] = tok
	}
	s.web, err = web.New(db, kz.DefaultCalendar(), slog.New(slog.NewTextHandler(io.Discard, nil)), web.Config{MaxLoginFailures: 3, LockFor: time.Minute})
	if err != nil {
		t.Fatal(err)
	}
	// As esep serve does: the dashboard, the indicators and the reports
	// count from the warm index, kept up to date by every write the tests
	// make.
	if err := s.web.LoadIndicators(ctx); err != nil {
		t.Fatal(err)
	}
	s.srv = httptest.NewServer(s.web.Handler())
	t.Cleanup(s.srv.Close)
	return s
}

// call makes an API request as login (by token; "" for anonymous).
func (s *site) call(method, path, login string, body io.Reader, header ...string) (*http.Response, map[string]any) {
	s.t.Helper()
	req, _ := http.NewRequest(method, s.srv.URL+path, body)
	if login != "" {
		req.Header.Set("Authorization", "Bearer "+s.tokens[login])
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		s.t.Fatal(err)
	}
	defer resp.Body.Close()
	var out map[string]any
	b, _ := io.ReadAll(resp.Body)
	json.Unmarshal(b, &out)
	if out == nil {
		out = map[string]any{"_raw": string(b)}
	}
	return resp, out
}

func TestAPI(t *testing.T) {
	for _, e := range storetest.Engines() {
		t.Run(e.Name, func(t *testing.T) {
			s := newSite(t, e)
			tests := []struct {
				name, method, path, login string
				status                    int
				code                      string
			}{
				{"me", "GET", "/api/v1/me", "analyst", 200, ""},
				{"anonymous", "GET", "/api/v1/me", "", 401, "unauthorized"},
				{"records as analyst", "GET", "/api/v1/records?limit=5", "analyst", 200, ""},
				{"records as the ministry", "GET", "/api/v1/records", "ministry", 403, "forbidden"},
				{"indicators as the ministry", "GET", "/api/v1/indicators?from=2026-01-01&to=2026-12-31", "ministry", 200, ""},
				{"indicators with a bad period", "GET", "/api/v1/indicators?from=2026-13-01&to=2026-12-31", "analyst", 400, "bad_request"},
				{"cycle as the ministry", "GET", "/api/v1/cycle?from=2026-01&to=2026-06", "ministry", 403, "forbidden"},
				{"cycle", "GET", "/api/v1/cycle?from=2026-01&to=2026-06", "analyst", 200, ""},
				{"a bad limit", "GET", "/api/v1/records?limit=5000", "analyst", 400, "bad_request"},
				{"a bad cursor", "GET", "/api/v1/records?cursor=nonsense", "analyst", 400, "bad_request"},
				{"a missing record", "GET", "/api/v1/records/nope", "analyst", 404, "not_found"},
			}
			for _, tt := range tests {
				resp, body := s.call(tt.method, tt.path, tt.login, nil)
				if resp.StatusCode != tt.status || (tt.code != "" && body["code"] != tt.code) {
					t.Errorf("%s: %d %v, want %d %s", tt.name, resp.StatusCode, body, tt.status, tt.code)
				}
				if tt.code != "" && (body["message"] == nil || body["message"] == "") {
					t.Errorf("%s: no message", tt.name)
				}
			}

			t.Run("a wrong token", func(t *testing.T) {
				resp, body := s.call("GET", "/api/v1/me", "", nil, "Authorization", "Bearer not-a-token")
				if resp.StatusCode != 401 || body["code"] != "unauthorized" {
					t.Errorf("%d %v", resp.StatusCode, body)
				}
			})
			t.Run("errors in the caller's language", func(t *testing.T) {
				for lang, word := range map[string]string{"ru": "Требуется", "en": "Sign-in", "kk": "Кіру"} {
					_, body := s.call("GET", "/api/v1/me", "", nil, "Accept-Language", lang)
					if !strings.Contains(body["message"].(string), word) {
						t.Errorf("%s: %v", lang, body["message"])
					}
				}
			})
			t.Run("another region", func(t *testing.T) {
				_, body := s.call("GET", "/api/v1/records?region=710000000&limit=1000", "manager", nil)
				items := body["items"].([]any)
				if len(items) == 0 {
					t.Fatal("a manager sees no records of her own region")
				}
				for _, it := range items {
					if r := it.(map[string]any)["record"].(map[string]any); r["region_kato"] != "430000000" {
						t.Fatalf("a Kyzylorda manager saw a record of %v", r["region_kato"])
					}
				}
				other := firstRecord(t, s, "analyst", "710000000")
				if resp, _ := s.call("GET", "/api/v1/records/"+other, "manager", nil); resp.StatusCode != 404 {
					t.Errorf("another region's record: %d", resp.StatusCode)
				}
			})
			t.Run("personal data", func(t *testing.T) {
				id := firstRecord(t, s, "analyst", "")
				_, list := s.call("GET", "/api/v1/records?q="+id, "analyst", nil)
				masked := list["items"].([]any)[0].(map[string]any)["record"].(map[string]any)
				if !strings.Contains(masked["client_full_name"].(string), "*") || !strings.HasPrefix(masked["client_iin"].(string)+"*", "*") {
					t.Errorf("a list shows personal data: %v %v", masked["client_full_name"], masked["client_iin"])
				}
				before, _ := s.db.AuditEvents(context.Background(), 1000)
				_, full := s.call("GET", "/api/v1/records/"+id, "analyst", nil)
				rec := full["record"].(map[string]any)["record"].(map[string]any)
				if strings.Contains(rec["client_full_name"].(string), "*") {
					t.Error("an analyst's record page is masked")
				}
				after, _ := s.db.AuditEvents(context.Background(), 1000)
				if len(after) != len(before)+1 || after[0].Action != "record.open" || after[0].Object != "record:"+id {
					t.Errorf("opening a full record was not audited: %+v", after[0])
				}
				// The administrator manages people and catalogues; she has no
				// need to read a person's data.
				if resp, _ := s.call("GET", "/api/v1/records/"+id, "admin", nil); resp.StatusCode != 200 {
					t.Fatalf("admin: %d", resp.StatusCode)
				}
				_, adm := s.call("GET", "/api/v1/records/"+id, "admin", nil)
				if r := adm["record"].(map[string]any)["record"].(map[string]any); !strings.Contains(r["client_full_name"].(string), "*") {
					t.Error("the administrator saw personal data")
				}
			})
			t.Run("a 50 MB payload", func(t *testing.T) {
				big := strings.NewReader(strings.Repeat("x", 50<<20))
				resp, _ := s.call("POST", "/login", "", big, "Content-Type", "application/x-www-form-urlencoded")
				if resp.StatusCode < 400 {
					t.Errorf("a 50 MB login form: %d", resp.StatusCode)
				}
			})
			t.Run("cross-site request", func(t *testing.T) {
				resp, _ := s.call("POST", "/logout", "", nil, "Origin", "https://evil.example", "Sec-Fetch-Site", "cross-site")
				if resp.StatusCode != http.StatusForbidden {
					t.Errorf("a cross-site POST: %d", resp.StatusCode)
				}
			})
			t.Run("pagination without hard caps", func(t *testing.T) {
				seen := map[string]bool{}
				cursor := ""
				for page := 0; page < 100; page++ {
					_, body := s.call("GET", "/api/v1/records?limit=70&cursor="+url.QueryEscape(cursor), "analyst", nil)
					for _, it := range body["items"].([]any) {
						id := it.(map[string]any)["record"].(map[string]any)["record_id"].(string)
						if seen[id] {
							t.Fatalf("record %s on two pages", id)
						}
						seen[id] = true
					}
					if cursor, _ = body["next_cursor"].(string); cursor == "" {
						break
					}
				}
				if tot, _ := s.db.Totals(context.Background()); len(seen) != tot.Records {
					t.Errorf("paged through %d of %d records", len(seen), tot.Records)
				}
			})
		})
	}
}

func firstRecord(t *testing.T, s *site, login, region string) string {
	t.Helper()
	_, body := s.call("GET", "/api/v1/records?limit=1&region="+region, login, nil)
	items := body["items"].([]any)
	if len(items) == 0 {
		t.Fatalf("no record in %q", region)
	}
	return items[0].(map[string]any)["record"].(map[string]any)["record_id"].(string)
}

// TestSessions walks the browser path with a cookie jar: login, the
// cookie's flags, a page, logout, and the lock-out after wrong passwords.
func TestSessions(t *testing.T) {
	s := newSite(t, storetest.Engines()[0])
	jar, _ := cookiejar.New(nil)
	client := &http.Client{Jar: jar}
	form := func(login, pw string) *http.Response {
		resp, err := client.PostForm(s.srv.URL+"/login", url.Values{"login": {login}, "password": {pw}, "next": {"/register"}})
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp
	}
	resp := form("analyst", password)
	if resp.Request.URL.Path != "/register" {
		t.Fatalf("after login: %s", resp.Request.URL)
	}
	u, _ := url.Parse(s.srv.URL)
	var session *http.Cookie
	for _, c := range resp.Request.Response.Cookies() {
		if c.Name == "esep_session" {
			session = c
		}
	}
	if session == nil || !session.HttpOnly || session.SameSite != http.SameSiteLaxMode {
		t.Fatalf("session cookie: %+v", session)
	}
	get := func(path string) (int, string) {
		resp, err := client.Get(s.srv.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	if code, body := get("/register?lang=en"); code != 200 || !strings.Contains(body, "Register of services") {
		t.Errorf("register page: %d", code)
	}
	// An expired session is no session.
	jar.SetCookies(u, []*http.Cookie{{Name: "esep_session", Value: "expired-or-forged", Path: "/"}})
	if code, body := get("/register"); code != 200 || !strings.Contains(body, `id="login-form"`) {
		t.Errorf("a forged session reached the register: %d", code)
	}
	// Three wrong passwords lock the account, even with the right one next.
	for i := 0; i < 3; i++ {
		if r := form("agent", "wrong password!"); r.StatusCode != http.StatusUnauthorized {
			t.Errorf("wrong password %d: %d", i, r.StatusCode)
		}
	}
	if r := form("agent", password); r.StatusCode != http.StatusLocked {
		t.Errorf("a locked account: %d", r.StatusCode)
	}
}

// TestOpenAPI checks that the document is valid OpenAPI 3 in shape and
// describes every route the server has (and nothing it lacks).
func TestOpenAPI(t *testing.T) {
	s := newSite(t, storetest.Engines()[0])
	resp, err := http.Get(s.srv.URL + "/api/v1/openapi.json")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var doc struct {
		OpenAPI string                                `json:"openapi"`
		Info    map[string]any                        `json:"info"`
		Paths   map[string]map[string]json.RawMessage `json:"paths"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&doc); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(doc.OpenAPI, "3.") || doc.Info["title"] == nil || len(doc.Paths) == 0 {
		t.Fatalf("not an OpenAPI 3 document: %s %v", doc.OpenAPI, doc.Info)
	}
	// A real validator, not only the shape: kin-openapi checks the document
	// against the OpenAPI 3 specification (references, schemas, parameters).
	resp2, err := http.Get(s.srv.URL + "/api/v1/openapi.json")
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := io.ReadAll(resp2.Body)
	resp2.Body.Close()
	loaded, err := openapi3.NewLoader().LoadFromData(raw)
	if err != nil {
		t.Fatalf("load: %v", err)
	}
	if err := loaded.Validate(context.Background()); err != nil {
		t.Errorf("the OpenAPI document is not valid: %v", err)
	}
	for path, ops := range doc.Paths {
		for method, raw := range ops {
			var op struct {
				Responses map[string]any `json:"responses"`
			}
			if err := json.Unmarshal(raw, &op); err != nil || len(op.Responses) == 0 {
				t.Errorf("%s %s: an operation without responses", method, path)
			}
		}
	}
	described := map[string]bool{}
	for path, ops := range doc.Paths {
		for method := range ops {
			described[strings.ToUpper(method)+" "+path] = true
		}
	}
	api := regexp.MustCompile(`^(GET|POST|PUT|PATCH|DELETE) (/api/|/healthz|/metrics)`)
	served := map[string]bool{}
	for _, r := range s.web.Routes() {
		if api.MatchString(r) {
			served[r] = true
			if !described[r] {
				t.Errorf("route %s is not in the OpenAPI document", r)
			}
		}
	}
	for d := range described {
		if !served[d] {
			t.Errorf("the document describes %s, which the server lacks", d)
		}
	}
}

func TestHealthAndMetrics(t *testing.T) {
	s := newSite(t, storetest.Engines()[0])
	for path, want := range map[string]string{"/healthz": "ok", "/metrics": "esep_http_requests_total"} {
		http.Get(s.srv.URL + "/healthz") // a request to count
		resp, err := http.Get(s.srv.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 || !strings.Contains(string(b), want) {
			t.Errorf("%s: %d %.200s", path, resp.StatusCode, b)
		}
		if resp.Header.Get("X-Request-Id") == "" {
			t.Errorf("%s: no request id", path)
		}
	}
}

// TestRegisterFilters pages through the register by manager, finding and
// both orders, and shows an expired session is no session.
func TestRegisterFilters(t *testing.T) {
	for _, e := range storetest.Engines() {
		t.Run(e.Name, func(t *testing.T) {
			s := newSite(t, e)
			_, first := s.call("GET", "/api/v1/records?limit=1", "analyst", nil)
			rec := first["items"].([]any)[0].(map[string]any)["record"].(map[string]any)
			manager := rec["manager_full_name"].(string)
			_, byManager := s.call("GET", "/api/v1/records?limit=1000&manager="+url.QueryEscape(manager), "analyst", nil)
			items := byManager["items"].([]any)
			if len(items) == 0 {
				t.Fatal("no record of the manager")
			}
			for _, it := range items {
				if m := it.(map[string]any)["record"].(map[string]any)["manager_full_name"]; m != manager {
					t.Fatalf("manager filter let through %v", m)
				}
			}
			_, byFinding := s.call("GET", "/api/v1/records?limit=1000&finding=end_before_start", "analyst", nil)
			for _, it := range byFinding["items"].([]any) {
				r := it.(map[string]any)["record"].(map[string]any)
				if r["end_date"].(string) >= r["start_date"].(string) {
					t.Fatalf("finding filter let through %v", r["record_id"])
				}
			}
			if len(byFinding["items"].([]any)) == 0 {
				t.Error("no record with end_before_start in a register with mistakes")
			}
			_, newest := s.call("GET", "/api/v1/records?limit=5", "analyst", nil)
			_, oldest := s.call("GET", "/api/v1/records?limit=5&sort=oldest", "analyst", nil)
			n := newest["items"].([]any)[0].(map[string]any)["record"].(map[string]any)["end_date"].(string)
			o := oldest["items"].([]any)[0].(map[string]any)["record"].(map[string]any)["end_date"].(string)
			if o > n {
				t.Errorf("oldest first starts at %s, newest first at %s", o, n)
			}
			// A session past its expiry is refused like no session at all.
			tok, hash, _ := auth.NewToken()
			creds, err := s.db.UserByLogin(context.Background(), "analyst")
			if err != nil {
				t.Fatal(err)
			}
			if err := s.db.StartSession(context.Background(), creds.User.ID, hash, time.Now().Add(-time.Minute)); err != nil {
				t.Fatal(err)
			}
			resp, body := s.call("GET", "/api/v1/me", "", nil, "Cookie", "esep_session="+tok)
			if resp.StatusCode != 401 || body["code"] != "unauthorized" {
				t.Errorf("an expired session: %d %v", resp.StatusCode, body)
			}
		})
	}
}
