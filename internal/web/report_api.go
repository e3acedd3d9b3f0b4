package web

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"

	"esep/internal/i18n"
	"esep/internal/report"
	"esep/internal/store"
)

// reportAPIPeriod reads the {period} of an API path.
func (s *Server) reportAPIPeriod(w http.ResponseWriter, r *http.Request) (report.Period, bool) {
	p, err := report.ParsePeriod(r.PathValue("period"))
	if err != nil {
		msg, _ := cycleErrText(langOf(r), err)
		cycleAPIError(w, http.StatusBadRequest, "bad_request", msg)
		return p, false
	}
	return p, true
}

// reportAPIVersion reads the {period} and {n} of an API path.
func (s *Server) reportAPIVersion(w http.ResponseWriter, r *http.Request) (report.Period, int, bool) {
	p, ok := s.reportAPIPeriod(w, r)
	if !ok {
		return p, 0, false
	}
	v, err := strconv.Atoi(r.PathValue("n"))
	if err != nil || v < 1 {
		s.reportAPIFail(w, r, p, v, store.ErrNotFound)
		return p, 0, false
	}
	return p, v, true
}

// reportAPIFail maps an error of the report part to its API answer: no
// data for the period (no_data, 404: there is nothing to report, which is
// not a fault), no such version (not_found), a sent report that cannot
// change (conflict, 409), a refused edit (bad_request), or internal.
func (s *Server) reportAPIFail(w http.ResponseWriter, r *http.Request, p report.Period, v int, err error) {
	lang := langOf(r)
	switch {
	case errors.Is(err, report.ErrNoData):
		cycleAPIError(w, http.StatusNotFound, "no_data", i18n.T(lang, "report.error.no_data", "period", p.Name))
	case errors.Is(err, store.ErrNotFound):
		cycleAPIError(w, http.StatusNotFound, "not_found", i18n.T(lang, "web.reports.no_version", "period", p.Name, "version", v))
	case errors.Is(err, store.ErrConflict):
		cycleAPIError(w, http.StatusConflict, "conflict", i18n.T(lang, "report.error.sent"))
	case errors.Is(err, report.ErrNoConclusion):
		cycleAPIError(w, http.StatusNotFound, "not_found", i18n.T(lang, "web.reports.no_conclusion"))
	case errors.Is(err, report.ErrTooLong):
		cycleAPIError(w, http.StatusBadRequest, "bad_request", i18n.T(lang, "web.reports.too_long", "max", report.MaxConclusion))
	default:
		s.apiInternal(w, r, err)
	}
}

// reportAPIWrite answers with rep: its JSON, or with ?format=pdf|xlsx|json
// the file in the caller's language.
func (s *Server) reportAPIWrite(w http.ResponseWriter, r *http.Request, rep *report.Report) {
	lang := langOf(r)
	format := r.URL.Query().Get("format")
	if format == "" {
		writeJSON(w, http.StatusOK, rep)
		return
	}
	render, ok := reportRenderers[format]
	if !ok {
		cycleAPIError(w, http.StatusBadRequest, "bad_request", i18n.T(lang, "web.reports.bad_format"))
		return
	}
	if err := cycleDownload(w, reportFileName(rep, lang, format), format, func(out io.Writer) error { return render(out, rep, lang) }); err != nil {
		s.apiInternal(w, r, err)
	}
}

// apiReports lists the saved versions, newest first; ?period= limits the
// list to one period.
func (s *Server) apiReports(w http.ResponseWriter, r *http.Request) {
	var only *report.Period
	if v := r.URL.Query().Get("period"); v != "" {
		p, err := report.ParsePeriod(v)
		if err != nil {
			msg, _ := cycleErrText(langOf(r), err)
			cycleAPIError(w, http.StatusBadRequest, "bad_request", msg)
			return
		}
		only = &p
	}
	list, err := s.reportList(r.Context(), only)
	if err != nil {
		s.apiInternal(w, r, err)
		return
	}
	if list == nil {
		list = []reportListed{}
	}
	writeJSON(w, http.StatusOK, map[string]any{"items": list})
}

// apiReportLive is the report of a period from the data as they stand.
func (s *Server) apiReportLive(w http.ResponseWriter, r *http.Request) {
	p, ok := s.reportAPIPeriod(w, r)
	if !ok {
		return
	}
	rep, err := s.reportBuild(r.Context(), p)
	if err != nil {
		s.reportAPIFail(w, r, p, 0, err)
		return
	}
	s.reportAPIWrite(w, r, rep)
}

// apiReportSave saves the period's report as a new draft version.
func (s *Server) apiReportSave(w http.ResponseWriter, r *http.Request) {
	p, ok := s.reportAPIPeriod(w, r)
	if !ok {
		return
	}
	sr, err := s.reportSave(r.Context(), userOf(r), p)
	if err != nil {
		s.reportAPIFail(w, r, p, 0, err)
		return
	}
	l := reportListedOf(sr)
	w.Header().Set("Location", l.URL)
	writeJSON(w, http.StatusCreated, l)
}

// apiReportVersion is a saved version, rendered from its snapshot.
func (s *Server) apiReportVersion(w http.ResponseWriter, r *http.Request) {
	p, v, ok := s.reportAPIVersion(w, r)
	if !ok {
		return
	}
	_, rep, err := s.reportLoad(r.Context(), p, v)
	if err != nil {
		s.reportAPIFail(w, r, p, v, err)
		return
	}
	s.reportAPIWrite(w, r, rep)
}

// reportConclusionBody is the body of a conclusion's edit. Lang defaults
// to the request's language; an empty text restores the generated one.
type reportConclusionBody struct {
	Lang string `json:"lang"`
	Text string `json:"text"`
}

// apiReportConclusion edits conclusion {i} (from 1, as printed) of a draft
// in one language.
func (s *Server) apiReportConclusion(w http.ResponseWriter, r *http.Request) {
	p, v, ok := s.reportAPIVersion(w, r)
	if !ok {
		return
	}
	i, err := strconv.Atoi(r.PathValue("i"))
	if err != nil || i < 1 {
		s.reportAPIFail(w, r, p, v, report.ErrNoConclusion)
		return
	}
	var body reportConclusionBody
	if !s.cycleDecode(w, r, &body, false) {
		return
	}
	lang := langOf(r)
	if body.Lang != "" {
		l, ok := i18n.Parse(body.Lang)
		if !ok || string(l) != body.Lang {
			cycleAPIError(w, http.StatusBadRequest, "bad_request", i18n.T(langOf(r), "web.reports.bad_lang"))
			return
		}
		lang = l
	}
	rep, err := s.reportEdit(r.Context(), userOf(r), p, v, lang, map[int]string{i - 1: body.Text})
	if err != nil {
		s.reportAPIFail(w, r, p, v, err)
		return
	}
	c := rep.Conclusions[i-1]
	writeJSON(w, http.StatusOK, map[string]any{"index": i, "key": c.Key, "lang": lang, "text": report.ConclusionText(c, lang),
		"edited": c.Edited[string(lang)] != "", "url": fmt.Sprintf("/api/v1/reports/%s/versions/%d", p.Name, v)})
}

// apiReportSend sends (freezes) a draft. A second send is a conflict.
func (s *Server) apiReportSend(w http.ResponseWriter, r *http.Request) {
	p, v, ok := s.reportAPIVersion(w, r)
	if !ok {
		return
	}
	rep, err := s.reportSend(r.Context(), userOf(r), p, v)
	if err != nil {
		s.reportAPIFail(w, r, p, v, err)
		return
	}
	writeJSON(w, http.StatusOK, reportListed{Kind: string(rep.Kind), Period: rep.Period, Version: rep.Version, Status: string(rep.Status),
		GeneratedAt: rep.GeneratedAt, SentAt: rep.SentAt, URL: fmt.Sprintf("/api/v1/reports/%s/versions/%d", rep.Period, rep.Version)})
}
