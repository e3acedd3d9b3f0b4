// Package browsertest drives a real headless Chromium from tests, through
// chromedp, for end-to-end tests of the web application.
//
// A test starts a server (httptest, or the real binary on port :0) and
// drives it like a user:
//
//	func TestMain(m *testing.M) { browsertest.RunMain(m) } // optional: one browser for the package
//
//	func TestLogin(t *testing.T) {
//		srv := httptest.NewServer(handler)
//		defer srv.Close()
//		b := browsertest.New(t, browsertest.BaseURL(srv.URL), browsertest.Language("kk"))
//		b.Navigate("/login")
//		b.Fill("#email", "a@example.kz")
//		b.Submit("form")
//		b.WaitText("h1", "Басты бет")
//		if errs := b.ConsoleErrors(); len(errs) > 0 {
//			t.Errorf("console errors: %q", errs)
//		}
//	}
//
// Every method waits for what it needs (an element to appear, a page to load)
// but never longer than the timeout of the Browser (15 s by default), and a
// method that fails ends the test with t.Fatal and a message that says what
// it waited for, what it saw last, the page's URL and title, the console
// errors so far, and where a screenshot of the page was saved (in
// t.ArtifactDir, kept by go test -artifacts). The methods must therefore be
// called from the test's goroutine, like t.Fatal.
//
// Selectors are CSS selectors, matched with document.querySelector: the
// first match counts.
//
// # Reading the page after an action
//
// Click and Submit wait for the page load that they start (a link, a form
// without a script that cancels it). They cannot wait for what a script does
// later (a fetch, an htmx swap, a timer), so after such an action wait for
// its visible outcome with WaitText or WaitVisible, never with a sleep, and
// do not read it with Text, which returns what is there now.
//
// # One browser, a fresh profile per test
//
// Without RunMain, New starts a browser for the test and stops it when the
// test ends (about 0.6 s of start-up). With RunMain in TestMain, the tests of
// the package share one browser, started on first use and stopped after the
// tests; then a New costs about 0.15 s. Either way each Browser is a new tab
// in a new browser context (like a new incognito profile), so cookies,
// storage and cache never leak between tests, and tests may run in parallel.
// pgtest.RunMain also ends in os.Exit, so a package that needs both can call
// only one of them: without browsertest.RunMain the tests simply run slower.
//
// # Environment
//
//   - ESEP_CHROMIUM=/path/to/chrome: the browser to run, instead of the first
//     of /usr/bin/chromium, chromium, chromium-browser, google-chrome and
//     google-chrome-stable in $PATH.
//   - ESEP_REQUIRE_TOOLS=1: a missing browser fails the tests instead of
//     skipping them. CI sets it, so the suite cannot pass there without
//     having run them.
//   - ESEP_WRITE_DOCS=1: DocScreenshot writes docs/<name>.png.
//
// Chromium runs headless, without the sandbox (the tests run as root in CI,
// where the sandbox cannot start), without GPU, and with its background
// networking (updates, sync, QUIC, field trials) turned off: on a machine
// with a closed network those connections are refused, which only adds noise
// and delay. Its profile is a fresh directory $TMPDIR/esep-browsertest-PID-*,
// removed when the browser stops, together with any Chromium process that
// still uses it; one that a killed test binary (a -timeout, a ^C) left
// behind is removed by the next start. On Linux the kernel kills the
// browser when the test binary dies (chromedp sets a parent-death signal).
package browsertest

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/cdproto/storage"
	"github.com/chromedp/chromedp"
)

// DefaultTimeout bounds each method of a Browser unless the Timeout option
// says otherwise. It is generous because a loaded CI machine can be several
// times slower than a laptop, and a wait that succeeds returns at once.
const DefaultTimeout = 15 * time.Second

// The default viewport: a common laptop screen, so that a screenshot shows
// the desktop layout.
const (
	defaultWidth  = 1280
	defaultHeight = 800
)

// pollInterval is how often the waits look at the page again. Each look is
// one round trip to the browser (well under a millisecond locally).
const pollInterval = 25 * time.Millisecond

// diagTimeout bounds each step of the diagnosis that a failure collects,
// so that a hung page cannot hide the failure itself.
const diagTimeout = 3 * time.Second

// maxScreenshotHeight caps a full-page screenshot at 20 screens: a runaway
// page (an endless list) would otherwise make an image of hundreds of
// megabytes, and its top says enough.
const maxScreenshotHeight = 16000

// Option configures a Browser made by New.
type Option func(*config)

type config struct {
	width, height int
	language      string
	timeout       time.Duration
	baseURL       *url.URL
	baseErr       error
}

// Viewport sets the size of the page's viewport in CSS pixels (the default
// is 1280×800). The device scale factor is 1, so a screenshot has exactly
// this width. SetViewport changes it later.
func Viewport(width, height int) Option {
	return func(c *config) { c.width, c.height = width, height }
}

// Language makes the browser prefer the given languages, best first, such
// as Language("kk", "ru"): it sets the Accept-Language header of every
// request (the browser adds the q-values: "kk,ru;q=0.9"),
// navigator.language(s), and the locale of Intl in the page to the first.
// Without this option the browser asks for en-US, on every machine alike.
//
// Intl in Chromium may lack a locale's data: Debian's Chromium 148 formats
// a date in "kk" as "M01", where "ru" gives "январь".
func Language(tags ...string) Option {
	return func(c *config) { c.language = strings.Join(tags, ",") }
}

// Timeout bounds each method of the Browser instead of DefaultTimeout.
func Timeout(d time.Duration) Option {
	return func(c *config) { c.timeout = d }
}

// BaseURL makes Navigate resolve a relative URL, such as "/login", against
// base (typically the test server's URL).
func BaseURL(base string) Option {
	return func(c *config) {
		c.baseURL, c.baseErr = url.Parse(base)
		if c.baseErr == nil && !c.baseURL.IsAbs() {
			c.baseErr = fmt.Errorf("%q is not an absolute URL", base)
		}
	}
}

// Browser is one tab of a headless Chromium, in a browser context of its own,
// bound to a test. Its methods run with a timeout each and end the test on
// failure; see the package documentation.
type Browser struct {
	tb      testing.TB
	ctx     context.Context // the tab: no deadline of its own
	proc    *process
	cfg     config
	console *consoleLog

	mu    sync.Mutex
	shots int // failure screenshots taken, to name the next one
}

// New opens a fresh tab for the test, in a new browser context (no cookies,
// no storage), and closes it when the test ends. The browser itself is
// shared by the package's tests under RunMain, else started for this test
// and stopped with it.
//
// If no browser is installed New skips the test, loudly (see Chrome), or
// fails it under ESEP_REQUIRE_TOOLS=1. A browser that is installed but does
// not start always fails the test: that is a broken machine, not a missing
// tool.
func New(tb testing.TB, opts ...Option) *Browser {
	tb.Helper()
	cfg := config{width: defaultWidth, height: defaultHeight, timeout: DefaultTimeout}
	for _, o := range opts {
		o(&cfg)
	}
	if cfg.baseErr != nil {
		tb.Fatalf("browsertest: BaseURL: %v", cfg.baseErr)
		return nil
	}
	if cfg.width <= 0 || cfg.height <= 0 || cfg.timeout <= 0 {
		tb.Fatalf("browsertest: bad options: viewport %d×%d, timeout %v", cfg.width, cfg.height, cfg.timeout)
		return nil
	}
	path, err := Chrome()
	if err != nil {
		unavailable(tb, err)
		return nil // only reached with a testing.TB whose Skip and Fatal return
	}
	proc, err := acquire(tb, path)
	if err != nil {
		tb.Fatalf("browsertest: %v", err)
		return nil
	}
	b := &Browser{tb: tb, proc: proc, cfg: cfg, console: new(consoleLog)}
	if err := b.open(); err != nil {
		tb.Fatalf("browsertest: opening a tab in %s: %v", proc.version, err)
		return nil
	}
	return b
}

// open creates the tab and applies the configuration to it.
func (b *Browser) open() error {
	tab, cancel := chromedp.NewContext(b.proc.root,
		chromedp.WithNewBrowserContext(),
		// A listener from the very start of the tab, so that no console
		// message is lost, and one that runs in order with the replies, so
		// that ConsoleErrors sees every message sent before it asked.
		chromedp.WithListener(b.console.record),
	)
	b.tb.Cleanup(func() {
		// Closing the tab also disposes of its browser context. chromedp
		// bounds the wait (5 s); an error here leaks at most a tab of a
		// browser that is stopped later anyway.
		if err := chromedp.Cancel(tab); err != nil && !errors.Is(err, context.Canceled) {
			b.tb.Logf("browsertest: closing the tab: %v", err)
		}
		cancel()
	})
	// The first run of a tab binds the tab's life to the context it gets, so
	// it must get the tab's own context: bound it with a timer instead.
	timer := time.AfterFunc(b.cfg.timeout, cancel)
	err := chromedp.Do(tab)
	if !timer.Stop() {
		return fmt.Errorf("no tab after %v: %w", b.cfg.timeout, cmp.Or(err, context.DeadlineExceeded))
	}
	if err != nil {
		return err
	}
	b.ctx = tab

	ctx, cancelOp := b.opContext()
	defer cancelOp()
	if err := chromedp.Do(ctx, b.viewport(b.cfg.width, b.cfg.height)); err != nil {
		return fmt.Errorf("viewport: %w", err)
	}
	if b.cfg.language != "" {
		if err := chromedp.Do(ctx, b.language(b.cfg.language)); err != nil {
			return fmt.Errorf("language %q: %w", b.cfg.language, err)
		}
	}
	return nil
}

// viewport emulates a plain (not mobile) screen of the given size at scale 1,
// in portrait when it is taller than wide, as a phone held upright.
func (b *Browser) viewport(w, h int) chromedp.Action[chromedp.Void] {
	orientation := chromedp.EmulateLandscape
	if h > w {
		orientation = chromedp.EmulatePortrait
	}
	return chromedp.EmulateViewport(int64(w), int64(h), orientation)
}

// language overrides what the tab tells servers and scripts about the
// user's languages. The user agent itself stays as it is, but the command
// needs it spelled out.
func (b *Browser) language(tags string) chromedp.Action[chromedp.Void] {
	locale, _, _ := strings.Cut(tags, ",")
	return chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		if _, err := cdp.Call(ctx, t, emulation.SetUserAgentOverride, emulation.SetUserAgentOverrideParams{
			UserAgent:      b.proc.userAgent,
			AcceptLanguage: tags,
		}); err != nil {
			return err
		}
		_, err := cdp.Call(ctx, t, emulation.SetLocaleOverride, emulation.SetLocaleOverrideParams{
			Locale: strings.TrimSpace(locale),
		})
		return err
	})
}

// Ctx returns the chromedp context of the tab, for what the methods do not
// cover. It has no deadline: bound what you run with it, or use Run and Get,
// which do.
func (b *Browser) Ctx() context.Context { return b.ctx }

// opContext returns a context for one operation: the tab's, with the
// Browser's timeout.
func (b *Browser) opContext() (context.Context, context.CancelFunc) {
	return context.WithTimeout(b.ctx, b.cfg.timeout)
}

// Run runs chromedp actions in order, within one timeout, and fails the test
// with a diagnosis if one fails.
func (b *Browser) Run(steps ...chromedp.Action[chromedp.Void]) {
	b.tb.Helper()
	ctx, cancel := b.opContext()
	defer cancel()
	if err := chromedp.Do(ctx, steps...); err != nil {
		b.fail("Run", err)
	}
}

// Get runs one chromedp action that returns a value, such as
// chromedp.Evaluate[int]("document.forms.length") or chromedp.Title(), within
// the Browser's timeout, and fails the test with a diagnosis if it fails.
// (It is a function, not a method, because methods cannot have type
// parameters.)
func Get[T any](b *Browser, action chromedp.Action[T]) T {
	b.tb.Helper()
	ctx, cancel := b.opContext()
	defer cancel()
	v, err := chromedp.Run(ctx, action)
	if err != nil {
		b.fail("Get", err)
	}
	return v
}

// Navigate loads a URL, resolved against BaseURL if it is relative, and
// waits until the page has loaded (its load event). A network error fails
// the test; an HTTP error status does not, since error pages are pages too.
func (b *Browser) Navigate(rawURL string) {
	b.tb.Helper()
	target, err := b.resolve(rawURL)
	if err != nil {
		b.fail("Navigate", err)
		return
	}
	ctx, cancel := b.opContext()
	defer cancel()
	if err := chromedp.Do(ctx, chromedp.Navigate(target)); err != nil {
		b.fail(fmt.Sprintf("Navigate(%s)", target), err)
	}
}

func (b *Browser) resolve(rawURL string) (string, error) {
	u, err := url.Parse(rawURL)
	if err != nil {
		return "", err
	}
	if u.IsAbs() {
		return rawURL, nil
	}
	if b.cfg.baseURL == nil {
		return "", fmt.Errorf("%q is relative, and the Browser has no BaseURL", rawURL)
	}
	return b.cfg.baseURL.ResolveReference(u).String(), nil
}

// URL returns the address of the page now shown.
func (b *Browser) URL() string {
	b.tb.Helper()
	ctx, cancel := b.opContext()
	defer cancel()
	loc, err := chromedp.Run(ctx, chromedp.Location())
	if err != nil {
		b.fail("URL", err)
	}
	return loc
}

// Text returns the text of the first element that matches sel, as rendered
// (innerText: what a user can read and copy); of an input or a textarea,
// its value; of a select, the label of the selected option. It waits for
// such an element to exist, but returns its text as it is now: to wait for
// a text, use WaitText.
func (b *Browser) Text(sel string) string {
	b.tb.Helper()
	var text string
	b.wait(fmt.Sprintf("Text(%q)", sel), func(ctx context.Context) (bool, string, error) {
		st, err := b.element(ctx, sel)
		if err != nil || !st.Found {
			return false, st.String(), err
		}
		text = st.Text
		return true, "", nil
	})
	return text
}

// WaitVisible waits until the first element that matches sel is shown: it
// has a box on the page and is not hidden by CSS visibility. It need not be
// scrolled into view.
func (b *Browser) WaitVisible(sel string) {
	b.tb.Helper()
	b.wait(fmt.Sprintf("WaitVisible(%q)", sel), func(ctx context.Context) (bool, string, error) {
		st, err := b.element(ctx, sel)
		return st.Visible, st.String(), err
	})
}

// WaitText waits until the text (as Text reads it) of the first element
// that matches sel contains substr, for example a progress bar that reaches "100%". The page
// may change, or even load anew, meanwhile.
func (b *Browser) WaitText(sel, substr string) {
	b.tb.Helper()
	b.wait(fmt.Sprintf("WaitText(%q, %q)", sel, substr), func(ctx context.Context) (bool, string, error) {
		st, err := b.element(ctx, sel)
		return st.Found && strings.Contains(st.Text, substr), st.String(), err
	})
}

// Click clicks the middle of the first element that matches sel with the
// mouse, as a user would (so an element covered by another gets no click),
// after waiting for it to be visible and scrolling it into view. If the
// click starts loading a new page, Click waits until it has loaded.
func (b *Browser) Click(sel string) {
	b.tb.Helper()
	what := fmt.Sprintf("Click(%q)", sel)
	if !b.waitVisible(what, sel) {
		return
	}
	ctx, cancel := b.opContext()
	defer cancel()
	if err := b.withNavigation(ctx, chromedp.Click(chromedp.CSS(sel))); err != nil {
		b.fail(what, err)
	}
}

// waitVisible is WaitVisible for the other methods: it reports a failure
// under their name.
func (b *Browser) waitVisible(what, sel string) bool {
	b.tb.Helper()
	return b.wait(what, func(ctx context.Context) (bool, string, error) {
		st, err := b.element(ctx, sel)
		return st.Visible, st.String(), err
	})
}

// Fill replaces the value of the input, textarea or select that sel matches.
// Text is typed key by key, with the events that typing makes (so scripts
// that listen to keys or input see it; any rune can be typed, Kazakh
// letters included; "\n" presses Enter). A select, and the inputs whose
// value a user picks rather than types (date, time, color, range...), get
// the value set directly, with input and change events.
func (b *Browser) Fill(sel, value string) {
	b.tb.Helper()
	what := fmt.Sprintf("Fill(%q)", sel)
	if !b.waitVisible(what, sel) {
		return
	}
	ctx, cancel := b.opContext()
	defer cancel()
	mode, err := chromedp.Run(ctx, chromedp.Evaluate[string](jsCall(fillJS, sel, value)))
	if err == nil && mode == "type" {
		// Typing "\n" in an input submits its form.
		err = b.withNavigation(ctx, chromedp.SendKeys(chromedp.CSS(sel), value))
	}
	if err == nil && mode != "type" && mode != "set" {
		err = errors.New(mode)
	}
	if err != nil {
		b.fail(what, err)
	}
}

// Submit submits the form that sel matches, or the form of the element it
// matches (a submit button is then the submitter, so its name and value are
// sent). It submits as a user would: the form's validation and submit
// handlers run; a form that the browser finds invalid fails the test with
// the browser's message. If the submission loads a new page (a form
// without a script that cancels it), Submit waits until it has loaded.
func (b *Browser) Submit(sel string) {
	b.tb.Helper()
	what := fmt.Sprintf("Submit(%q)", sel)
	if !b.wait(what, func(ctx context.Context) (bool, string, error) {
		st, err := b.element(ctx, sel)
		return st.Found, st.String(), err
	}) {
		return
	}
	ctx, cancel := b.opContext()
	defer cancel()
	submit := chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		problem, err := chromedp.Evaluate[string](jsCall(submitJS, sel))(ctx, t)
		if err == nil && problem != "" {
			err = errors.New(problem)
		}
		return err
	})
	if err := b.withNavigation(ctx, submit); err != nil {
		b.fail(what, err)
	}
}

// UploadFile chooses files in the file input that sel matches, as a user
// would in the file dialog; the input gets its input and change events. The
// input need not be visible (a styled upload button often hides it).
func (b *Browser) UploadFile(sel string, paths ...string) {
	b.tb.Helper()
	what := fmt.Sprintf("UploadFile(%q)", sel)
	abs := make([]string, len(paths))
	for i, p := range paths {
		// The browser needs absolute paths, and reads the file only when the
		// form is sent: check now, where the mistake is.
		a, err := filepath.Abs(p)
		if err == nil {
			_, err = os.Stat(a)
		}
		if err != nil {
			b.fail(what, err)
			return
		}
		abs[i] = a
	}
	if !b.wait(what, func(ctx context.Context) (bool, string, error) {
		st, err := b.element(ctx, sel)
		return st.Found, st.String(), err
	}) {
		return
	}
	ctx, cancel := b.opContext()
	defer cancel()
	if err := chromedp.Do(ctx, chromedp.SetUploadFiles(chromedp.CSS(sel), abs)); err != nil {
		b.fail(what, err)
	}
}

// SetViewport resizes the viewport to w×h CSS pixels at scale 1, such as
// 390×844 for a phone held upright. The page reflows at once, as for a
// resized window; media queries follow. It emulates a screen size, not a
// mobile browser: a page without a viewport meta tag is not zoomed out.
func (b *Browser) SetViewport(w, h int) {
	b.tb.Helper()
	if w <= 0 || h <= 0 {
		b.fail("SetViewport", fmt.Errorf("bad size %d×%d", w, h))
		return
	}
	ctx, cancel := b.opContext()
	defer cancel()
	if err := chromedp.Do(ctx, b.viewport(w, h)); err != nil {
		b.fail("SetViewport", err)
	}
}

// Cookies returns every cookie of the Browser's browser context, for every
// site and path, with all their attributes (HTTPOnly, SameSite, Secure,
// Expires...), which scripts cannot see.
func (b *Browser) Cookies() []*network.Cookie {
	b.tb.Helper()
	ctx, cancel := b.opContext()
	defer cancel()
	res, err := chromedp.CallBrowser(ctx, storage.GetCookies, storage.GetCookiesParams{
		BrowserContextID: chromedp.FromContext(b.ctx).BrowserContextID,
	})
	if err != nil {
		b.fail("Cookies", err)
	}
	return res.Cookies
}

// ConsoleErrors returns the errors that the pages of this Browser reported
// since it was opened, oldest first: uncaught exceptions and unhandled
// promise rejections ("exception: ..."), console.error and failed
// console.assert calls ("console.error: ..."), and the browser's own errors,
// such as a resource that failed to load or a security violation
// ("network: ...", "security: ..."). Each ends with where it happened.
//
// A response with an error status counts as a failed load, so a test that
// visits an error page on purpose finds it here too. A missing
// /favicon.ico does not count: the browser asks for it on its own, at a
// moment of its choosing, so it would make the list depend on timing.
func (b *Browser) ConsoleErrors() []string {
	b.tb.Helper()
	// One round trip to the page first: the browser sends the messages
	// before the reply, and the listener records them before the reply is
	// handed over, so everything reported before this call is in.
	ctx, cancel := context.WithTimeout(b.ctx, diagTimeout)
	defer cancel()
	_, _ = chromedp.Run(ctx, chromedp.Evaluate[chromedp.Void]("0"))
	return b.console.errors()
}

// Screenshot saves a PNG of the whole page (not only the part in the
// viewport) at path: the viewport's width, and the page's height (at least
// the viewport's, at most 16000 pixels). Missing directories are made.
func (b *Browser) Screenshot(path string) {
	b.tb.Helper()
	if err := b.screenshot(path); err != nil {
		b.fail("Screenshot", err)
	}
}

func (b *Browser) screenshot(path string) error {
	ctx, cancel := b.opContext()
	defer cancel()
	data, err := chromedp.Run(ctx, fullPagePNG())
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	return os.WriteFile(path, data, 0o644)
}

// fullPagePNG captures the page from its top to its bottom at the
// viewport's width. chromedp.FullScreenshot captures only the viewport.
func fullPagePNG() chromedp.Action[[]byte] {
	return func(ctx context.Context, t *chromedp.Target) ([]byte, error) {
		m, err := cdp.Call(ctx, t, page.GetLayoutMetrics, cdp.Empty{})
		if err != nil {
			return nil, err
		}
		if m.CSSLayoutViewport == nil || m.CSSContentSize == nil {
			return nil, errors.New("the browser reported no layout metrics")
		}
		vp := m.CSSLayoutViewport
		width := float64(vp.ClientWidth)
		height := min(max(m.CSSContentSize.Height, float64(vp.ClientHeight)), maxScreenshotHeight)
		res, err := cdp.Call(ctx, t, page.CaptureScreenshot, page.CaptureScreenshotParams{
			Format:                page.CaptureScreenshotFormatPng,
			Clip:                  &page.Viewport{Width: width, Height: height, Scale: 1},
			CaptureBeyondViewport: new(true),
			FromSurface:           new(true),
		})
		if err != nil {
			return nil, err
		}
		return res.Data, nil
	}
}

// DocScreenshot saves a screenshot of the whole page as docs/<name>.png in
// the repository (found by walking up to go.mod), but only when
// ESEP_WRITE_DOCS=1: the pictures in the documentation are refreshed on
// purpose, never as a side effect of running the tests.
func (b *Browser) DocScreenshot(name string) {
	b.tb.Helper()
	if os.Getenv(envWriteDocs) != "1" {
		return
	}
	name = strings.TrimSuffix(name, ".png")
	if name == "" || filepath.Base(name) != name || strings.HasPrefix(name, ".") {
		b.fail("DocScreenshot", fmt.Errorf("%q is not a plain file name", name))
		return
	}
	wd, err := os.Getwd()
	if err == nil {
		var root string
		if root, err = moduleRoot(wd); err == nil {
			err = b.screenshot(filepath.Join(root, "docs", name+".png"))
		}
	}
	if err != nil {
		b.fail("DocScreenshot", err)
	}
}

// moduleRoot returns the nearest directory at or above dir with a go.mod.
func moduleRoot(dir string) (string, error) {
	for d := dir; ; {
		if _, err := os.Stat(filepath.Join(d, "go.mod")); err == nil {
			return d, nil
		}
		parent := filepath.Dir(d)
		if parent == d {
			return "", fmt.Errorf("no go.mod in %s or above", dir)
		}
		d = parent
	}
}

// element is what the page says about the first match of a selector.
type element struct {
	Found   bool   `json:"found"`
	Count   int    `json:"count"`
	Visible bool   `json:"visible"`
	Text    string `json:"text"`
	sel     string
}

// String describes the element for a failure message.
func (e element) String() string {
	switch {
	case e.sel == "":
		return "" // the page could not be asked
	case !e.Found:
		return fmt.Sprintf("no element matches %q", e.sel)
	case !e.Visible:
		return fmt.Sprintf("%q matches %d element(s); the first is hidden; its text is %q", e.sel, e.Count, shorten(e.Text))
	default:
		return fmt.Sprintf("%q matches %d element(s); the first is visible; its text is %q", e.sel, e.Count, shorten(e.Text))
	}
}

// element asks the page about sel.
func (b *Browser) element(ctx context.Context, sel string) (element, error) {
	raw, err := chromedp.Run(ctx, chromedp.Evaluate[[]byte](jsCall(elementJS, sel)))
	if err != nil {
		return element{}, err
	}
	e := element{sel: sel}
	if err := json.Unmarshal(raw, &e); err != nil {
		return element{}, err
	}
	return e, nil
}

// wait polls check until it reports done, for at most the Browser's
// timeout. check also returns what it saw, for the failure message. Its
// errors count as transient (a page that is being replaced cannot be
// asked), except a JavaScript exception (an invalid selector): asking again
// would give the same answer. It reports whether check succeeded; if not,
// the test has failed.
func (b *Browser) wait(what string, check func(context.Context) (done bool, seen string, err error)) bool {
	b.tb.Helper()
	ctx, cancel := b.opContext()
	defer cancel()
	var seen string
	var lastErr error
	for {
		done, s, err := check(ctx)
		if done && err == nil {
			return true
		}
		if s != "" {
			seen = s
		}
		if err != nil && ctx.Err() == nil {
			lastErr = err
			var exc *chromedp.ExceptionError
			if errors.As(err, &exc) {
				b.fail(what, err)
				return false
			}
		}
		select {
		case <-ctx.Done():
			err := ctx.Err()
			if seen != "" {
				err = fmt.Errorf("%w; at the end %s", err, seen)
			} else if lastErr != nil {
				err = fmt.Errorf("%w; the page could not be asked: %v", err, lastErr)
			}
			b.fail(what, err)
			return false
		case <-time.After(pollInterval):
		}
	}
}

// withNavigation runs step and, if it made the page start loading another
// document, waits until that document has loaded, so that what the test
// does next happens on the new page.
//
// A navigation is seen from its request (Page.frameRequestedNavigation,
// sent before the browser answers the click or the script that caused it)
// and its end from the main frame's frameStoppedLoading. A navigation that
// a script starts later is not waited for: WaitText and WaitVisible are.
func (b *Browser) withNavigation(ctx context.Context, step chromedp.Action[chromedp.Void]) error {
	tree, err := chromedp.Call(ctx, page.GetFrameTree, cdp.Empty{})
	if err != nil {
		return err
	}
	mainFrame := tree.FrameTree.Frame.ID

	var mu sync.Mutex
	const (
		idle = iota
		requested
		loading
		loaded
	)
	state := idle
	var target string
	done := make(chan struct{})
	lctx, stop := context.WithCancel(ctx)
	defer stop()
	err = chromedp.Listen(lctx, func(ev any) {
		mu.Lock()
		defer mu.Unlock()
		switch ev := ev.(type) {
		case *page.EventFrameRequestedNavigation:
			if ev.FrameID == mainFrame && ev.Disposition == page.ClientNavigationDispositionCurrentTab && state == idle {
				state, target = requested, ev.URL
			}
		case *page.EventFrameStartedNavigating:
			if ev.FrameID == mainFrame && state == idle && !sameDocument(ev.NavigationType) {
				state, target = requested, ev.URL
			}
		case *page.EventFrameStartedLoading:
			if ev.FrameID == mainFrame && state == requested {
				state = loading
			}
		case *page.EventFrameStoppedLoading:
			if ev.FrameID == mainFrame && state == loading {
				state = loaded
				close(done)
			}
		}
	})
	if err != nil {
		return err
	}
	if err := chromedp.Do(ctx, step); err != nil {
		return err
	}
	// One round trip to the page: a navigation that the step caused has been
	// requested by the time the page answers.
	fctx, cancel := context.WithTimeout(ctx, diagTimeout)
	_, _ = chromedp.Run(fctx, chromedp.Evaluate[chromedp.Void]("0"))
	cancel()

	mu.Lock()
	s := state
	mu.Unlock()
	if s == idle {
		return nil
	}
	select {
	case <-done:
		return nil
	case <-ctx.Done():
		return fmt.Errorf("the page started loading %s but did not finish: %w", target, ctx.Err())
	}
}

func sameDocument(t page.FrameStartedNavigatingNavigationType) bool {
	return t == page.FrameStartedNavigatingNavigationTypeSameDocument ||
		t == page.FrameStartedNavigatingNavigationTypeHistorySameDocument
}

// fail ends the test with what failed and a diagnosis of the page: its URL
// and title, the console errors so far, and a screenshot.
func (b *Browser) fail(what string, err error) {
	b.tb.Helper()
	var msg strings.Builder
	fmt.Fprintf(&msg, "browsertest: %s: %v", what, err)
	if errors.Is(err, context.DeadlineExceeded) {
		fmt.Fprintf(&msg, " (gave up after %v)", b.cfg.timeout)
	}
	if b.ctx == nil || b.ctx.Err() != nil {
		fmt.Fprintf(&msg, "\n\tthe browser is gone%s", b.proc.outputTail())
		b.tb.Fatal(msg.String())
		return
	}
	ctx, cancel := context.WithTimeout(b.ctx, diagTimeout)
	defer cancel()
	if info, err := chromedp.Run(ctx, chromedp.Evaluate[[]string]("[location.href, document.title]")); err == nil && len(info) == 2 {
		fmt.Fprintf(&msg, "\n\tpage: %s (title %q)", info[0], info[1])
	} else {
		fmt.Fprintf(&msg, "\n\tpage: unknown (%v)", err)
	}
	if errs := b.console.errors(); len(errs) > 0 {
		fmt.Fprintf(&msg, "\n\tconsole errors:\n\t\t%s", strings.Join(errs, "\n\t\t"))
	}
	b.mu.Lock()
	b.shots++
	n := b.shots
	b.mu.Unlock()
	path := filepath.Join(b.tb.ArtifactDir(), "failure-"+strconv.Itoa(n)+".png")
	if data, err := chromedp.Run(ctx, fullPagePNG()); err != nil {
		fmt.Fprintf(&msg, "\n\tno screenshot: %v", err)
	} else if err := os.WriteFile(path, data, 0o644); err != nil {
		fmt.Fprintf(&msg, "\n\tno screenshot: %v", err)
	} else {
		fmt.Fprintf(&msg, "\n\tscreenshot: %s (go test -artifacts keeps it)", path)
	}
	b.tb.Fatal(msg.String())
}

// shorten keeps failure messages readable when an element holds a page of
// text.
func shorten(s string) string {
	const limit = 200
	if r := []rune(s); len(r) > limit {
		return string(r[:limit]) + "…"
	}
	return s
}
