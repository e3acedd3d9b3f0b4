package browsertest

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/chromedp/cdproto/log"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
)

func TestScratch(t *testing.T) {
	mux := http.NewServeMux()
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, `<!doctype html><html><body><a id=l href="/b">b</a><a id=h href="#x">h</a>
<form id=f method=post action="/post"><input name=q><button id=s>go</button></form>
<button id=j onclick="fetch('/b').then(r=>r.text()).then(t=>document.body.append(t))">js</button>
<script>console.error("boom", {a:1}); console.log("hi"); setTimeout(()=>{throw new Error("late")}, 10)</script></body></html>`)
	})
	mux.HandleFunc("/post", func(w http.ResponseWriter, r *http.Request) { http.Redirect(w, r, "/b", http.StatusSeeOther) })
	mux.HandleFunc("/b", func(w http.ResponseWriter, r *http.Request) { fmt.Fprint(w, `<p>page b</p>`) })
	srv := httptest.NewServer(mux)
	defer srv.Close()

	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath("/usr/bin/chromium"),
		chromedp.Flag("headless", "new"),
		chromedp.Flag("disable-gpu", true),
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-component-update", true),
	)
	t0 := time.Now()
	actx, acancel := chromedp.NewExecAllocator(context.Background(), opts...)
	defer acancel()
	root, rcancel := chromedp.NewContext(actx)
	defer rcancel()
	if err := chromedp.Do(root); err != nil {
		t.Fatal(err)
	}
	t.Logf("browser start %v", time.Since(t0))
	t1 := time.Now()
	tab, tcancel := chromedp.NewContext(root, chromedp.WithNewBrowserContext(), chromedp.WithListener(func(ev any) {
		switch ev := ev.(type) {
		case *runtime.EventConsoleAPICalled:
			t.Logf("%.3f console %s %v", time.Since(t0).Seconds(), ev.Type, len(ev.Args))
		case *runtime.EventExceptionThrown:
			t.Logf("%.3f exception %s %s", time.Since(t0).Seconds(), ev.ExceptionDetails.Text, ev.ExceptionDetails.Exception.Description)
		case *log.EventEntryAdded:
			t.Logf("%.3f log %s %s %s %s", time.Since(t0).Seconds(), ev.Entry.Level, ev.Entry.Source, ev.Entry.Text, ev.Entry.URL)
		case *page.EventFrameRequestedNavigation:
			t.Logf("%.3f requestedNav %s %s", time.Since(t0).Seconds(), ev.Reason, ev.URL)
		case *page.EventFrameStartedNavigating:
			t.Logf("%.3f startedNavigating %s %s", time.Since(t0).Seconds(), ev.NavigationType, ev.URL)
		case *page.EventFrameStartedLoading:
			t.Logf("%.3f startedLoading", time.Since(t0).Seconds())
		case *page.EventFrameStoppedLoading:
			t.Logf("%.3f stoppedLoading", time.Since(t0).Seconds())
		case *page.EventFrameNavigated:
			t.Logf("%.3f navigated %s", time.Since(t0).Seconds(), ev.Frame.URL)
		case *page.EventNavigatedWithinDocument:
			t.Logf("%.3f within %s", time.Since(t0).Seconds(), ev.URL)
		case *page.EventLoadEventFired:
			t.Logf("%.3f load", time.Since(t0).Seconds())
		}
	}))
	if err := chromedp.Do(tab); err != nil {
		t.Fatal(err)
	}
	t.Logf("tab %v", time.Since(t1))
	t2 := time.Now()
	if err := chromedp.Do(tab, chromedp.Navigate(srv.URL)); err != nil {
		t.Fatal(err)
	}
	t.Logf("navigate %v", time.Since(t2))
	step := func(name string, a chromedp.Action[chromedp.Void]) {
		t.Logf("%.3f --- %s", time.Since(t0).Seconds(), name)
		if err := chromedp.Do(tab, a); err != nil {
			t.Fatal(err)
		}
		t.Logf("%.3f --- %s returned", time.Since(t0).Seconds(), name)
		chromedp.Do(tab, chromedp.Sleep(300*time.Millisecond))
	}
	step("click link", chromedp.Click(chromedp.CSS("#l")))
	step("back", chromedp.Navigate(srv.URL))
	step("hash", chromedp.Click(chromedp.CSS("#h")))
	step("submit", chromedp.Click(chromedp.CSS("#s")))
	step("back", chromedp.Navigate(srv.URL))
	step("js", chromedp.Click(chromedp.CSS("#j")))
	step("404", chromedp.Navigate(srv.URL+"/nope"))
	t3 := time.Now()
	tcancel()
	t.Logf("tab close %v", time.Since(t3))
	t4 := time.Now()
	if err := chromedp.Cancel(root); err != nil {
		t.Log(err)
	}
	t.Logf("browser close %v", time.Since(t4))
}
