package web

import (
	"bytes"
	"cmp"
	"context"
	"net/http"
	"slices"
	"strings"
	"time"

	"esep/internal/auth"
	"esep/internal/i18n"
	"esep/internal/monitor"
	"esep/internal/register"
	"esep/internal/store"

	"esep/internal/kz"
)

// importZone is Kazakhstan's time, in which the pages show when an import
// ran.
var importZone = kz.Zone

// importFormData is the import page: the form, the user's imports of this
// run of the server, and the latest imports in the database.
type importFormData struct {
	Error    string
	Month    string
	MaxMonth string // the latest register month accepted: the current one
	Region   string // the region the user is limited to, if any
	MaxMB    int64
	Jobs     []jobView
	Recent   []recentImport
}

// recentImport is a committed import as the page lists it.
type recentImport struct {
	store.ImportInfo
	File string // the base name, without a directory
	By   string // the importer's name when known
	When string
}

// recentImportsShown is how many imports from the database the page lists.
const recentImportsShown = 20

func (s *Server) importPage(w http.ResponseWriter, r *http.Request) {
	s.renderImportForm(w, r, http.StatusOK, "", "")
}

func (s *Server) renderImportForm(w http.ResponseWriter, r *http.Request, status int, errText, month string) {
	u := userOf(r)
	d := importFormData{Error: errText, Month: month, MaxMonth: monitor.Today().Format("2006-01"), Region: u.Region,
		MaxMB: maxImportUpload() >> 20, Jobs: s.jobs.list(u.ID)}
	recent, err := s.recentImports(r.Context(), u)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	d.Recent = recent
	s.render(w, r, status, "import", "web.import.title", d)
}

// recentImports lists the latest imports: all of them for a user who sees
// every region, her own for a manager limited to one (the others' file
// names and counts are other regions' business).
func (s *Server) recentImports(ctx context.Context, u *auth.User) ([]recentImport, error) {
	by := ""
	if u.Region != "" {
		by = actor(u)
	}
	list, err := s.db.RecentImports(ctx, by, recentImportsShown)
	if err != nil {
		return nil, err
	}
	users, err := s.db.Users(ctx)
	if err != nil {
		return nil, err
	}
	names := make(map[string]string, len(users))
	for _, x := range users {
		names[actor(x)] = x.Name
	}
	out := make([]recentImport, len(list))
	for i, im := range list {
		by := im.By
		if n, ok := names[by]; ok {
			by = n
		}
		out[i] = recentImport{ImportInfo: im, File: importFileName(im.FileName), By: by, When: importTime(im.FinishedAt)}
	}
	return out, nil
}

// importTime shows an RFC 3339 time as a date and minute in Kazakhstan.
func importTime(ts string) string {
	t, err := time.Parse(time.RFC3339Nano, ts)
	if err != nil {
		return ts
	}
	return t.In(importZone).Format("2006-01-02 15:04")
}

// StartedText is when the job started, for a page.
func (v jobView) StartedText() string { return v.Started.In(importZone).Format("2006-01-02 15:04:05") }

// importPost receives the form, starts the import and sends the browser to
// its page (303, so that reloading that page does not post the file again).
func (s *Server) importPost(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, maxImportUpload())
	up, ref, err := receiveImport(r, false)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	if ref != nil {
		s.renderImportForm(w, r, ref.status, ref.message(langOf(r)), "")
		return
	}
	j, ref, err := s.startImport(r, up)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	if ref != nil {
		s.renderImportForm(w, r, ref.status, ref.message(langOf(r)), up.month)
		return
	}
	http.Redirect(w, r, "/import/"+j.id, http.StatusSeeOther)
}

// jobPage is the page of one import.
type jobPage struct {
	jobView
	Rules   []importRuleCount
	Unknown string // the file's columns that were ignored
}

type importRuleCount struct {
	Code     string
	Severity register.Severity
	Count    int
}

func jobPageOf(v jobView) jobPage {
	p := jobPage{jobView: v}
	if v.Result == nil {
		return p
	}
	for code, n := range v.Result.RuleCounts {
		rc := importRuleCount{Code: code, Count: n}
		if rule, ok := register.RuleByCode(code); ok {
			rc.Severity = rule.Severity
		}
		p.Rules = append(p.Rules, rc)
	}
	// The most frequent problems first: they are what to fix first.
	slices.SortFunc(p.Rules, func(a, b importRuleCount) int {
		return cmp.Or(cmp.Compare(b.Count, a.Count), cmp.Compare(a.Code, b.Code))
	})
	p.Unknown = strings.Join(v.Result.UnknownColumns, ", ")
	return p
}

// userJob returns the job of the request's path if it is the user's; else
// it renders "not found" and reports false.
func (s *Server) userJob(w http.ResponseWriter, r *http.Request) (*job, bool) {
	j, ok := s.jobs.get(r.PathValue("id"), userOf(r).ID)
	if !ok {
		s.render(w, r, http.StatusNotFound, "error", "web.error.not_found", "web.import.not_found")
	}
	return j, ok
}

func (s *Server) importJobPage(w http.ResponseWriter, r *http.Request) {
	j, ok := s.userJob(w, r)
	if !ok {
		return
	}
	s.render(w, r, http.StatusOK, "import_job", "web.import.job_title", jobPageOf(j.view()))
}

// importProgress is the fragment the job page polls (htmx): the progress
// bar while the import runs, then the summary or the error, which no longer
// polls.
func (s *Server) importProgress(w http.ResponseWriter, r *http.Request) {
	j, ok := s.userJob(w, r)
	if !ok {
		return
	}
	lang := langOf(r)
	v := view{Lang: lang, Langs: i18n.Langs, User: userOf(r), Path: r.URL.Path, Data: jobPageOf(j.view())}
	var buf bytes.Buffer
	if err := s.pages.set["import_job"].ExecuteTemplate(&buf, "import_status", v); err != nil {
		s.serverError(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Content-Security-Policy", "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; frame-ancestors 'none'")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.Header().Set("Cache-Control", "no-store")
	w.Write(buf.Bytes())
}
