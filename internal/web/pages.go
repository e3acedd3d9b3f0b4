package web

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"net/url"
	"strings"
	"time"

	"esep/internal/auth"
	"esep/internal/i18n"
	"esep/internal/kz"
	"esep/internal/monitor"
	"esep/internal/register"
	"esep/internal/report"
	"esep/internal/stats"
	"esep/internal/store"
)

// Permissions of routes; nil means any signed-in user.
var (
	permRegister = ptr(auth.ReadRegister)
	permReports  = ptr(auth.ReadReports)
	permCycle    = ptr(auth.ReadCycle)
)

func ptr(p auth.Permission) *auth.Permission { return &p }

// pages holds the parsed templates: one set per page, each with the layout,
// parsed once at start. Text comes through the "t" function with the
// request's language passed in, so no template is ever changed per request
// (miniflux's engine shows the race that changing a shared one causes).
type pages struct {
	set map[string]*template.Template
}

var funcs = template.FuncMap{
	"t": func(lang i18n.Lang, key string, params ...any) string { return i18n.T(lang, key, params...) },
	"region": func(lang i18n.Lang, code string) string {
		return report.Name(lang, report.NameRegion, code)
	},
	"name": func(lang i18n.Lang, kind, code string) string { return report.Name(lang, kind, code) },
	"num": func(n int) string {
		s := fmt.Sprint(n)
		for i := len(s) - 3; i > 0; i -= 3 {
			s = s[:i] + "\u202f" + s[i:]
		}
		return s
	},
	"pct": func(part, whole int) int {
		if whole == 0 {
			return 0
		}
		return part * 100 / whole
	},
	"date": monitor.CivilDate,
	"seq": func(from, to int) []int {
		var out []int
		for i := from; i <= to; i++ {
			out = append(out, i)
		}
		return out
	},
}

func loadPages() (*pages, error) {
	p := &pages{set: map[string]*template.Template{}}
	files, err := fs.Glob(assets, "templates/*.html")
	if err != nil {
		return nil, err
	}
	for _, f := range files {
		name := strings.TrimSuffix(strings.TrimPrefix(f, "templates/"), ".html")
		if name == "layout" {
			continue
		}
		t, err := template.New("layout.html").Funcs(funcs).ParseFS(assets, "templates/layout.html", f)
		if err != nil {
			return nil, fmt.Errorf("template %s: %w", name, err)
		}
		p.set[name] = t
	}
	return p, nil
}

// view is what every page template gets.
type view struct {
	Lang  i18n.Lang
	Langs []i18n.Lang
	User  *auth.User
	Title string
	Path  string
	Data  any
	Error string
}

func (s *Server) render(w http.ResponseWriter, r *http.Request, status int, name, title string, data any) {
	t, ok := s.pages.set[name]
	if !ok {
		s.log.Error("no template", "name", name, "request_id", requestID(r))
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	lang := langOf(r)
	v := view{Lang: lang, Langs: i18n.Langs, User: userOf(r), Title: i18n.T(lang, title), Path: r.URL.Path, Data: data}
	var buf bytes.Buffer
	if err := t.Execute(&buf, v); err != nil {
		s.log.Error("render", "name", name, "err", err, "request_id", requestID(r))
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Content-Security-Policy", "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; frame-ancestors 'none'")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(status)
	w.Write(buf.Bytes())
}

// page wraps a page handler: a visitor who is not signed in goes to the
// login page; one without the permission gets a page saying so.
func (s *Server) page(p *auth.Permission, h http.HandlerFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		u := userOf(r)
		if u == nil {
			http.Redirect(w, r, "/login?next="+url.QueryEscape(r.URL.RequestURI()), http.StatusSeeOther)
			return
		}
		if p != nil && !u.Can(*p) {
			s.render(w, r, http.StatusForbidden, "error", "web.error.forbidden", "web.error.forbidden_text")
			return
		}
		h(w, r)
	})
}

func (s *Server) loginPage(w http.ResponseWriter, r *http.Request) {
	s.render(w, r, http.StatusOK, "login", "web.login.title", map[string]string{"Next": safeNext(r.URL.Query().Get("next"))})
}

// safeNext keeps a post-login redirect on this site.
func safeNext(next string) string {
	if !strings.HasPrefix(next, "/") || strings.HasPrefix(next, "//") || strings.Contains(next, "\\") {
		return "/"
	}
	return next
}

func (s *Server) login(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
	login, password := strings.TrimSpace(r.PostFormValue("login")), r.PostFormValue("password")
	next := safeNext(r.PostFormValue("next"))
	fail := func(status int, key string) {
		s.render(w, r, status, "login", "web.login.title", map[string]string{"Next": next, "Error": i18n.T(langOf(r), key), "Login": login})
	}
	if !s.limiter.allow(clientIP(r), time.Now()) {
		fail(http.StatusTooManyRequests, "web.login.too_many")
		return
	}
	c, err := s.db.UserByLogin(r.Context(), login)
	if errors.Is(err, store.ErrNotFound) {
		auth.CheckPassword("$argon2id$v=19$m=65536,t=3,p=2$c2FsdHNhbHRzYWx0c2FsdA$aGFzaGhhc2hoYXNoaGFzaGhhc2hoYXNoaGFzaGhhc2g", password) // same time as a real check
		fail(http.StatusUnauthorized, "web.login.wrong")
		return
	}
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	if c.LockedUntil != "" && c.LockedUntil > time.Now().UTC().Format(time.RFC3339) {
		fail(http.StatusLocked, "web.login.locked")
		return
	}
	if c.User.Disabled || !auth.CheckPassword(c.PasswordHash, password) {
		if err := s.db.LoginFailed(r.Context(), c.User.ID, s.cfg.MaxLoginFailures, time.Now().Add(s.cfg.LockFor).UTC().Format(time.RFC3339)); err != nil {
			s.log.Error("login failed", "err", err, "request_id", requestID(r))
		}
		fail(http.StatusUnauthorized, "web.login.wrong")
		return
	}
	if s.secondFactor(w, r, c) {
		return
	}
	token, hash, err := auth.NewToken()
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	if err := s.db.StartSession(r.Context(), c.User.ID, hash, time.Now().Add(s.cfg.SessionTTL)); err != nil {
		s.serverError(w, r, err)
		return
	}
	http.SetCookie(w, &http.Cookie{Name: sessionCookie, Value: token, Path: "/", HttpOnly: true, SameSite: http.SameSiteLaxMode,
		Secure: s.cfg.Secure || r.TLS != nil, MaxAge: int(s.cfg.SessionTTL.Seconds())})
	http.Redirect(w, r, next, http.StatusSeeOther)
}

func (s *Server) logout(w http.ResponseWriter, r *http.Request) {
	if c, err := r.Cookie(sessionCookie); err == nil {
		if err := s.db.EndSession(r.Context(), auth.HashToken(c.Value)); err != nil {
			s.log.Error("logout", "err", err, "request_id", requestID(r))
		}
	}
	http.SetCookie(w, &http.Cookie{Name: sessionCookie, Value: "", Path: "/", HttpOnly: true, SameSite: http.SameSiteLaxMode, MaxAge: -1})
	http.Redirect(w, r, "/login", http.StatusSeeOther)
}

func (s *Server) setLang(w http.ResponseWriter, r *http.Request) {
	lang, ok := i18n.Parse(r.PathValue("lang"))
	if !ok {
		lang = i18n.Default
	}
	http.SetCookie(w, &http.Cookie{Name: langCookie, Value: string(lang), Path: "/", SameSite: http.SameSiteLaxMode, MaxAge: 365 * 24 * 3600})
	back := safeNext(r.URL.Query().Get("back"))
	http.Redirect(w, r, back, http.StatusSeeOther)
}

func (s *Server) serverError(w http.ResponseWriter, r *http.Request, err error) {
	if s.abandoned(w, r, err) {
		return
	}
	s.log.Error("server error", "err", err, "request_id", requestID(r))
	s.render(w, r, http.StatusInternalServerError, "error", "web.error.internal", "web.error.internal_text")
}

// dashboard shows the key figures of the year so far, by region and month,
// and what the cycle has due or overdue.
type dashboardData struct {
	Year    int
	Tables  *stats.Tables
	Clients int
	Max     int
	Months  []monitor.MonthStatus
	Regions []regionBar
	ByMonth []regionBar // Code is the month
	Plan    []planBar
	Quarter string
	// Notices counts the services of her region an operator has not yet
	// seen a client deny (campaign_pages.go).
	Notices int
}

type planBar struct {
	Region       string
	Plan, Actual int
	Percent, Bar int
}

type regionBar struct {
	Code     string
	Services int
	Percent  int
}

func (s *Server) dashboard(w http.ResponseWriter, r *http.Request) {
	u := userOf(r)
	today := monitor.Today()
	d := dashboardData{Year: today.Year()}
	if u.Can(auth.ReadReports) || u.Can(auth.ReadRegister) {
		from := fmt.Sprintf("%d-01-01", d.Year)
		t, n, byMonth, err := s.counts(r.Context(), u, from, today.Format(time.DateOnly))
		if err != nil {
			s.serverError(w, r, err)
			return
		}
		d.Tables, d.Clients = t, n.Clients
		most := 1
		for _, m := range byMonth {
			most = max(most, m.Count)
		}
		for _, m := range byMonth {
			d.ByMonth = append(d.ByMonth, regionBar{Code: m.Key, Services: m.Count, Percent: m.Count * 100 / most})
		}
		if err := s.planBars(r, &d, today); err != nil {
			s.serverError(w, r, err)
			return
		}
		byRegion := map[string]int{}
		for _, sv := range t.ServicesByRegionService {
			if u.InScope(sv.Region) {
				byRegion[sv.Region] += sv.Count
			}
		}
		for _, reg := range kz.Regions() {
			if v := byRegion[reg.Code]; v > 0 {
				d.Regions = append(d.Regions, regionBar{Code: reg.Code, Services: v})
				d.Max = max(d.Max, v)
			}
		}
		for i := range d.Regions {
			d.Regions[i].Percent = d.Regions[i].Services * 100 / max(d.Max, 1)
		}
	}
	if u.Can(auth.ReadCycle) {
		thisMonth := kz.Date(today.Year(), today.Month(), 1) // AddDate on the 31st would skip a month
		months, err := s.cycle.Status(r.Context(), thisMonth.AddDate(0, -3, 0).Format("2006-01"), today.Format("2006-01"), today)
		if err != nil {
			s.serverError(w, r, err)
			return
		}
		d.Months = months
	}
	if u.Can(auth.WriteRegister) {
		n, err := s.db.UnreadNotices(r.Context(), u.Region)
		if err != nil {
			s.serverError(w, r, err)
			return
		}
		d.Notices = n
	}
	s.render(w, r, http.StatusOK, "dashboard", "web.dashboard.title", d)
}

// planBars compares the current quarter's plans with the services counted
// so far, by region.
func (s *Server) planBars(r *http.Request, d *dashboardData, today time.Time) error {
	p, err := report.ParsePeriod(fmt.Sprintf("%dQ%d", today.Year(), (int(today.Month())-1)/3+1))
	if err != nil {
		return err
	}
	d.Quarter = p.Name
	plans, err := s.db.Plans(r.Context(), []string{p.Name})
	if err != nil || len(plans) == 0 {
		return err
	}
	u := userOf(r)
	t, _, _, err := s.counts(r.Context(), u, p.From, today.Format(time.DateOnly))
	if err != nil {
		return err
	}
	actual := map[string]int{}
	for _, sv := range t.ServicesByRegionService {
		actual[sv.Region] += sv.Count
	}
	for _, pl := range plans {
		if pl.ServiceCode != "" || !u.InScope(pl.Region) || pl.Target == 0 {
			continue
		}
		pct := actual[pl.Region] * 100 / pl.Target
		d.Plan = append(d.Plan, planBar{Region: pl.Region, Plan: pl.Target, Actual: actual[pl.Region], Percent: pct, Bar: min(pct, 100)})
	}
	return nil
}

// counts returns the tables, the nationwide figures and the services by
// month of [from, to] that u may count: all records, from the warm index,
// or, for a regional manager, her region's, counted from the database so
// that her dashboard is her region's. (The index counts the whole country;
// a region's records are a twentieth of it.)
func (s *Server) counts(ctx context.Context, u *auth.User, from, to string) (*stats.Tables, *stats.National, []stats.KeyCount, error) {
	if u.Region == "" {
		t, n, err := s.indicators.Compute(ctx, from, to)
		if err != nil {
			return nil, nil, nil, err
		}
		byMonth, err := s.indicators.ServicesByMonth(ctx, from, to)
		return t, n, byMonth, err
	}
	c, err := stats.Count(ctx, regionSource{s.cycle, u.Region}, from, to)
	if err != nil {
		return nil, nil, nil, err
	}
	return c.Tables(), c.National(), c.ServicesByMonth(), nil
}

type regionSource struct {
	stats.Source
	region string
}

func (rs regionSource) EachCounted(ctx context.Context, from, to string, fn func(r *register.Record, excluded string) error) error {
	return rs.Source.EachCounted(ctx, from, to, func(r *register.Record, excluded string) error {
		if r.RegionKATO != rs.region {
			return nil
		}
		return fn(r, excluded)
	})
}

// registerData is the register page: the filter, one page of records, and
// the link to the next.
type registerData struct {
	Filter   store.RecordFilter
	Rows     []listedRow
	Count    string // how many records match, or "more than" so many
	Next     string
	Regions  []kz.Region
	Services []register.Service
	Rules    []register.Rule
	Scoped   bool
}

type listedRow struct {
	store.Brief
	Client string
}

func (s *Server) registerPage(w http.ResponseWriter, r *http.Request) {
	f, ok := s.filter(w, r)
	if !ok {
		return
	}
	rows, next, err := s.db.ListBrief(r.Context(), f, r.URL.Query().Get("cursor"), 50)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	n, exact, err := s.db.CountRecords(r.Context(), f, registerCountTo)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	lang := langOf(r)
	d := registerData{Filter: f, Regions: kz.Regions(), Services: register.DefaultServices(), Rules: register.Rules, Scoped: userOf(r).Region != "",
		Count: i18n.N(lang, "web.register.count", n)}
	if !exact {
		d.Count = i18n.N(lang, "web.register.count_more", n)
	}
	for _, l := range rows {
		d.Rows = append(d.Rows, listedRow{Brief: l, Client: auth.MaskName(l.ClientFullName)})
	}
	if next != "" {
		q := r.URL.Query()
		q.Set("cursor", next)
		d.Next = "/register?" + q.Encode()
	}
	s.render(w, r, http.StatusOK, "register", "web.register.title", d)
}

// registerCountTo bounds the count the register page shows: past it the
// page says "more than", so that a wide filter over millions of records is
// not counted on every page.
const registerCountTo = 10_000

// filter reads the register filter from the query, with the user's region
// scope imposed: an operator sees her region whatever the URL says.
func (s *Server) filter(w http.ResponseWriter, r *http.Request) (store.RecordFilter, bool) {
	f := filterOf(r)
	for _, d := range []string{f.From, f.To} {
		if _, err := time.Parse(time.DateOnly, d); d != "" && err != nil {
			s.render(w, r, http.StatusBadRequest, "error", "web.error.bad_request", "web.error.bad_date")
			return f, false
		}
	}
	if u := userOf(r); u.Region != "" {
		f.Region = u.Region
	}
	return f, true
}

// filterOf reads the register filter of a page or API request.
func filterOf(r *http.Request) store.RecordFilter {
	q := r.URL.Query()
	return store.RecordFilter{Region: q.Get("region"), From: q.Get("from"), To: q.Get("to"), Service: q.Get("service"), Status: q.Get("status"),
		Query: strings.TrimSpace(q.Get("q")), Manager: strings.TrimSpace(q.Get("manager")), Finding: q.Get("finding"), Oldest: q.Get("sort") == "oldest"}
}

// recordData is one record with everything known about it. Personal data
// is shown in full only to a role that needs it, within its region, and
// the opening is audited.
type recordData struct {
	*store.RecordDetail
	Full   bool
	Masked register.Record
	// Excluded is why the record does not count in its period's report
	// (a reason code), or "" when it counts.
	Excluded string
}

func (s *Server) recordPage(w http.ResponseWriter, r *http.Request) {
	u := userOf(r)
	d, err := s.db.Record(r.Context(), r.PathValue("id"))
	if errors.Is(err, store.ErrNotFound) || err == nil && !u.InScope(d.Record.RegionKATO) {
		s.render(w, r, http.StatusNotFound, "error", "web.error.not_found", "web.error.not_found_text")
		return
	}
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	rd := recordData{RecordDetail: d, Full: u.Can(auth.ReadPersonal), Masked: maskRecord(d.Record)}
	if rec, facts, err := s.db.RecordFacts(r.Context(), d.Record.RecordID); err == nil {
		rd.Excluded = monitor.Exclusion(rec, facts)
	} else {
		s.serverError(w, r, err)
		return
	}
	if rd.Full {
		if err := s.db.Audit(r.Context(), store.ActorOf(u.ID), "record.open", "record:"+d.Record.RecordID, "personal data shown"); err != nil {
			s.serverError(w, r, err)
			return
		}
	}
	s.render(w, r, http.StatusOK, "record", "web.record.title", rd)
}

// maskRecord hides the personal data of a record.
func maskRecord(rec register.Record) register.Record {
	rec.ClientFullName = auth.MaskName(rec.ClientFullName)
	rec.ClientIIN = auth.MaskIIN(rec.ClientIIN)
	rec.MobilePhone = auth.MaskPhone(rec.MobilePhone)
	rec.WorkPhone = auth.MaskPhone(rec.WorkPhone)
	rec.Email = auth.MaskEmail(rec.Email)
	rec.ClientBirthDate = ""
	if len(rec.EnterpriseID) == 12 && rec.EnterpriseID[4] < '4' { // an IE's IIN is a person's
		rec.EnterpriseID = auth.MaskIIN(rec.EnterpriseID)
	}
	return rec
}
