package web

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"esep/internal/auth"
	"esep/internal/i18n"
	"esep/internal/monitor"
	"esep/internal/report"
	"esep/internal/store"
)

// reportsData is the reports page: the choice of a period, and the saved
// versions.
type reportsData struct {
	Period   string
	Suggest  []string
	Versions []reportListed
	Error    string
}

// reportsPage lists the saved versions and lets the user pick a period;
// ?period= goes to that period's live report.
func (s *Server) reportsPage(w http.ResponseWriter, r *http.Request) {
	lang := langOf(r)
	d := reportsData{Period: strings.TrimSpace(r.URL.Query().Get("period")), Suggest: reportSuggest(monitor.Today())}
	status := http.StatusOK
	if d.Period != "" {
		p, err := report.ParsePeriod(d.Period)
		if err == nil {
			http.Redirect(w, r, "/reports/"+p.Name, http.StatusSeeOther)
			return
		}
		d.Error, _ = cycleErrText(lang, err)
		status = http.StatusBadRequest
	}
	var err error
	if d.Versions, err = s.reportList(r.Context(), nil); err != nil {
		s.serverError(w, r, err)
		return
	}
	s.render(w, r, status, "reports", "web.reports.title", d)
}

// reportSuggest offers the periods most often asked for: the quarters of
// the last year and a bit, and this year and last.
func reportSuggest(today time.Time) []string {
	var out []string
	for y := today.Year(); y >= today.Year()-1; y-- {
		for q := 4; q >= 1; q-- {
			out = append(out, fmt.Sprintf("%dQ%d", y, q))
		}
		out = append(out, strconv.Itoa(y))
	}
	return out
}

// reportPeriodOf reads the period of the path, telling the user what is
// wrong with one that cannot be read.
func (s *Server) reportPeriodOf(w http.ResponseWriter, r *http.Request, value string) (report.Period, bool) {
	p, err := report.ParsePeriod(value)
	if err != nil {
		msg, _ := cycleErrText(langOf(r), err)
		s.cycleNotice(w, r, http.StatusBadRequest, "web.reports.title", msg, "/reports")
		return p, false
	}
	return p, true
}

// reportFailPage shows why a report cannot be had: no data for the period
// (not an error of the server: there is nothing to report), no such
// version, or an internal error.
func (s *Server) reportFailPage(w http.ResponseWriter, r *http.Request, p report.Period, v int, err error) {
	lang := langOf(r)
	switch {
	case errors.Is(err, report.ErrNoData):
		s.cycleNotice(w, r, http.StatusNotFound, "web.reports.title", i18n.T(lang, "report.error.no_data", "period", p.Name), "/reports")
	case errors.Is(err, store.ErrNotFound):
		s.cycleNotice(w, r, http.StatusNotFound, "web.reports.title", i18n.T(lang, "web.reports.no_version", "period", p.Name, "version", v), "/reports/"+p.Name)
	default:
		s.serverError(w, r, err)
	}
}

// reportLivePage previews the report of a period from the data as they
// stand, or downloads it (/reports/2026Q3.pdf).
func (s *Server) reportLivePage(w http.ResponseWriter, r *http.Request) {
	name, format := cycleSplitExt(r.PathValue("period"))
	p, ok := s.reportPeriodOf(w, r, name)
	if !ok {
		return
	}
	rep, err := s.reportBuild(r.Context(), p)
	if err != nil {
		s.reportFailPage(w, r, p, 0, err)
		return
	}
	s.reportShow(w, r, p, rep, "/reports/"+p.Name, format)
}

// reportVersionPage shows a saved version (/reports/2026Q3/v2) or
// downloads it (/reports/2026Q3/v2.pdf). A sent version renders from its
// snapshot alone: its downloads are the same bytes whatever is corrected
// later.
func (s *Server) reportVersionPage(w http.ResponseWriter, r *http.Request) {
	p, ok := s.reportPeriodOf(w, r, r.PathValue("period"))
	if !ok {
		return
	}
	v, format, ok := reportVersionOf(r.PathValue("version"))
	if !ok {
		s.reportFailPage(w, r, p, 0, store.ErrNotFound)
		return
	}
	_, rep, err := s.reportLoad(r.Context(), p, v)
	if err != nil {
		s.reportFailPage(w, r, p, v, err)
		return
	}
	s.reportShow(w, r, p, rep, fmt.Sprintf("/reports/%s/v%d", p.Name, v), format)
}

// reportVersionOf reads "v2" or "v2.pdf".
func reportVersionOf(s string) (int, string, bool) {
	name, format := cycleSplitExt(s)
	n, err := strconv.Atoi(strings.TrimPrefix(name, "v"))
	if !strings.HasPrefix(name, "v") || err != nil || n < 1 {
		return 0, "", false
	}
	return n, format, true
}

// reportShow renders rep: as a page, or as a download in format.
func (s *Server) reportShow(w http.ResponseWriter, r *http.Request, p report.Period, rep *report.Report, base, format string) {
	lang, u := langOf(r), userOf(r)
	if format != "" {
		render := reportRenderers[format]
		if err := cycleDownload(w, reportFileName(rep, lang, format), format, func(out io.Writer) error { return render(out, rep, lang) }); err != nil {
			s.serverError(w, r, err)
		}
		return
	}
	d := reportView(rep, lang)
	d.Base, d.Stored = base, rep.Version > 0
	d.CanWrite = u.Can(auth.WriteReports) && !d.Sent
	var err error
	if d.Versions, err = s.reportList(r.Context(), &p); err != nil {
		s.serverError(w, r, err)
		return
	}
	switch r.URL.Query().Get("done") {
	case "saved":
		d.Notice = i18n.T(lang, "web.reports.saved_notice", "version", rep.Version)
	case "edited":
		d.Notice = i18n.T(lang, "web.reports.edited_notice")
	case "sent":
		d.Notice = i18n.T(lang, "web.reports.sent_notice")
	}
	s.render(w, r, http.StatusOK, "report", "doc.report.title", d)
}

// reportSavePage saves the period's report as a new draft version and
// goes to it.
func (s *Server) reportSavePage(w http.ResponseWriter, r *http.Request) {
	p, ok := s.reportPeriodOf(w, r, r.PathValue("period"))
	if !ok {
		return
	}
	sr, err := s.reportSave(r.Context(), userOf(r), p)
	if err != nil {
		s.reportFailPage(w, r, p, 0, err)
		return
	}
	http.Redirect(w, r, fmt.Sprintf("/reports/%s/v%d?done=saved", p.Name, sr.Version), http.StatusSeeOther)
}

// reportEditPage saves the conclusions edited on a draft's page: a
// textarea per conclusion (c1, c2, ...), in the user's language.
func (s *Server) reportEditPage(w http.ResponseWriter, r *http.Request) {
	lang := langOf(r)
	p, ok := s.reportPeriodOf(w, r, r.PathValue("period"))
	if !ok {
		return
	}
	v, format, ok := reportVersionOf(r.PathValue("version"))
	if !ok || format != "" {
		s.reportFailPage(w, r, p, 0, store.ErrNotFound)
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, 256<<10)
	if err := r.ParseForm(); err != nil {
		s.cycleNotice(w, r, http.StatusBadRequest, "web.reports.title", i18n.T(lang, "web.reports.too_long", "max", report.MaxConclusion), r.URL.Path)
		return
	}
	edits := map[int]string{}
	for name, values := range r.PostForm {
		n, err := strconv.Atoi(strings.TrimPrefix(name, "c"))
		if strings.HasPrefix(name, "c") && err == nil && len(values) > 0 {
			edits[n-1] = values[0]
		}
	}
	back := fmt.Sprintf("/reports/%s/v%d", p.Name, v)
	_, err := s.reportEdit(r.Context(), userOf(r), p, v, lang, edits)
	switch {
	case err == nil:
		http.Redirect(w, r, back+"?done=edited", http.StatusSeeOther)
	case errors.Is(err, store.ErrConflict):
		s.cycleNotice(w, r, http.StatusConflict, "web.reports.title", i18n.T(lang, "report.error.sent"), back)
	case errors.Is(err, report.ErrTooLong):
		s.cycleNotice(w, r, http.StatusBadRequest, "web.reports.title", i18n.T(lang, "web.reports.too_long", "max", report.MaxConclusion), back)
	case errors.Is(err, report.ErrNoConclusion):
		s.cycleNotice(w, r, http.StatusBadRequest, "web.reports.title", i18n.T(lang, "web.reports.no_conclusion"), back)
	default:
		s.reportFailPage(w, r, p, v, err)
	}
}

// reportSendPage sends (freezes) a draft. The form carries a required
// confirmation, since it cannot be undone: a change afterwards is a new
// version.
func (s *Server) reportSendPage(w http.ResponseWriter, r *http.Request) {
	lang := langOf(r)
	p, ok := s.reportPeriodOf(w, r, r.PathValue("period"))
	if !ok {
		return
	}
	v, format, ok := reportVersionOf(r.PathValue("version"))
	if !ok || format != "" {
		s.reportFailPage(w, r, p, 0, store.ErrNotFound)
		return
	}
	back := fmt.Sprintf("/reports/%s/v%d", p.Name, v)
	r.Body = http.MaxBytesReader(w, r.Body, 16<<10)
	if r.PostFormValue("confirm") == "" {
		s.cycleNotice(w, r, http.StatusBadRequest, "web.reports.title", i18n.T(lang, "web.reports.confirm_needed"), back)
		return
	}
	_, err := s.reportSend(r.Context(), userOf(r), p, v)
	switch {
	case err == nil:
		http.Redirect(w, r, back+"?done=sent", http.StatusSeeOther)
	case errors.Is(err, store.ErrConflict):
		s.cycleNotice(w, r, http.StatusConflict, "web.reports.title", i18n.T(lang, "report.error.sent"), back)
	default:
		s.reportFailPage(w, r, p, v, err)
	}
}
