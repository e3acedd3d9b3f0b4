package browsertest

import (
	"bytes"
	"errors"
	"fmt"
	"image/png"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
)

func TestMain(m *testing.M) { RunMain(m) }

// pngSize decodes the PNG file at path and returns its size.
func pngSize(t *testing.T, path string) (w, h int) {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := png.DecodeConfig(bytes.NewReader(data))
	if err != nil {
		t.Fatalf("%s is not a PNG: %v", path, err)
	}
	return cfg.Width, cfg.Height
}

// TestForm fills every kind of field, Kazakh text included, chooses a file,
// submits, and checks what the server received and that Submit waited for
// the next page.
func TestForm(t *testing.T) {
	srv, got := testServer(t)
	t0 := time.Now()
	b := New(t, BaseURL(srv.URL))
	t.Logf("New: %v", time.Since(t0))
	t0 = time.Now()
	b.Navigate("/")
	t.Logf("Navigate: %v", time.Since(t0))

	if got := b.Text("#title"); got != "Harness page" {
		t.Errorf("Text(#title) = %q", got)
	}
	upload := filepath.Join(t.TempDir(), "upload.txt")
	if err := os.WriteFile(upload, []byte("hello, upload"), 0o644); err != nil {
		t.Fatal(err)
	}
	const name = "Әлия Қасымова-Ұлықбек"
	b.Fill("#name", "old value")
	b.Fill("#name", name) // replaces, not appends
	b.Fill("#note", "line one\nline two")
	b.Fill("#region", "astana")
	b.Fill("#day", "2025-03-21")
	b.UploadFile("#file", upload)
	b.WaitText("#chosen", "upload.txt") // the page saw the change event
	if got := b.Text("#name"); got != name {
		t.Errorf("Text(#name) = %q after Fill, want %q", got, name)
	}
	if got := b.Text("#region"); got != "Astana" {
		t.Errorf("Text(#region) = %q, want the selected option's label", got)
	}

	b.Submit("#send")
	// No wait here: Submit has waited for the redirect and the new page.
	if u := b.URL(); !strings.HasPrefix(u, srv.URL+"/done?") {
		t.Errorf("URL right after Submit = %s, want the page after the redirect", u)
	}
	if got, want := b.Text("#result"), "Thanks, "+name; got != want {
		t.Errorf("Text(#result) = %q, want %q", got, want)
	}
	select {
	case s := <-got:
		want := submission{
			name: name, note: "line one\r\nline two", region: "astana", day: "2025-03-21",
			action: "send", fileName: "upload.txt", fileBody: "hello, upload",
		}
		if s != want {
			t.Errorf("the server received\n%+v, want\n%+v", s, want)
		}
	default:
		t.Error("the server received no submission")
	}
	if errs := b.ConsoleErrors(); len(errs) > 0 {
		t.Errorf("console errors on clean pages: %q", errs)
	}
}

// TestClickNavigates: a click on a submit button loads the next page before
// Click returns.
func TestClickNavigates(t *testing.T) {
	srv, got := testServer(t)
	b := New(t, BaseURL(srv.URL))
	b.Navigate("/")
	b.Fill("#name", "Ann")
	b.Click("#send")
	if u := b.URL(); !strings.HasPrefix(u, srv.URL+"/done?") {
		t.Errorf("URL right after Click = %s, want the page after the redirect", u)
	}
	if s := <-got; s.name != "Ann" || s.action != "send" {
		t.Errorf("received %+v", s)
	}
}

// TestScriptedForm: a form that a script sends with fetch (as htmx does)
// loads no page; WaitText waits for the answer.
func TestScriptedForm(t *testing.T) {
	srv, _ := testServer(t)
	b := New(t, BaseURL(srv.URL))
	b.Navigate("/")
	b.Fill("#q", "сәлем")
	b.Submit("#ask")
	b.WaitText("#answer", "echo: сәлем")
	if u := b.URL(); u != srv.URL+"/" {
		t.Errorf("URL = %s, want the same page", u)
	}
}

// TestWaitText waits for a text that a script changes in steps.
func TestWaitText(t *testing.T) {
	srv, _ := testServer(t)
	b := New(t, BaseURL(srv.URL))
	b.Navigate("/")
	b.Click("#slow")
	b.WaitText("#status", "working")
	t0 := time.Now()
	b.WaitText("#status", "done")
	t.Logf("waited %v for the progress to end", time.Since(t0))
	if got := b.Text("#status"); got != "done" {
		t.Errorf("Text(#status) = %q", got)
	}
	b.WaitVisible("#title")
}

// TestCookies reads the attributes that scripts cannot see, and checks that
// two Browsers share no cookies.
func TestCookies(t *testing.T) {
	srv, _ := testServer(t)
	b := New(t, BaseURL(srv.URL))
	other := New(t, BaseURL(srv.URL))
	b.Navigate("/")

	byName := map[string]*network.Cookie{}
	for _, c := range b.Cookies() {
		byName[c.Name] = c
	}
	if c := byName["session"]; c == nil || c.Value != "s3cr3t" || !c.HTTPOnly || c.SameSite != network.CookieSameSiteStrict {
		t.Errorf("session cookie = %+v, want s3cr3t, HttpOnly, SameSite=Strict", c)
	}
	if c := byName["theme"]; c == nil || c.HTTPOnly || c.SameSite != network.CookieSameSiteLax {
		t.Errorf("theme cookie = %+v, want not HttpOnly, SameSite=Lax", c)
	}
	if js := Get(b, chromedp.Evaluate[string]("document.cookie")); js != "theme=dark" {
		t.Errorf("document.cookie = %q, want only the cookie that is not HttpOnly", js)
	}
	if c := other.Cookies(); len(c) != 0 {
		t.Errorf("another Browser has cookies: %+v", c)
	}
}

// TestConsoleErrors collects every kind of error that a page reports, and
// none of its other console messages.
func TestConsoleErrors(t *testing.T) {
	srv, _ := testServer(t)
	b := New(t, BaseURL(srv.URL))
	b.Navigate("/console")
	b.WaitText("#ready", "yes") // after the late exception
	errs := b.ConsoleErrors()
	all := strings.Join(errs, "\n")
	t.Logf("console errors:\n%s", all)
	if len(errs) != 4 {
		t.Errorf("got %d console errors, want 4", len(errs))
	}
	mustContain(t, "the console errors", all,
		`console.error: boom {code: 7} (`+srv.URL+`/console:`,
		"exception: Uncaught Error: late failure ("+srv.URL+"/console:",
		"exception: Uncaught (in promise) Error: rejected",
		"network: Failed to load resource: the server responded with a status of 404 (Not Found) ("+srv.URL+"/missing.png)",
	)
	if strings.Contains(all, "not an error") {
		t.Error("ConsoleErrors has a log or a warning")
	}
}

// TestScreenshot: a PNG of the viewport's width and the page's height.
func TestScreenshot(t *testing.T) {
	srv, _ := testServer(t)
	b := New(t, BaseURL(srv.URL), Viewport(800, 600))
	b.Navigate("/")
	dir := t.TempDir()
	short := filepath.Join(dir, "short.png")
	b.Screenshot(short)
	if w, h := pngSize(t, short); w != 800 || h != 600 {
		t.Errorf("screenshot of a short page is %d×%d, want the viewport, 800×600", w, h)
	}
	b.Navigate("/tall")
	tall := filepath.Join(dir, "sub", "tall.png") // the directory is made
	b.Screenshot(tall)
	if w, h := pngSize(t, tall); w != 800 || h != 3000 {
		t.Errorf("screenshot of a tall page is %d×%d, want the whole page, 800×3000", w, h)
	}
}

// TestPhone: a phone-sized viewport, from the start or set later, is what
// the page and its media queries see.
func TestPhone(t *testing.T) {
	srv, _ := testServer(t)
	phone := New(t, BaseURL(srv.URL), Viewport(390, 844))
	phone.Navigate("/")
	if got := phone.Text("#size"); got != "390x844" {
		t.Errorf("the page sees a %s window, want 390x844", got)
	}
	path := filepath.Join(t.TempDir(), "phone.png")
	phone.Screenshot(path)
	if w, _ := pngSize(t, path); w != 390 {
		t.Errorf("phone screenshot is %d wide", w)
	}

	b := New(t, BaseURL(srv.URL))
	b.Navigate("/")
	wideShown := `getComputedStyle(document.getElementById("wide")).display !== "none"`
	if !Get(b, chromedp.Evaluate[bool](wideShown)) {
		t.Error("at 1280 px the wide-only paragraph is hidden")
	}
	b.SetViewport(390, 844)
	if Get(b, chromedp.Evaluate[bool](wideShown)) {
		t.Error("after SetViewport(390, 844) the wide-only paragraph is shown")
	}
	if w := Get(b, chromedp.Evaluate[int]("innerWidth")); w != 390 {
		t.Errorf("innerWidth = %d after SetViewport", w)
	}
}

// TestLanguage: the Accept-Language header, navigator.language and Intl.
func TestLanguage(t *testing.T) {
	srv, _ := testServer(t)
	for _, tc := range []struct {
		opts                 []Option
		header, nav, january string
	}{
		{nil, "en-US,en;q=0.9", "en-US", "january"},
		{[]Option{Language("ru")}, "ru", "ru", "январ"},
		// Intl has no Kazakh month names in Debian's Chromium.
		{[]Option{Language("kk", "ru")}, "kk,ru;q=0.9", "kk", ""},
	} {
		b := New(t, append(tc.opts, BaseURL(srv.URL))...)
		b.Navigate("/lang")
		header, nav, date := b.Text("#header"), b.Text("#nav"), b.Text("#date")
		if header != tc.header || nav != tc.nav || !strings.Contains(strings.ToLower(date), tc.january) {
			t.Errorf("%v: Accept-Language %q, navigator.language %q, January %q; want %q, %q, %q",
				tc.opts, header, nav, date, tc.header, tc.nav, tc.january)
		}
	}
}

// TestFailures checks what a failing method tells: what it waited for,
// what it saw last, the page, and a screenshot.
func TestFailures(t *testing.T) {
	srv, _ := testServer(t)
	rec := &recorder{T: t}
	b := New(rec, BaseURL(srv.URL), Timeout(400*time.Millisecond))
	b.Navigate("/")

	t0 := time.Now()
	b.WaitText("#status", "never")
	msg := rec.only(t)
	if d := time.Since(t0); d > 5*time.Second {
		t.Errorf("a failed wait took %v with a timeout of 400ms", d)
	}
	mustContain(t, "the failure", msg,
		`WaitText("#status", "never")`, "context deadline exceeded", "gave up after 400ms",
		`its text is "idle"`, "page: "+srv.URL+`/ (title "Harness")`, "screenshot: ")
	shot := msg[strings.Index(msg, "screenshot: ")+len("screenshot: "):]
	shot, _, _ = strings.Cut(shot, " (")
	if w, h := pngSize(t, shot); w != 1280 || h != 800 {
		t.Errorf("failure screenshot is %d×%d", w, h)
	}

	b.Click("#nope")
	mustContain(t, "the failure", rec.only(t), `Click("#nope")`, `no element matches "#nope"`)

	b.WaitVisible("#hidden")
	mustContain(t, "the failure", rec.only(t), `"#hidden" matches 1 element(s); the first is hidden`)

	t0 = time.Now()
	b.Text("#[bad")
	mustContain(t, "the failure", rec.only(t), "is not a valid selector")
	if d := time.Since(t0); d > 300*time.Millisecond {
		t.Errorf("an invalid selector failed after %v, not at once", d)
	}

	b.Submit("#send") // #name is required and empty
	mustContain(t, "the failure", rec.only(t), "refuses to submit the form, as invalid: name: ")

	b.Fill("#title", "x")
	mustContain(t, "the failure", rec.only(t), "<h1> is not an input, a textarea or a select")
	b.Fill("#region", "nowhere")
	mustContain(t, "the failure", rec.only(t), `no option with the value "nowhere"`)
	b.UploadFile("#file", filepath.Join(t.TempDir(), "missing.txt"))
	mustContain(t, "the failure", rec.only(t), "no such file")

	closed := httptest.NewServer(http.NotFoundHandler())
	closed.Close()
	b.Navigate(closed.URL)
	mustContain(t, "the failure", rec.only(t), "Navigate("+closed.URL+")", "ERR_CONNECTION_REFUSED")

	noBase := New(rec)
	noBase.Navigate("/relative")
	mustContain(t, "the failure", rec.only(t), "is relative, and the Browser has no BaseURL")

	New(rec, BaseURL("not/absolute"))
	mustContain(t, "the failure", rec.only(t), "is not an absolute URL")
}

// fakeTB records what New does to a test when there is no browser.
type fakeTB struct {
	testing.TB
	skipped, failed string
}

func (f *fakeTB) Helper()                           {}
func (f *fakeTB) Skipf(format string, args ...any)  { f.skipped = fmt.Sprintf(format, args...) }
func (f *fakeTB) Fatalf(format string, args ...any) { f.failed = fmt.Sprintf(format, args...) }

func TestNoBrowser(t *testing.T) {
	var banner strings.Builder
	bannerOut, bannerOnce = &banner, sync.Once{}
	defer func() { bannerOut, bannerOnce = os.Stderr, sync.Once{} }()

	t.Setenv(envChromium, "/nonexistent/chromium")
	if _, err := Chrome(); !errors.Is(err, ErrNotFound) || !strings.Contains(err.Error(), "/nonexistent/chromium") {
		t.Errorf("Chrome() with %s=/nonexistent/chromium: %v, want ErrNotFound naming it", envChromium, err)
	}
	for _, tc := range []struct {
		env  string
		fail bool
	}{{"", false}, {"0", false}, {"false", false}, {"1", true}, {"true", true}, {"yes", true}} {
		t.Setenv(envRequire, tc.env)
		var tb fakeTB
		if b := New(&tb); b != nil {
			t.Errorf("%s=%q: New returned a Browser", envRequire, tc.env)
		}
		if tc.fail && (tb.failed == "" || tb.skipped != "") || !tc.fail && (tb.skipped == "" || tb.failed != "") {
			t.Errorf("%s=%q: skipped %q, failed %q; want fail=%v", envRequire, tc.env, tb.skipped, tb.failed, tc.fail)
		}
		mustContain(t, "the message", tb.skipped+tb.failed, "Chromium not found (", "/nonexistent/chromium")
		if !tc.fail {
			mustContain(t, "the skip", tb.skipped, "browser tests skipped")
		}
	}
	if got := banner.String(); strings.Count(got, "SKIPPED") != 1 {
		t.Errorf("banner printed %d times, want once:\n%s", strings.Count(got, "SKIPPED"), got)
	}

	// Without ESEP_CHROMIUM, the candidates in turn.
	t.Setenv(envChromium, "")
	saved := candidates
	defer func() { candidates = saved }()
	candidates = []string{"/nonexistent/a", "esep-no-such-browser"}
	if _, err := Chrome(); !errors.Is(err, ErrNotFound) || !strings.Contains(err.Error(), "esep-no-such-browser") {
		t.Errorf("Chrome() with no candidate installed: %v", err)
	}
	sh, _ := filepath.Abs("/bin/sh")
	candidates = []string{"/nonexistent/a", sh}
	if p, err := Chrome(); p != sh || err != nil {
		t.Errorf("Chrome() = %q, %v; want the first candidate that exists, %s", p, err, sh)
	}
}

// TestOwnBrowser: without RunMain each New starts a browser, and stops it,
// its helpers and its profile with the test.
func TestOwnBrowser(t *testing.T) {
	if _, err := Chrome(); err != nil {
		unavailable(t, err)
	}
	srv, _ := testServer(t)
	sharing.Store(false)
	defer sharing.Store(true)
	var pid int
	var dataDir string
	t.Run("test", func(t *testing.T) {
		t0 := time.Now()
		b := New(t, BaseURL(srv.URL))
		t.Logf("New with its own browser: %v", time.Since(t0))
		pid = b.proc.pid
		dataDir = userDataDir(t, pid)
		b.Navigate("/")
		if b.Text("#title") == "" {
			t.Error("no title")
		}
	})
	if pid == 0 || dataDir == "" {
		t.Fatalf("no browser process (pid %d, profile %q)", pid, dataDir)
	}
	if err := syscall.Kill(pid, 0); !errors.Is(err, syscall.ESRCH) {
		t.Errorf("the browser (pid %d) outlived its test: %v", pid, err)
	}
	if left := processesUsing(t, dataDir); len(left) > 0 {
		t.Errorf("processes of the browser outlived it: %v", left)
	}
	if _, err := os.Stat(dataDir); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("the profile %s outlived the browser: %v", dataDir, err)
	}
}

// userDataDir returns the --user-data-dir of the process pid.
func userDataDir(t *testing.T, pid int) string {
	t.Helper()
	cmdline, err := os.ReadFile(fmt.Sprintf("/proc/%d/cmdline", pid))
	if err != nil {
		t.Skipf("cannot read the command line of the browser: %v", err)
	}
	for arg := range strings.SplitSeq(string(cmdline), "\x00") {
		if dir, ok := strings.CutPrefix(arg, "--user-data-dir="); ok {
			return dir
		}
	}
	return ""
}

// processesUsing lists the live processes started with the profile dir.
func processesUsing(t *testing.T, dir string) []string {
	t.Helper()
	entries, err := os.ReadDir("/proc")
	if err != nil {
		t.Skipf("no /proc: %v", err)
	}
	var found []string
	for _, e := range entries {
		cmdline, err := os.ReadFile(filepath.Join("/proc", e.Name(), "cmdline"))
		if err != nil || !bytes.Contains(cmdline, []byte("--user-data-dir="+dir)) {
			continue
		}
		if stat, err := os.ReadFile(filepath.Join("/proc", e.Name(), "stat")); err == nil && bytes.Contains(stat, []byte(") Z ")) {
			continue // a zombie: it has ended, and init reaps it
		}
		found = append(found, e.Name()+": "+strings.ReplaceAll(string(cmdline), "\x00", " "))
	}
	return found
}

// TestParallel: tests that share the browser may run in parallel, each in
// its own browser context.
func TestParallel(t *testing.T) {
	srv, _ := testServer(t)
	for i := range 3 {
		t.Run(fmt.Sprint(i), func(t *testing.T) {
			t.Parallel()
			b := New(t, BaseURL(srv.URL))
			// From the server: a cookie set by a script reaches the
			// browser's cookie store a moment later, so Cookies could
			// miss it.
			b.Navigate(fmt.Sprintf("/cookie/%d", i))
			var names []string
			for _, c := range b.Cookies() {
				if c.Name == "mine" {
					names = append(names, c.Value)
				}
			}
			if !slices.Equal(names, []string{fmt.Sprint(i)}) {
				t.Errorf("cookie values %q, want only %d", names, i)
			}
		})
	}
}

func TestDocScreenshot(t *testing.T) {
	srv, _ := testServer(t)
	root := t.TempDir()
	if err := os.WriteFile(filepath.Join(root, "go.mod"), []byte("module x\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	pkg := filepath.Join(root, "internal", "web")
	if err := os.MkdirAll(pkg, 0o755); err != nil {
		t.Fatal(err)
	}
	t.Chdir(pkg)
	b := New(t, BaseURL(srv.URL), Viewport(640, 480))
	b.Navigate("/")

	t.Setenv(envWriteDocs, "")
	b.DocScreenshot("web-home")
	if _, err := os.Stat(filepath.Join(root, "docs")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("DocScreenshot wrote without %s=1: %v", envWriteDocs, err)
	}
	t.Setenv(envWriteDocs, "1")
	b.DocScreenshot("web-home")
	if w, h := pngSize(t, filepath.Join(root, "docs", "web-home.png")); w != 640 || h != 480 {
		t.Errorf("docs/web-home.png is %d×%d", w, h)
	}

	rec := &recorder{T: t}
	bad := New(rec, BaseURL(srv.URL))
	bad.DocScreenshot("../escape")
	mustContain(t, "the failure", rec.only(t), "is not a plain file name")
}

func TestModuleRoot(t *testing.T) {
	root := t.TempDir()
	deep := filepath.Join(root, "a", "b")
	if err := os.MkdirAll(deep, 0o755); err != nil {
		t.Fatal(err)
	}
	if _, err := moduleRoot(deep); err == nil {
		t.Error("moduleRoot found a go.mod where there is none")
	}
	if err := os.WriteFile(filepath.Join(root, "go.mod"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if got, err := moduleRoot(deep); got != root || err != nil {
		t.Errorf("moduleRoot(%s) = %q, %v; want %s", deep, got, err, root)
	}
}

func TestTailWriter(t *testing.T) {
	w := &tailWriter{limit: 5}
	fmt.Fprint(w, "abc")
	fmt.Fprint(w, "defg")
	if got := w.String(); got != "cdefg" {
		t.Errorf("tail = %q, want the last 5 bytes", got)
	}
}

// BenchmarkNewNavigate measures what a test pays for a Browser on the
// shared browser, and a navigation to a local page:
//
//	go test -run '^$' -bench . ./internal/browsertest/
func BenchmarkNewNavigate(b *testing.B) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, "<!doctype html><title>x</title><p id=p>hello</p>")
	}))
	defer srv.Close()
	New(b) // start the shared browser outside the measurement
	var open, nav time.Duration
	for b.Loop() {
		t0 := time.Now()
		br := New(b)
		t1 := time.Now()
		br.Navigate(srv.URL)
		br.WaitText("#p", "hello")
		nav += time.Since(t1)
		open += t1.Sub(t0)
	}
	b.ReportMetric(float64(open.Milliseconds())/float64(b.N), "ms/New")
	b.ReportMetric(float64(nav.Microseconds())/1000/float64(b.N), "ms/Navigate")
}

// TestSweepProfiles: the profiles of test processes that are gone are
// deleted; those of live ones are kept.
func TestSweepProfiles(t *testing.T) {
	tmp := t.TempDir()
	t.Setenv("TMPDIR", tmp)
	gone := exec.Command("true")
	if err := gone.Run(); err != nil {
		t.Skipf("cannot run true: %v", err)
	}
	dirs := map[string]bool{ // name: kept
		fmt.Sprintf("%s%d-1", profilePrefix, gone.Process.Pid): false,
		fmt.Sprintf("%s%d-2", profilePrefix, os.Getpid()):      true,
		profilePrefix + "1-3":                                  true, // init lives
		profilePrefix + "x-4":                                  true, // not ours
		"chromedp-runner5":                                     true,
	}
	for d := range dirs {
		if err := os.MkdirAll(filepath.Join(tmp, d, "Default"), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	sweepProfiles()
	for d, kept := range dirs {
		_, err := os.Stat(filepath.Join(tmp, d))
		if kept != (err == nil) {
			t.Errorf("%s: kept %v, want %v", d, err == nil, kept)
		}
	}
}

// TestBrowserCrash: a Browser whose browser died says so, and the next New
// gets a new shared browser.
func TestBrowserCrash(t *testing.T) {
	srv, _ := testServer(t)
	rec := &recorder{T: t}
	b := New(rec, BaseURL(srv.URL))
	b.Navigate("/")
	crashed := b.proc
	if err := syscall.Kill(crashed.pid, syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	select {
	case <-b.Ctx().Done():
	case <-time.After(10 * time.Second):
		t.Fatal("the tab lives on after its browser was killed")
	}
	b.Navigate("/")
	mustContain(t, "the failure", rec.only(t), "the browser is gone")

	again := New(t, BaseURL(srv.URL))
	if again.proc == crashed {
		t.Error("New reused the dead browser")
	}
	again.Navigate("/")
	again.WaitText("#title", "Harness")
	if _, err := os.Stat(crashed.profile); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("the dead browser's profile is still there: %v", err)
	}
}
