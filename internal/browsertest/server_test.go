package browsertest

import (
	"fmt"
	"html"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
)

// The pages that the tests drive: a form with every kind of field, a
// button that changes a text after a delay, a form sent by a script (as
// htmx does), cookies, a page with console errors, a tall page.

const mainPage = `<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Harness</title>
<style>
body { margin: 8px; font: 16px sans-serif; }
@media (max-width: 600px) { .wide-only { display: none; } }
</style></head>
<body>
<h1 id="title">Harness page</h1>
<form id="form" method="post" action="/submit" enctype="multipart/form-data">
<input id="name" name="name" required>
<textarea id="note" name="note"></textarea>
<select id="region" name="region"><option value="almaty">Almaty</option><option value="astana">Astana</option></select>
<input id="day" name="day" type="date">
<input id="file" name="file" type="file"><span id="chosen"></span>
<button id="send" name="action" value="send">Send</button>
</form>
<form id="ajax"><input id="q" name="q"><button id="ask">Ask</button></form>
<div id="answer"></div>
<button id="slow" type="button">Start</button> <span id="status">idle</span>
<p id="hidden" hidden>secret</p>
<p class="wide-only" id="wide">only on wide screens</p>
<p id="size"></p>
<script>
document.getElementById("slow").addEventListener("click", () => {
	const s = document.getElementById("status");
	let p = 0;
	s.textContent = "working 0%";
	const tick = () => {
		p += 25;
		s.textContent = p < 100 ? "working " + p + "%" : "done";
		if (p < 100) setTimeout(tick, 80);
	};
	setTimeout(tick, 80);
});
document.getElementById("file").addEventListener("change", e => {
	document.getElementById("chosen").textContent = [...e.target.files].map(f => f.name).join(",");
});
document.getElementById("ajax").addEventListener("submit", async e => {
	e.preventDefault();
	const r = await fetch("/echo", {method: "POST", body: new FormData(e.target)});
	document.getElementById("answer").textContent = await r.text();
});
document.getElementById("size").textContent = innerWidth + "x" + innerHeight;
</script>
</body></html>`

const consolePage = `<!doctype html>
<html><head><meta charset="utf-8"><title>Errors</title></head>
<body>
<img src="/missing.png" alt="">
<p id="ready">no</p>
<script>
console.log("not an error");
console.warn("not an error either");
console.error("boom", {code: 7});
setTimeout(() => { throw new Error("late failure"); }, 0);
Promise.reject(new Error("rejected"));
setTimeout(() => { document.getElementById("ready").textContent = "yes"; }, 50);
</script>
</body></html>`

const tallPage = `<!doctype html><html><head><meta charset="utf-8"><title>Tall</title></head>
<body style="margin:0"><div style="height:3000px;background:linear-gradient(red,blue)">tall</div></body></html>`

const langPage = `<!doctype html><html><head><meta charset="utf-8"><title>Lang</title></head>
<body><p id="header">%s</p><p id="nav"></p><p id="date"></p>
<script>
document.getElementById("nav").textContent = navigator.language;
document.getElementById("date").textContent = new Intl.DateTimeFormat(undefined, {month: "long"}).format(new Date(2025, 0, 15));
</script></body></html>`

// submission is what the form at /submit sent.
type submission struct {
	name, note, region, day, action string
	fileName, fileBody              string
}

// testServer serves the pages and hands each submission of the form to the
// channel.
func testServer(t *testing.T) (*httptest.Server, <-chan submission) {
	t.Helper()
	got := make(chan submission, 10)
	mux := http.NewServeMux()
	mux.HandleFunc("GET /{$}", func(w http.ResponseWriter, r *http.Request) {
		http.SetCookie(w, &http.Cookie{Name: "session", Value: "s3cr3t", Path: "/", HttpOnly: true, SameSite: http.SameSiteStrictMode})
		http.SetCookie(w, &http.Cookie{Name: "theme", Value: "dark", Path: "/", SameSite: http.SameSiteLaxMode})
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		io.WriteString(w, mainPage)
	})
	mux.HandleFunc("POST /submit", func(w http.ResponseWriter, r *http.Request) {
		if err := r.ParseMultipartForm(1 << 20); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		s := submission{
			name: r.FormValue("name"), note: r.FormValue("note"), region: r.FormValue("region"),
			day: r.FormValue("day"), action: r.FormValue("action"),
		}
		if f, h, err := r.FormFile("file"); err == nil {
			body, _ := io.ReadAll(f)
			f.Close()
			s.fileName, s.fileBody = h.Filename, string(body)
		}
		got <- s
		http.Redirect(w, r, "/done?name="+url.QueryEscape(s.name), http.StatusSeeOther)
	})
	mux.HandleFunc("GET /done", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprintf(w, `<!doctype html><meta charset="utf-8"><title>Done</title><h1 id="result">Thanks, %s</h1>`, html.EscapeString(r.FormValue("name")))
	})
	mux.HandleFunc("POST /echo", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, "echo: %s", r.FormValue("q"))
	})
	page := func(body string) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			io.WriteString(w, body)
		}
	}
	mux.HandleFunc("GET /console", page(consolePage))
	mux.HandleFunc("GET /tall", page(tallPage))
	mux.HandleFunc("GET /lang", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprintf(w, langPage, html.EscapeString(r.Header.Get("Accept-Language")))
	})
	mux.HandleFunc("GET /cookie/{v}", func(w http.ResponseWriter, r *http.Request) {
		http.SetCookie(w, &http.Cookie{Name: "mine", Value: r.PathValue("v"), Path: "/"})
		io.WriteString(w, "<!doctype html><title>Cookie</title>")
	})
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return srv, got
}

// recorder is a testing.TB that records failures instead of ending the
// test, to check the failure messages; everything else goes to the real
// test.
type recorder struct {
	*testing.T
	fatals []string
}

func (r *recorder) Helper()           {}
func (r *recorder) Fatal(args ...any) { r.fatals = append(r.fatals, fmt.Sprint(args...)) }
func (r *recorder) Fatalf(format string, args ...any) {
	r.fatals = append(r.fatals, fmt.Sprintf(format, args...))
}

// only returns the one failure recorded, or fails the test.
func (r *recorder) only(t *testing.T) string {
	t.Helper()
	if len(r.fatals) != 1 {
		t.Fatalf("got %d failures, want 1: %q", len(r.fatals), r.fatals)
	}
	msg := r.fatals[0]
	r.fatals = nil
	return msg
}

// mustContain fails the test unless s contains every one of subs.
func mustContain(t *testing.T, what, s string, subs ...string) {
	t.Helper()
	for _, sub := range subs {
		if !strings.Contains(s, sub) {
			t.Errorf("%s lacks %q:\n%s", what, sub, s)
		}
	}
}
