package web

// Reports as the pages and the API both use them: built from the data as
// they stand, saved as a draft version, its conclusions edited, sent
// (frozen), listed, rendered. Each step is the one esep report takes
// (cmd/esep/annex.go), so that a version saved by one renders to the same
// bytes in the other.

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"esep/internal/auth"
	"esep/internal/i18n"
	"esep/internal/monitor"
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

// Refusals of an edit.
var (
	errReportNoConclusion = errors.New("report: no such conclusion")
	errReportTooLong      = errors.New("report: conclusion too long")
)

// reportMaxText bounds an edited conclusion, in characters: a paragraph,
// not a document.
const reportMaxText = 4000

// reportFirstYear is the first year a report can have been saved for: the
// methodology dates from order No. 59 of 2019.
const reportFirstYear = 2019

// reportBuild builds the report of p from the data as they stand. It
// returns an error wrapping report.ErrNoData for a period with nothing in
// it.
func (s *Server) reportBuild(ctx context.Context, p report.Period) (*report.Report, error) {
	return (&report.Builder{Cycle: s.cycle}).Build(ctx, p)
}

// reportLoad reads version v (1, 2, ...) of p's report as it renders: the
// stored snapshot with its id and version. store.ErrNotFound when there is
// no such version.
func (s *Server) reportLoad(ctx context.Context, p report.Period, v int) (*store.StoredReport, *report.Report, error) {
	if v < 1 { // version 0 would mean "the latest" to the store
		return nil, nil, store.ErrNotFound
	}
	sr, err := s.db.Report(ctx, string(p.Kind), p.Name, v)
	if err != nil {
		return nil, nil, err
	}
	r, err := report.FromSnapshot(sr.Snapshot)
	if err != nil {
		return nil, nil, err
	}
	r.ID, r.Version = sr.ID, sr.Version
	return sr, r, nil
}

// reportSave builds p's report and stores it as a new draft version.
func (s *Server) reportSave(ctx context.Context, u *auth.User, p report.Period) (*store.StoredReport, error) {
	r, err := s.reportBuild(ctx, p)
	if err != nil {
		return nil, err
	}
	snap, err := report.Snapshot(r)
	if err != nil {
		return nil, err
	}
	sr := &store.StoredReport{Kind: string(r.Kind), Period: r.Period, Status: string(report.Draft), GeneratedAt: r.GeneratedAt, Snapshot: snap}
	if err := s.db.SaveReport(ctx, sr, cycleActor(u)); err != nil {
		return nil, err
	}
	return sr, nil
}

// reportEdit replaces conclusions of draft version v in lang: edits maps a
// conclusion's index (from 0) to its new text. An empty text, or the
// generated text itself, restores the generated observation. It returns
// the report as stored, store.ErrConflict once the report is sent,
// errReportNoConclusion or errReportTooLong.
func (s *Server) reportEdit(ctx context.Context, u *auth.User, p report.Period, v int, lang i18n.Lang, edits map[int]string) (*report.Report, error) {
	sr, r, err := s.reportLoad(ctx, p, v)
	if err != nil {
		return nil, err
	}
	if sr.Status == string(report.Sent) {
		return nil, fmt.Errorf("report %s v%d is sent: %w", p.Name, v, store.ErrConflict)
	}
	changed := false
	for i, text := range edits {
		if i < 0 || i >= len(r.Conclusions) {
			return nil, errReportNoConclusion
		}
		// A textarea sends CRLF line ends.
		text = strings.TrimSpace(strings.ReplaceAll(text, "\r\n", "\n"))
		if utf8.RuneCountInString(text) > reportMaxText {
			return nil, errReportTooLong
		}
		c := &r.Conclusions[i]
		old := c.Edited[string(lang)]
		generated := report.ConclusionText(report.Conclusion{Key: c.Key, Params: c.Params}, lang)
		if text == generated {
			text = ""
		}
		if text == old {
			continue
		}
		changed = true
		if text == "" {
			delete(c.Edited, string(lang))
			if len(c.Edited) == 0 {
				c.Edited = nil
			}
			continue
		}
		if c.Edited == nil {
			c.Edited = map[string]string{}
		}
		c.Edited[string(lang)] = text
	}
	if !changed { // nothing to store, and nothing to audit
		return r, nil
	}
	snap, err := report.Snapshot(r)
	if err != nil {
		return nil, err
	}
	if err := s.db.UpdateDraft(ctx, sr.ID, snap, cycleActor(u)); err != nil {
		return nil, err
	}
	return r, nil
}

// reportSend freezes version v: from then on it renders from its snapshot
// alone, byte for byte, whatever is corrected later. store.ErrConflict
// when it was already sent.
func (s *Server) reportSend(ctx context.Context, u *auth.User, p report.Period, v int) (*report.Report, error) {
	sr, r, err := s.reportLoad(ctx, p, v)
	if err != nil {
		return nil, err
	}
	if sr.Status == string(report.Sent) {
		return nil, fmt.Errorf("report %s v%d is sent: %w", p.Name, v, store.ErrConflict)
	}
	r.Status, r.SentAt = report.Sent, time.Now().UTC().Truncate(time.Second).Format(time.RFC3339)
	snap, err := report.Snapshot(r)
	if err != nil {
		return nil, err
	}
	if err := s.db.MarkReportSent(ctx, sr.ID, r.SentAt, snap, cycleActor(u)); err != nil {
		return nil, err
	}
	return r, nil
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
//
// The store can fetch a version but not list them, so every period a
// report can have been saved for is asked after in turn: five a year
// since reportFirstYear. A listing query in the store would replace this.
func (s *Server) reportList(ctx context.Context, only *report.Period) ([]reportListed, error) {
	var periods []report.Period
	if only != nil {
		periods = append(periods, *only)
	} else {
		for y := reportFirstYear; y <= monitor.Today().Year()+1; y++ {
			for _, name := range []string{"", "Q1", "Q2", "Q3", "Q4"} {
				p, err := report.ParsePeriod(strconv.Itoa(y) + name)
				if err != nil {
					return nil, err
				}
				periods = append(periods, p)
			}
		}
	}
	var out []reportListed
	for _, p := range periods {
		latest, err := s.db.Report(ctx, string(p.Kind), p.Name, 0)
		if errors.Is(err, store.ErrNotFound) {
			continue
		}
		if err != nil {
			return nil, err
		}
		out = append(out, reportListedOf(latest))
		for v := latest.Version - 1; v >= 1; v-- {
			sr, err := s.db.Report(ctx, string(p.Kind), p.Name, v)
			if errors.Is(err, store.ErrNotFound) {
				continue
			}
			if err != nil {
				return nil, err
			}
			out = append(out, reportListedOf(sr))
		}
	}
	slices.SortFunc(out, func(a, b reportListed) int {
		return cmp.Or(cmp.Compare(b.Period, a.Period), cmp.Compare(b.Version, a.Version))
	})
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
