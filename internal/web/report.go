package web

// Reports as the pages and the API both use them: built from the data as
// they stand, saved as a draft version, its conclusions edited, sent
// (frozen), listed, rendered. Each step is the one esep report takes
// (cmd/esep/annex.go), so that a version saved by one renders to the same
// bytes in the other.

import (
	"context"
	"fmt"
	"io"
	"strconv"

	"esep/internal/auth"
	"esep/internal/i18n"
	"esep/internal/pdf"
	"esep/internal/report"
	"esep/internal/store"
	"esep/internal/xlsx"
)

// reportRenderers turn a report into a file, in a language.
var reportRenderers = map[string]func(w io.Writer, r *report.Report, lang i18n.Lang) error{
	"json": func(w io.Writer, r *report.Report, _ i18n.Lang) error { return report.WriteJSON(w, r, "") },
	"pdf":  pdf.Report,
	"xlsx": xlsx.Report,
}

// reportBuild builds the report of p from the data as they stand. It
// returns an error wrapping report.ErrNoData for a period with nothing in
// it.
func (s *Server) reportBuild(ctx context.Context, p report.Period) (*report.Report, error) {
	return (&report.Builder{Cycle: s.cycle, Indicators: s.indicators}).Build(ctx, p)
}

// reportLoad reads version v (1, 2, ...) of p's report as it renders.
// store.ErrNotFound when there is no such version.
func (s *Server) reportLoad(ctx context.Context, p report.Period, v int) (*store.StoredReport, *report.Report, error) {
	if v < 1 { // version 0 would mean "the latest" to the store
		return nil, nil, store.ErrNotFound
	}
	return report.Load(ctx, s.db, p, v)
}

// reportSave builds p's report and stores it as a new draft version.
func (s *Server) reportSave(ctx context.Context, u *auth.User, p report.Period) (*store.StoredReport, error) {
	r, err := s.reportBuild(ctx, p)
	if err != nil {
		return nil, err
	}
	return report.Save(ctx, s.db, r, cycleActor(u))
}

// reportEdit replaces conclusions of draft version v in lang (see
// report.EditConclusions).
func (s *Server) reportEdit(ctx context.Context, u *auth.User, p report.Period, v int, lang i18n.Lang, edits map[int]string) (*report.Report, error) {
	if v < 1 {
		return nil, store.ErrNotFound
	}
	return report.EditConclusions(ctx, s.db, p, v, lang, edits, cycleActor(u))
}

// reportSend freezes version v (see report.Send).
func (s *Server) reportSend(ctx context.Context, u *auth.User, p report.Period, v int) (*report.Report, error) {
	if v < 1 {
		return nil, store.ErrNotFound
	}
	return report.Send(ctx, s.db, p, v, cycleActor(u))
}

// reportListed is a saved version in a list.
type reportListed struct {
	Kind        string `json:"kind"`
	Period      string `json:"period"`
	Version     int    `json:"version"`
	Status      string `json:"status"`
	GeneratedAt string `json:"generated_at"`
	SentAt      string `json:"sent_at,omitempty"`
	URL         string `json:"url"`
	// For the page: its address and the times in Kazakhstan.
	Page      string `json:"-"`
	Generated string `json:"-"`
	Sent      string `json:"-"`
}

// reportList lists the saved versions, newest period and version first;
// only, when set, limits it to one period.
func (s *Server) reportList(ctx context.Context, only *report.Period) ([]reportListed, error) {
	period := ""
	if only != nil {
		period = only.Name
	}
	stored, err := s.db.ListReports(ctx, period)
	if err != nil {
		return nil, err
	}
	out := make([]reportListed, 0, len(stored))
	for i := range stored {
		out = append(out, reportListedOf(&stored[i]))
	}
	return out, nil
}

func reportListedOf(sr *store.StoredReport) reportListed {
	return reportListed{Kind: sr.Kind, Period: sr.Period, Version: sr.Version, Status: sr.Status, GeneratedAt: sr.GeneratedAt, SentAt: sr.SentAt,
		URL:  fmt.Sprintf("/api/v1/reports/%s/versions/%d", sr.Period, sr.Version),
		Page: fmt.Sprintf("/reports/%s/v%d", sr.Period, sr.Version), Generated: cycleLocalTime(sr.GeneratedAt), Sent: cycleLocalTime(sr.SentAt)}
}

// reportFileName names a download: the period, the version or "live", the
// language.
func reportFileName(r *report.Report, lang i18n.Lang, format string) string {
	v := "live"
	if r.Version > 0 {
		v = "v" + strconv.Itoa(r.Version)
	}
	return fmt.Sprintf("report-%s-%s-%s.%s", r.Period, v, lang, format)
}
