package web_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"esep/internal/demo"
	"esep/internal/ingest"
	"esep/internal/kz"
	"esep/internal/monitor"
	"esep/internal/store/storetest"
)

// cycleSite is a site with a quarter of the monthly cycle on top of its
// history: July on time, August late, September on time, each register
// with a letter about its problems; October never arrived, so it is
// overdue (the tests run after its due date, 1 November 2026).
type cycleSite struct {
	*site
	dir     string
	cycle   *monitor.Cycle
	files   map[string]string // month → register file
	letters map[string]string // month → letter number
}

// The register months, when each arrived, and the seed of its records.
var cycleMonths = []struct{ month, received, prefix string }{
	{"2026-07", "2026-08-01T09:00:00+05:00", "JUL"},
	{"2026-08", "2026-09-02T10:00:00+05:00", "AUG"}, // a day late
	{"2026-09", "2026-10-01T09:30:00+05:00", "SEP"},
}

func newCycleSite(t *testing.T, e storetest.Engine) *cycleSite {
	t.Helper()
	if monitor.Today().Before(time.Date(2026, 11, 2, 0, 0, 0, 0, time.UTC)) {
		t.Skip("the fixture's registers arrive in 2026: the clock is before them")
	}
	c := &cycleSite{site: newSite(t, e), dir: t.TempDir(), files: map[string]string{}, letters: map[string]string{}}
	c.cycle = &monitor.Cycle{DB: c.db, Calendar: kz.DefaultCalendar()}
	for i, m := range cycleMonths {
		first, _ := time.Parse("2006-01", m.month)
		path := filepath.Join(c.dir, m.prefix+".csv")
		f, err := os.Create(path)
		if err != nil {
			t.Fatal(err)
		}
		err = demo.WriteCSV(f, demo.Options{Rows: 60, Seed: uint64(30 + i), From: first, To: first.AddDate(0, 1, -1), IDPrefix: m.prefix, ErrorRate: 0.12})
		f.Close()
		if err != nil {
			t.Fatal(err)
		}
		c.files[m.month] = path
		c.importRegister(m.month, m.received, path)
	}
	if c.letters["2026-09"] == "" {
		t.Fatal("no letter was drafted for September")
	}
	return c
}

// importRegister delivers a register as esep import --month --received does.
func (c *cycleSite) importRegister(month, received, path string) {
	c.t.Helper()
	_, l, err := c.cycle.ImportRegister(context.Background(), path, monitor.Delivery{Month: month, ReceivedAt: received, By: "test"}, ingest.Options{})
	if err != nil {
		c.t.Fatal(err)
	}
	if l != nil && c.letters[month] == "" {
		c.letters[month] = l.Number()
	}
}

// letterPath is the API path of a month's letter.
func (c *cycleSite) letterPath(month string) string {
	c.t.Helper()
	year, seq, err := monitor.ParseLetterNumber(c.letters[month])
	if err != nil {
		c.t.Fatalf("no letter for %s: %v", month, err)
	}
	return fmt.Sprintf("/letters/%d/%d", year, seq)
}

// cycleFetch makes a request as login by token and returns the raw answer.
func (s *site) cycleFetch(method, path, login string, body io.Reader, header ...string) (int, http.Header, []byte) {
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
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Header, b
}

// cycleBrowser is a person at a browser: signed in with a cookie jar, as in
// TestSessions.
type cycleBrowser struct {
	t      *testing.T
	base   string
	client *http.Client
}

func (s *site) cycleBrowser(login string) *cycleBrowser {
	s.t.Helper()
	jar, _ := cookiejar.New(nil)
	b := &cycleBrowser{t: s.t, base: s.srv.URL, client: &http.Client{Jar: jar}}
	resp, err := b.client.PostForm(s.srv.URL+"/login", url.Values{"login": {login}, "password": {password}, "next": {"/"}})
	if err != nil {
		s.t.Fatal(err)
	}
	resp.Body.Close()
	if resp.Request.URL.Path != "/" {
		s.t.Fatalf("%s could not sign in: ended at %s", login, resp.Request.URL)
	}
	return b
}

// do sends a request and returns the status, the final path (after
// redirects) and the body.
func (b *cycleBrowser) do(req *http.Request) (int, string, string) {
	b.t.Helper()
	resp, err := b.client.Do(req)
	if err != nil {
		b.t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Request.URL.Path, string(body)
}

func (b *cycleBrowser) get(path string) (int, string, string) {
	req, _ := http.NewRequest("GET", b.base+path, nil)
	return b.do(req)
}

func (b *cycleBrowser) post(path string, form url.Values) (int, string, string) {
	req, _ := http.NewRequest("POST", b.base+path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return b.do(req)
}

func (b *cycleBrowser) upload(path, name string, content []byte) (int, string, string) {
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	fw, _ := mw.CreateFormFile("file", name)
	fw.Write(content)
	mw.Close()
	req, _ := http.NewRequest("POST", b.base+path, &buf)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	return b.do(req)
}

func cycleJSON(v any) io.Reader {
	b, _ := json.Marshal(v)
	return bytes.NewReader(b)
}

func TestCycle(t *testing.T) {
	for _, e := range storetest.Engines() {
		t.Run(e.Name, func(t *testing.T) {
			s := newCycleSite(t, e)
			ctx := context.Background()

			t.Run("late and overdue", func(t *testing.T) {
				resp, _ := s.call("GET", "/api/v1/cycle?from=2026-07&to=2026-10", "analyst", nil)
				if resp.StatusCode != 200 {
					t.Fatalf("cycle: %d", resp.StatusCode)
				}
				_, _, raw := s.cycleFetch("GET", "/api/v1/cycle?from=2026-07&to=2026-10", "analyst", nil)
				var months []monitor.MonthStatus
				if err := json.Unmarshal(raw, &months); err != nil || len(months) != 4 {
					t.Fatalf("cycle: %v %s", err, raw)
				}
				want := map[string][2]bool{"2026-07": {false, false}, "2026-08": {true, false}, "2026-09": {false, false}, "2026-10": {false, true}}
				for _, m := range months {
					if w := want[m.Month]; m.Late != w[0] || m.Overdue != w[1] {
						t.Errorf("%s: late %v overdue %v, want %v", m.Month, m.Late, m.Overdue, w)
					}
				}
				_, list := s.call("GET", "/api/v1/letters?from=2026-07&to=2026-10", "analyst", nil)
				items, _ := list["items"].([]any)
				if len(items) != len(s.letters) {
					t.Fatalf("letters: %v", list)
				}
				for _, it := range items {
					l := it.(map[string]any)
					// Due a working day after arrival, long past, never sent.
					if l["send_overdue"] != true || l["sent_at"] != nil {
						t.Errorf("letter %v: not overdue to send", l["number"])
					}
				}
				if resp, body := s.call("GET", "/api/v1/letters?from=2026-10&to=2026-07", "analyst", nil); resp.StatusCode != 400 || body["code"] != "bad_request" {
					t.Errorf("a reversed range: %d %v", resp.StatusCode, body)
				}
			})

			t.Run("roles", func(t *testing.T) {
				sep := "/api/v1" + s.letterPath("2026-09")
				for _, tt := range []struct{ method, path, login string }{
					{"GET", "/api/v1/letters", "ministry"},
					{"GET", sep, "ministry"},
					{"POST", sep + "/send", "ministry"},
					{"POST", sep + "/send", "manager"}, // reads the cycle, acts in it not
					{"POST", "/api/v1/plans", "ministry"},
					{"POST", "/api/v1/acts", "admin"},
				} {
					if resp, body := s.call(tt.method, tt.path, tt.login, strings.NewReader("{}")); resp.StatusCode != 403 || body["code"] != "forbidden" {
						t.Errorf("%s %s as %s: %d %v", tt.method, tt.path, tt.login, resp.StatusCode, body)
					}
				}
				if resp, _ := s.call("GET", "/api/v1/letters", "manager", nil); resp.StatusCode != 200 {
					t.Errorf("a manager reads the cycle: %d", resp.StatusCode)
				}
			})

			t.Run("a letter and its personal data", func(t *testing.T) {
				personal := map[string]bool{"client_iin": true, "client_full_name": true, "mobile_phone": true, "work_phone": true, "email": true, "client_birth_date": true}
				shown := 0
				for _, m := range cycleMonths {
					path := "/api/v1" + s.letterPath(m.month)
					before, _ := s.db.AuditEvents(ctx, 1000)
					_, full := s.call("GET", path, "analyst", nil, "Accept-Language", "ru")
					after, _ := s.db.AuditEvents(ctx, 1000)
					_, masked := s.call("GET", path, "manager", nil, "Accept-Language", "ru")
					fi, _ := full["items"].([]any)
					mi, _ := masked["items"].([]any)
					if len(fi) == 0 || len(fi) != len(mi) || full["number"] != s.letters[m.month] {
						t.Fatalf("%s: %d items, %d masked: %v", m.month, len(fi), len(mi), full)
					}
					revealed := false
					for i := range fi {
						a, b := fi[i].(map[string]any), mi[i].(map[string]any)
						if a["message"] == "" || a["message"] == nil {
							t.Errorf("an item without a message: %v", a)
						}
						if personal[fmt.Sprint(a["column"])] && a["value"] != nil && a["value"] != "" {
							revealed = true
							if a["value"] == b["value"] || strings.Contains(fmt.Sprint(b["message"]), fmt.Sprint(a["value"])) {
								t.Errorf("a manager limited to one region saw %v %v", a["column"], b["value"])
							}
						}
						// A detail may carry another personal value: a name
						// as it was spelt before.
						if d := fmt.Sprint(a["detail"]); a["detail"] != nil && d != fmt.Sprint(b["detail"]) && strings.Contains(fmt.Sprint(b["message"]), d) {
							t.Errorf("a manager saw the detail %q of %v", d, a["column"])
						}
						if a["rule"] == "person_spelling" && a["detail"] == b["detail"] {
							t.Errorf("a name spelt before was shown unmasked: %v", b["message"])
						}
					}
					if revealed {
						shown++
						if len(after) != len(before)+1 || after[0].Action != "letter.open" {
							t.Errorf("showing personal values was not audited: %+v", after[0])
						}
					}
				}
				if shown == 0 {
					t.Error("no letter lists a personal value: the masking was not exercised")
				}
				if resp, body := s.call("GET", "/api/v1/letters/2026/999", "analyst", nil); resp.StatusCode != 404 || body["code"] != "not_found" {
					t.Errorf("a missing letter: %d %v", resp.StatusCode, body)
				}
				for format, magic := range map[string]string{"pdf": "%PDF", "xlsx": "PK\x03\x04"} {
					code, h, b := s.cycleFetch("GET", "/api/v1"+s.letterPath("2026-09")+"?format="+format, "analyst", nil)
					if code != 200 || !bytes.HasPrefix(b, []byte(magic)) || !strings.Contains(h.Get("Content-Disposition"), "attachment") {
						t.Errorf("letter as %s: %d %q", format, code, b[:min(len(b), 8)])
					}
				}
			})

			t.Run("send a letter", func(t *testing.T) {
				path := "/api/v1" + s.letterPath("2026-09") + "/send"
				for name, body := range map[string]string{
					"malformed JSON":        `{"sent_at": `,
					"an unknown field":      `{"sent": "2026-10-02T09:00:00+05:00"}`,
					"a malformed time":      `{"sent_at": "2 October"}`,
					"received before sent":  `{"sent_at": "2026-10-02T09:00:00+05:00", "delivered_at": "2026-10-01T09:00:00+05:00"}`,
					"sent in the future":    `{"sent_at": "2099-01-01T09:00:00+05:00"}`,
					"trailing data on JSON": `{} {}`,
				} {
					if resp, out := s.call("POST", path, "analyst", strings.NewReader(body)); resp.StatusCode != 400 || out["code"] != "bad_request" || out["message"] == "" {
						t.Errorf("%s: %d %v", name, resp.StatusCode, out)
					}
				}
				if resp, out := s.call("POST", path, "analyst", strings.NewReader(`{"sent_at": "`+strings.Repeat("x", 2<<20)+`"}`)); resp.StatusCode != 413 || out["code"] != "too_large" {
					t.Errorf("a 2 MB body: %d %v", resp.StatusCode, out)
				}
				// Received Friday 2 October 2026: corrections due 3 working
				// days later on the calendar, Wednesday 7 October.
				resp, out := s.call("POST", path, "analyst", cycleJSON(map[string]string{"sent_at": "2026-10-02T09:00:00+05:00"}))
				want := kz.DefaultCalendar().AddWorkingDays(time.Date(2026, 10, 2, 0, 0, 0, 0, time.UTC), 3).Format(time.DateOnly)
				if resp.StatusCode != 200 || out["correction_due"] != want || want != "2026-10-07" {
					t.Fatalf("send: %d %v, want corrections due %s", resp.StatusCode, out, want)
				}
				if resp, out := s.call("POST", path, "analyst", nil); resp.StatusCode != 409 || out["code"] != "conflict" || !strings.Contains(out["message"].(string), "2026-10-02") {
					t.Errorf("a second send: %d %v", resp.StatusCode, out)
				}
				_, l := s.call("GET", "/api/v1"+s.letterPath("2026-09"), "analyst", nil)
				if l["correction_due"] != want || l["delivered_at"] != l["sent_at"] {
					t.Errorf("the letter after sending: %v %v %v", l["correction_due"], l["sent_at"], l["delivered_at"])
				}
				events, _ := s.db.AuditEvents(ctx, 5)
				found := false
				for _, ev := range events {
					found = found || ev.Action == "letter.send" && strings.HasPrefix(ev.Actor, "user:")
				}
				if !found {
					t.Errorf("the send was not audited as the user: %+v", events)
				}
			})

			t.Run("plans and acts", func(t *testing.T) {
				bad := "period,region_kato,service_code,target\n2026Q3,710000000,,100\n2026Q3,510000000,,50\n2026Q3,Марс,,1\n"
				resp, out := s.call("POST", "/api/v1/plans", "analyst", strings.NewReader(bad), "Accept-Language", "ru", "Content-Type", "text/csv")
				problems, _ := out["problems"].([]any)
				if resp.StatusCode != 400 || out["code"] != "bad_request" || !strings.Contains(fmt.Sprint(out["message"]), "неизвестный регион") || len(problems) != 2 {
					t.Errorf("plans with unknown regions: %d %v", resp.StatusCode, out)
				}
				if plans, _ := s.db.Plans(ctx, []string{"2026Q3"}); len(plans) != 0 {
					t.Errorf("a refused plan file left plans: %+v", plans)
				}
				good := "period;region;service_code;target\n2026Q3;Астана қаласы;;10\n2026Q3;430000000;;1000\n"
				if resp, out := s.call("POST", "/api/v1/plans", "analyst", strings.NewReader(good)); resp.StatusCode != 200 || out["count"] != 2.0 {
					t.Errorf("plans: %d %v", resp.StatusCode, out)
				}
				if plans, _ := s.db.Plans(ctx, []string{"2026Q3"}); len(plans) != 2 {
					t.Errorf("plans stored: %+v", plans)
				}
				// An act registry for November, which has no records: it
				// changes no count of the quarter the other tests report on.
				acts := "act_number,record_ids,act_signed_at,act_confirmation\nN-1,NOV-1|NOV-2,2026-11-02T10:00:00+05:00,eds\n"
				if resp, out := s.call("POST", "/api/v1/acts", "analyst", strings.NewReader(acts)); resp.StatusCode != 200 || out["count"] != 1.0 || fmt.Sprint(out["months"]) != "[2026-11]" {
					t.Errorf("acts: %d %v", resp.StatusCode, out)
				}
				if resp, out := s.call("POST", "/api/v1/acts", "analyst", strings.NewReader(strings.Replace(acts, "eds", "fax", 1)), "Accept-Language", "en"); resp.StatusCode != 400 || out["code"] != "bad_request" {
					t.Errorf("an act confirmed by fax: %d %v", resp.StatusCode, out)
				}
				if resp, out := s.call("POST", "/api/v1/plans", "analyst", strings.NewReader("nothing,here\n1,2\n")); resp.StatusCode != 400 || out["code"] != "bad_request" {
					t.Errorf("a file without the columns: %d %v", resp.StatusCode, out)
				}
				// A file is not a JSON body: over the API's 1 MiB cap, under
				// the 32 MiB of an upload.
				note := strings.Repeat("n", 500<<10)
				big := "period,region_kato,target,note\n2026Q2,710000000,1," + note + "\n2026Q2,430000000,2," + note + "\n2026Q2,750000000,3," + note + "\n"
				if resp, out := s.call("POST", "/api/v1/plans", "analyst", strings.NewReader(big)); resp.StatusCode != 200 || out["count"] != 3.0 {
					t.Errorf("a 1.5 MB plan file: %d %.200v", resp.StatusCode, out)
				}
				huge := strings.NewReader("period,region_kato,target\n" + strings.Repeat("2026Q2,710000000,1\n", 33<<20/19))
				if resp, out := s.call("POST", "/api/v1/plans", "analyst", huge); resp.StatusCode != 413 || out["code"] != "too_large" {
					t.Errorf("a 33 MB plan file: %d %.200v", resp.StatusCode, out)
				}
			})

			t.Run("pages", func(t *testing.T) {
				analyst := s.cycleBrowser("analyst")
				code, _, body := analyst.get("/cycle?lang=en")
				for _, want := range []string{`id="cycle-table"`, `data-month="2026-10" class="overdue"`, `id="cycle-plans-form"`, "Monthly cycle"} {
					if code != 200 || !strings.Contains(body, want) {
						t.Errorf("cycle page: %d, no %s", code, want)
					}
				}
				// August came late, and its letter was never sent: the row is
				// marked overdue, and says both in words.
				_, aug, _ := strings.Cut(body, `data-month="2026-08"`)
				aug, _, _ = strings.Cut(aug, "</tr>")
				if !strings.HasPrefix(aug, ` class="overdue"`) || !strings.Contains(aug, ">late<") || !strings.Contains(aug, "not sent; was due") {
					t.Errorf("the August row: %s", aug)
				}
				if code, _, _ := analyst.get("/cycle?from=2026-13&to=2026-14"); code != 400 {
					t.Errorf("a bad range: %d", code)
				}
				jul := "/cycle" + s.letterPath("2026-07")
				code, _, body = analyst.get(jul)
				if code != 200 || !strings.Contains(body, `id="letter-items"`) || !strings.Contains(body, `id="letter-send-form"`) {
					t.Errorf("letter page: %d", code)
				}
				for ext, magic := range map[string]string{".pdf": "%PDF", ".xlsx": "PK\x03\x04"} {
					if code, _, b := analyst.get(jul + ext); code != 200 || !strings.HasPrefix(b, magic) {
						t.Errorf("letter %s: %d", ext, code)
					}
				}
				if code, _, _ := analyst.get("/cycle/letters/2026/999"); code != 404 {
					t.Errorf("a missing letter's page: %d", code)
				}
				// Sent and received on Monday 3 August 2026, in Kazakhstan.
				code, path, body := analyst.post(jul+"/send?lang=en", url.Values{"sent": {"2026-08-03T10:00"}, "received": {""}})
				if code != 200 || path != jul || !strings.Contains(body, `id="letter-notice"`) || !strings.Contains(body, "2026-08-06") || strings.Contains(body, `id="letter-send-form"`) {
					t.Errorf("sending from the page: %d at %s", code, path)
				}
				if code, _, body := analyst.post(jul+"/send?lang=en", url.Values{"sent": {"2026-08-03T10:00"}}); code != 409 || !strings.Contains(body, "already sent") {
					t.Errorf("sending twice from the page: %d", code)
				}
				code, _, body = analyst.upload("/cycle/plans?lang=en", "plans.csv", []byte("period,region_kato,target\n2026Q4,Марс,1\n"))
				if code != 400 || !strings.Contains(body, `id="cycle-error"`) || !strings.Contains(body, "Марс") {
					t.Errorf("a refused plan upload: %d", code)
				}
				if code, _, body := analyst.upload("/cycle/acts?lang=en", "acts.csv", bytes.Repeat([]byte("x"), 33<<20)); code != 413 || !strings.Contains(body, "too large") {
					t.Errorf("a 33 MB upload: %d", code)
				}
				code, path, body = analyst.upload("/cycle/plans?lang=en", "plans.csv", []byte("period,region_kato,target\n2026Q4,710000000,7\n"))
				if code != 200 || path != "/cycle" || !strings.Contains(body, `id="cycle-notice"`) {
					t.Errorf("a plan upload: %d at %s", code, path)
				}
				if plans, _ := s.db.Plans(ctx, []string{"2026Q4"}); len(plans) != 1 || plans[0].Target != 7 {
					t.Errorf("uploaded plans: %+v", plans)
				}

				ministry := s.cycleBrowser("ministry")
				for _, p := range []string{"/cycle", jul} {
					if code, _, _ := ministry.get(p); code != 403 {
						t.Errorf("ministry %s: %d", p, code)
					}
				}
				if code, _, _ := ministry.post(jul+"/send", nil); code != 403 {
					t.Errorf("ministry sends a letter: %d", code)
				}
				manager := s.cycleBrowser("manager")
				if code, _, body := manager.get("/cycle"); code != 200 || strings.Contains(body, `id="cycle-plans-form"`) {
					t.Errorf("a manager's cycle page: %d (forms shown: %v)", code, strings.Contains(body, "cycle-plans-form"))
				}
			})
		})
	}
}

// cycleRewriteRow copies a register, changing the first row change accepts.
func cycleRewriteRow(t *testing.T, from, to string, change func(map[string]string) bool) {
	t.Helper()
	in, err := os.ReadFile(from)
	if err != nil {
		t.Fatal(err)
	}
	rows, err := csv.NewReader(bytes.NewReader(in)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	done := false
	for _, row := range rows[1:] {
		m := map[string]string{}
		for i, h := range rows[0] {
			m[h] = row[i]
		}
		if !done && change(m) {
			done = true
			for i, h := range rows[0] {
				row[i] = m[h]
			}
		}
	}
	if !done {
		t.Fatal("no row to change")
	}
	var b bytes.Buffer
	csv.NewWriter(&b).WriteAll(rows)
	if err := os.WriteFile(to, b.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
}
