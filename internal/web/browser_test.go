package web_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"esep/internal/browsertest"
	"esep/internal/demo"
	"esep/internal/demo/seed"
	"esep/internal/kz"
	"esep/internal/monitor"
	"esep/internal/store/storetest"
	"esep/internal/web"
)

// demoSite is esep serving a demo year, as `esep serve --demo` does, with a
// user of every role.
func demoSite(t *testing.T) (*httptest.Server, *site) {
	t.Helper()
	s := newSite(t, storetest.Engines()[0])
	c := &monitor.Cycle{DB: s.db, Calendar: kz.DefaultCalendar()}
	// newSite loaded a history file; the demo year goes beside it.
	if _, err := seed.Run(context.Background(), c, seed.Options{RowsPerMonth: 150, Today: monitor.Today(), By: "demo", Force: true}); err != nil {
		t.Fatal(err)
	}
	// Every subtest signs in from 127.0.0.1: more than the default ten a
	// minute from one address.
	w, err := web.New(s.db, kz.DefaultCalendar(), slog.New(slog.NewTextHandler(io.Discard, nil)), web.Config{LoginsPerMinute: 1000})
	if err != nil {
		t.Fatal(err)
	}
	if err := w.LoadIndicators(context.Background()); err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(w.Handler())
	t.Cleanup(srv.Close)
	return srv, s
}

func signIn(t *testing.T, b *browsertest.Browser, base, login string) {
	t.Helper()
	b.Navigate(base + "/login")
	b.Fill("#login", login)
	b.Fill("#password", password)
	b.Submit("#login-form")
	if strings.Contains(b.URL(), "/login") {
		t.Fatalf("%s: still on the login page: %s", login, b.Text("main"))
	}
}

// TestBrowser walks the main paths of every role in a real Chromium.
func TestBrowser(t *testing.T) {
	srv, s := demoSite(t)
	base := srv.URL

	t.Run("every role signs in and sees what it may", func(t *testing.T) {
		for _, tt := range []struct {
			login       string
			sees, hides []string
		}{
			{"analyst", []string{`a[href="/register"]`, `a[href="/cycle"]`, `a[href="/reports"]`}, []string{`a[href="/import"]`, `a[href="/admin"]`}},
			{"manager", []string{`a[href="/register"]`, `a[href="/import"]`}, []string{`a[href="/reports"]`, `a[href="/admin"]`}},
			{"agent", []string{`a[href="/register"]`}, []string{`a[href="/import"]`, `a[href="/cycle"]`}},
			{"ministry", []string{`a[href="/reports"]`}, []string{`a[href="/register"]`, `a[href="/import"]`}},
			{"admin", []string{`a[href="/admin"]`}, []string{`a[href="/import"]`}},
		} {
			b := browsertest.New(t, browsertest.Language("kk"))
			signIn(t, b, base, tt.login)
			for _, sel := range tt.sees {
				if !exists(b, sel) {
					t.Errorf("%s does not see %s", tt.login, sel)
				}
			}
			for _, sel := range tt.hides {
				if exists(b, sel) {
					t.Errorf("%s sees %s", tt.login, sel)
				}
			}
			for _, c := range b.Cookies() {
				if c.Name == "esep_session" && (!c.HTTPOnly || c.SameSite != "Lax") {
					t.Errorf("session cookie flags: %+v", c)
				}
			}
			if errs := b.ConsoleErrors(); len(errs) > 0 {
				t.Errorf("%s: console errors: %v", tt.login, errs)
			}
		}
	})

	t.Run("find a record, correct it, see the history", func(t *testing.T) {
		b := browsertest.New(t, browsertest.Language("kk"))
		signIn(t, b, base, "manager")
		// A regional manager's dashboard counts her region only.
		today := monitor.Today()
		_, ind := s.call("GET", fmt.Sprintf("/api/v1/indicators?from=%d-01-01&to=%s", today.Year(), today.Format("2006-01-02")), "analyst", nil)
		want := 0
		for _, row := range ind["services_by_region_service"].([]any) {
			if m := row.(map[string]any); m["region"] == "430000000" {
				want += int(m["count"].(float64))
			}
		}
		if got := strings.ReplaceAll(b.Text("#fig-services"), "\u202f", ""); got != strconv.Itoa(want) || want == 0 {
			t.Errorf("the manager's dashboard shows %q services, her region has %d", got, want)
		}
		if rows := browsertest.Get(b, evalInt(`document.querySelectorAll("table.bars tbody tr").length`)); rows == 0 {
			t.Error("no chart rows")
		}
		b.DocScreenshot("page-dashboard")
		b.Navigate(base + "/register")
		b.DocScreenshot("page-register")
		id := firstRecord(t, s, "manager", "430000000")
		b.Fill("#register-q", id)
		b.Submit("#register-filter")
		b.WaitText("#register-table", id)
		b.Click(`#register-table a[href="/register/` + id + `"]`)
		b.WaitText("#record-id", id)
		if strings.Contains(b.Text("#record-client"), "*") {
			t.Error("the manager's own record is masked")
		}
		if b.Text("#record-counts") == "" {
			t.Error("the record page does not say whether the record counts")
		}
		b.DocScreenshot("page-record")
		b.Click("#record-edit")
		b.Fill("#f-service_place", "ЦОП Қызылорда, 2-қабат")
		b.Submit("#edit-form")
		b.WaitText("#record-history", "service_place")
		if !strings.Contains(b.Text("#record-history"), "ЦОП Қызылорда, 2-қабат") {
			t.Errorf("history: %s", b.Text("#record-history"))
		}
	})

	t.Run("generate a report, edit, send and download it", func(t *testing.T) {
		b := browsertest.New(t, browsertest.Language("kk"))
		signIn(t, b, base, "analyst")
		b.Navigate(base + "/cycle")
		b.WaitVisible("#cycle-table")
		b.DocScreenshot("page-cycle")
		b.Navigate(base + "/reports")
		b.DocScreenshot("page-reports")
		today := monitor.Today()
		q := (int(today.Month())-1)/3 + 1
		period := fmt.Sprintf("%dQ%d", today.Year(), q)
		b.Fill("#reports-period", period)
		b.Submit("#reports-pick")
		b.WaitVisible("#report-intro")
		b.Submit("#report-save")
		b.WaitVisible("#report-edit")
		b.Fill("#report-edit textarea", "Талдаушының қорытындысы.")
		b.Submit("#report-edit")
		b.WaitVisible("#report-edit")
		if v := browsertest.Get(b, chromedp.Evaluate[string](`document.querySelector("#report-edit textarea").value`)); v != "Талдаушының қорытындысы." {
			t.Errorf("the edited conclusion reads %q", v)
		}
		b.DocScreenshot("page-report")
		b.Click("#report-send-confirm")
		b.Submit("#report-send-form")
		b.WaitText("#report-conclusion-list", "Талдаушының қорытындысы.")
		if exists(b, "#report-edit") {
			t.Error("a sent report can still be edited")
		}
		// Download the PDF as the browser would, with its cookie.
		head := browsertest.Get(b, chromedp.Evaluate[string](`fetch(document.querySelector("#report-pdf").href).then(r => r.arrayBuffer()).then(b => new TextDecoder("latin1").decode(new Uint8Array(b).slice(0, 5)) + " " + b.byteLength)`, chromedp.EvalAwaitPromise))
		if !strings.HasPrefix(head, "%PDF-") || len(head) < 10 {
			t.Errorf("the downloaded report: %q", head)
		}
	})

	t.Run("import a file and watch the progress reach the end", func(t *testing.T) {
		file := filepath.Join(t.TempDir(), "register.csv")
		f, err := os.Create(file)
		if err != nil {
			t.Fatal(err)
		}
		// Kyzylorda's rows only: a regional manager may not write elsewhere.
		err = demo.WriteCSV(&regionFilter{w: f, region: "430000000"}, demo.Options{Rows: 6000, Seed: 9, IDPrefix: "WEB",
			From: time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC), To: time.Date(2026, 3, 31, 0, 0, 0, 0, time.UTC)})
		f.Close()
		if err != nil {
			t.Fatal(err)
		}
		b := browsertest.New(t, browsertest.Language("kk"))
		signIn(t, b, base, "manager")
		b.Navigate(base + "/import")
		b.DocScreenshot("page-import")
		b.UploadFile("#import-file", file)
		b.Submit("#import-form")
		b.WaitVisible("#import-progress")
		b.WaitVisible("#import-summary")
		if !exists(b, "#import-problems") {
			t.Error("no problem list to download")
		}
		b.DocScreenshot("page-import-done")
		raw, _ := os.ReadFile(file)
		rows := bytes.Count(raw, []byte("\n")) - 1
		if got := strings.ReplaceAll(b.Text("#import-rows"), "\u202f", ""); !strings.Contains(got, strconv.Itoa(rows)) || rows < 100 {
			t.Errorf("the summary reads %q rows, the file has %d", got, rows)
		}
	})

	t.Run("switch language", func(t *testing.T) {
		b := browsertest.New(t, browsertest.Language("kk"))
		signIn(t, b, base, "analyst")
		for lang, title := range map[string]string{"ru": "Обзор", "en": "Dashboard", "kk": "Басты бет"} {
			b.Click(`.langs a[data-lang="` + lang + `"]`)
			b.WaitText("h1", title)
		}
	})

	t.Run("on a phone", func(t *testing.T) {
		b := browsertest.New(t, browsertest.Viewport(390, 844), browsertest.Language("kk"))
		signIn(t, b, base, "manager")
		b.Navigate(base + "/register")
		b.WaitVisible("#register-table")
		width := browsertest.Get(b, evalInt(`document.documentElement.scrollWidth`))
		if width > 420 {
			t.Errorf("the register page is %d px wide on a 390 px phone", width)
		}
	})

	t.Run("the ministry cannot open the register", func(t *testing.T) {
		b := browsertest.New(t, browsertest.Language("kk"))
		signIn(t, b, base, "ministry")
		b.Navigate(base + "/register")
		b.WaitText("main", "")
		if !strings.Contains(b.Text("h1"), "Рұқсат жоқ") {
			t.Errorf("ministry on /register: %q", b.Text("h1"))
		}
	})

}

// regionFilter passes the header and the CSV lines of one region.
type regionFilter struct {
	w      io.Writer
	region string
	header bool
	buf    []byte
}

func (f *regionFilter) Write(p []byte) (int, error) {
	f.buf = append(f.buf, p...)
	for {
		i := bytes.IndexByte(f.buf, '\n')
		if i < 0 {
			return len(p), nil
		}
		line := f.buf[:i+1]
		if !f.header || bytes.Contains(line, []byte(","+f.region+",")) {
			f.header = true
			if _, err := f.w.Write(line); err != nil {
				return 0, err
			}
		}
		f.buf = f.buf[i+1:]
	}
}

func exists(b *browsertest.Browser, sel string) bool {
	return browsertest.Get(b, chromedp.Evaluate[bool](`document.querySelector(`+strconv.Quote(sel)+`) !== null`))
}

func evalInt(expr string) chromedp.Action[int] { return chromedp.Evaluate[int](expr) }
