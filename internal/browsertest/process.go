package browsertest

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/chromedp/cdproto/browser"
	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/chromedp"
)

const (
	envChromium  = "ESEP_CHROMIUM"
	envRequire   = "ESEP_REQUIRE_TOOLS"
	envWriteDocs = "ESEP_WRITE_DOCS"

	// profilePrefix names the browsers' profile directories in $TMPDIR,
	// followed by the PID of the test process that owns one.
	profilePrefix = "esep-browsertest-"

	// startTimeout bounds the start of a browser; it takes about half a
	// second, but a cold disk cache on a loaded machine can take several.
	startTimeout = 30 * time.Second
	// stopTimeout bounds a graceful close, after which the browser is
	// killed.
	stopTimeout = 5 * time.Second
)

// ErrNotFound is returned (wrapped) by Chrome when no browser is installed.
var ErrNotFound = errors.New("no Chromium or Chrome browser")

// candidates are the browsers that Chrome looks for, best first: Debian's
// chromium (what CI installs), then the names of other distributions'
// packages and of Google's builds.
var candidates = []string{"/usr/bin/chromium", "chromium", "chromium-browser", "google-chrome", "google-chrome-stable"}

// flags are the command-line switches for Chromium, on top of chromedp's
// defaults (which set some of them too; they are repeated to be sure).
var flags = []chromedp.ExecAllocatorOption{
	chromedp.Flag("headless", "new"),
	// The sandbox cannot start as root, which is how CI runs. The tests
	// only visit their own pages.
	chromedp.Flag("no-sandbox", true),
	chromedp.Flag("disable-gpu", true),
	// No connection other than to the test's pages: on a closed network
	// the browser's own (QUIC probes, component and field-trial updates,
	// sync) are refused, which adds noise and delay.
	chromedp.Flag("disable-quic", true),
	chromedp.Flag("disable-background-networking", true),
	chromedp.Flag("disable-component-update", true),
	chromedp.Flag("disable-sync", true),
	chromedp.Flag("no-first-run", true),
	// /dev/shm is tiny in containers (64 MB in Docker), and Chromium
	// crashes when it fills up.
	chromedp.Flag("disable-dev-shm-usage", true),
	// The same language on every machine, whatever $LANG says; the
	// Language option changes it per tab.
	chromedp.Flag("lang", "en-US"),
}

// Chrome returns the path of the browser that New runs: $ESEP_CHROMIUM if
// set, else the first of /usr/bin/chromium, chromium, chromium-browser,
// google-chrome and google-chrome-stable found in $PATH. The error wraps
// ErrNotFound. An ESEP_CHROMIUM that names no executable is an error too,
// not a reason to look elsewhere: whoever set it meant that browser.
func Chrome() (path string, err error) {
	if p := os.Getenv(envChromium); p != "" {
		found, err := exec.LookPath(p)
		if err != nil {
			var ee *exec.Error
			if errors.As(err, &ee) {
				err = ee.Err // without the name, which follows anyway
			}
			return "", fmt.Errorf("%w: %s=%s: %v", ErrNotFound, envChromium, p, err)
		}
		return found, nil
	}
	for _, c := range candidates {
		if found, err := exec.LookPath(c); err == nil {
			return found, nil
		}
	}
	return "", fmt.Errorf("%w: none of %s is in $PATH (or set %s)", ErrNotFound, strings.Join(candidates, ", "), envChromium)
}

// The browser shared by the tests of one test binary under RunMain.
var (
	sharing atomic.Bool // RunMain is running the tests

	sharedMu  sync.Mutex
	shared    *process
	sharedErr error // why the shared browser did not start, so that later tests fail fast

	bannerOnce sync.Once
	bannerOut  io.Writer = os.Stderr // a variable for tests
)

// RunMain runs the tests with one browser shared by all of them, then stops
// it, and exits. Call it from TestMain:
//
//	func TestMain(m *testing.M) { browsertest.RunMain(m) }
//
// Without it each New starts and stops a browser of its own, which is
// correct but costs about half a second per test.
func RunMain(m *testing.M) {
	sharing.Store(true)
	code := m.Run()
	sharing.Store(false)
	sharedMu.Lock()
	if shared != nil {
		if err := shared.stop(); err != nil {
			fmt.Fprintf(os.Stderr, "browsertest: stopping the shared browser: %v\n", err)
		}
		shared = nil
	}
	sharedMu.Unlock()
	os.Exit(code)
}

// acquire returns the browser for a new tab: the shared one under RunMain
// (started on first use, or again if it died), else a new one that is
// stopped when the test ends.
func acquire(tb testing.TB, path string) (*process, error) {
	tb.Helper()
	if !sharing.Load() {
		p, err := start(path)
		if err != nil {
			return nil, err
		}
		tb.Cleanup(func() {
			if err := p.stop(); err != nil {
				tb.Errorf("browsertest: stopping the browser: %v", err)
			}
		})
		tb.Logf("browsertest: %s started in %v for this test", p.version, p.startup.Round(time.Millisecond))
		return p, nil
	}
	sharedMu.Lock()
	defer sharedMu.Unlock()
	if shared != nil && shared.path == path && shared.root.Err() == nil {
		return shared, nil
	}
	if sharedErr != nil {
		return nil, sharedErr
	}
	if shared != nil {
		// It crashed (or ESEP_CHROMIUM changed): the tests that used it
		// have failed; the next ones get a new browser.
		tb.Logf("browsertest: the shared browser is gone (%v%s); starting another", context.Cause(shared.root), shared.outputTail())
		_ = shared.stop()
		shared = nil
	}
	p, err := start(path)
	if err != nil {
		sharedErr = err
		return nil, err
	}
	shared = p
	tb.Logf("browsertest: %s started in %v, shared by the tests", p.version, p.startup.Round(time.Millisecond))
	return p, nil
}

// process is a running browser.
type process struct {
	path      string
	version   string // "Chromium 148.0.7778.167"
	userAgent string
	pid       int
	startup   time.Duration

	// root is the context of the browser's first tab, which owns the
	// browser: the tabs of the tests are made from it.
	root        context.Context
	cancelRoot  func()
	cancelAlloc func()
	output      *tailWriter

	// profile is the browser's --user-data-dir. The package makes it,
	// rather than chromedp, to name it after the test process: a test
	// binary that is killed (a -timeout, a ^C) cannot delete it, so the
	// next start deletes those whose process is gone.
	profile string
}

// start runs the browser at path and waits until it answers.
func start(path string) (*process, error) {
	t0 := time.Now()
	sweepOnce.Do(sweepProfiles)
	profile, err := os.MkdirTemp("", profilePrefix+strconv.Itoa(os.Getpid())+"-")
	if err != nil {
		return nil, err
	}
	out := &tailWriter{limit: 16 << 10}
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(path), chromedp.UserDataDir(profile), chromedp.CombinedOutput(out))
	opts = append(opts, flags...)
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	root, cancelRoot := chromedp.NewContext(allocCtx)
	p := &process{
		path: path, root: root, output: out, profile: profile,
		// chromedp's cancel funcs wait for the browser to stop; calling one
		// twice could wait for a token that is gone.
		cancelRoot:  sync.OnceFunc(cancelRoot),
		cancelAlloc: sync.OnceFunc(cancelAlloc),
	}
	fail := func(err error) (*process, error) {
		_ = p.stop()
		return nil, fmt.Errorf("starting %s: %w%s", path, err, p.outputTail())
	}
	// The first run binds the browser's life to the context it gets, so it
	// gets root itself, bounded by a timer rather than a deadline.
	timer := time.AfterFunc(startTimeout, p.cancelRoot)
	err = chromedp.Do(root)
	if !timer.Stop() {
		return fail(fmt.Errorf("no answer after %v", startTimeout))
	}
	if err != nil {
		return fail(err)
	}
	ctx, cancel := context.WithTimeout(root, startTimeout)
	defer cancel()
	v, err := chromedp.CallBrowser(ctx, browser.GetVersion, cdp.Empty{})
	if err != nil {
		return fail(err)
	}
	p.version = strings.Replace(v.Product, "/", " ", 1)
	p.userAgent = v.UserAgent
	if proc := chromedp.FromContext(root).Browser.Process(); proc != nil {
		p.pid = proc.Pid
	}
	p.startup = time.Since(t0)
	return p, nil
}

// stop closes the browser, gracefully if it can, and waits until it and
// every process that used its profile are gone and the profile is deleted.
func (p *process) stop() error {
	var err error
	if chromedp.FromContext(p.root).Browser != nil {
		ctx, cancel := context.WithTimeout(p.root, stopTimeout)
		err = chromedp.Cancel(ctx)
		cancel()
		if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
			err = nil // it was gone already, or is killed now
		}
	}
	p.cancelRoot() // kills the browser if it is still there
	p.cancelAlloc()
	killLeftovers(p.profile)
	return errors.Join(err, removeProfile(p.profile))
}

// removeProfile deletes a profile directory. It retries for a while,
// because a helper that was just killed may still have been writing into it
// (os.RemoveAll then fails with "directory not empty").
func removeProfile(dir string) error {
	deadline := time.Now().Add(5 * time.Second)
	for {
		err := os.RemoveAll(dir)
		if err == nil || time.Now().After(deadline) {
			return err
		}
		time.Sleep(20 * time.Millisecond)
	}
}

var sweepOnce sync.Once

// sweepProfiles deletes the profiles left behind by test processes that
// are gone, with whatever of their browsers still runs.
func sweepProfiles() {
	dirs, _ := filepath.Glob(filepath.Join(os.TempDir(), profilePrefix+"*-*"))
	for _, dir := range dirs {
		owner, _, _ := strings.Cut(strings.TrimPrefix(filepath.Base(dir), profilePrefix), "-")
		pid, err := strconv.Atoi(owner)
		if err != nil || pid == os.Getpid() || alive(pid) {
			continue
		}
		killLeftovers(dir)
		_ = os.RemoveAll(dir)
	}
}

// outputTail is the end of what the browser printed, for an error message,
// or "".
func (p *process) outputTail() string {
	if p == nil || p.output == nil {
		return ""
	}
	// Chromium complains at length that there is no D-Bus (no desktop
	// session), which says nothing about why it failed.
	var lines []string
	for line := range strings.Lines(p.output.String()) {
		if !strings.Contains(line, "ERROR:dbus/") {
			lines = append(lines, line)
		}
	}
	s := strings.TrimSpace(strings.Join(lines, ""))
	if s == "" {
		return ""
	}
	return "; the browser printed:\n" + s
}

// tailWriter keeps the last limit bytes written to it.
type tailWriter struct {
	mu    sync.Mutex
	limit int
	buf   []byte
}

func (w *tailWriter) Write(b []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.buf = append(w.buf, b...)
	if over := len(w.buf) - w.limit; over > 0 {
		w.buf = append(w.buf[:0], w.buf[over:]...)
	}
	return len(b), nil
}

func (w *tailWriter) String() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return string(w.buf)
}

// unavailable skips tb because there is no browser, loudly, or fails it
// under ESEP_REQUIRE_TOOLS.
func unavailable(tb testing.TB, err error) {
	tb.Helper()
	if required() {
		tb.Fatalf("Chromium not found (%v): a failure because %s is set; install the Debian package chromium", err, envRequire)
		return
	}
	// Skips are listed only by go test -v; the banner, once per test
	// binary, shows in any run of the package.
	bannerOnce.Do(func() {
		fmt.Fprintf(bannerOut, "\n*** browsertest: Chromium not found (%v).\n*** browsertest: browser tests are SKIPPED. Install the Debian package chromium, or set %s; %s=1 makes this a failure.\n\n",
			err, envChromium, envRequire)
	})
	tb.Skipf("Chromium not found (%v): browser tests skipped", err)
}

// required reports whether ESEP_REQUIRE_TOOLS asks for the tools. Any value
// but "" and the false ones ("0", "false"...) does: a typo must not turn a
// required suite into a skipped one.
func required() bool {
	v := os.Getenv(envRequire)
	if v == "" {
		return false
	}
	b, err := strconv.ParseBool(v)
	return b || err != nil
}
