package report

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"esep/internal/i18n"
	"esep/internal/store"
)

// A report's life: built from the data as they stand, saved as a draft
// version, its conclusions edited, sent — frozen, rendering from its
// snapshot alone ever after. The command line and the web both go through
// these functions, so a version saved by one renders to the same bytes in
// the other.

// Refusals of an edit.
var (
	ErrNoConclusion = errors.New("report: no such conclusion")
	ErrTooLong      = errors.New("report: conclusion too long")
	// ErrSent wraps store.ErrConflict: a sent report never changes.
	ErrSent = fmt.Errorf("report: already sent: %w", store.ErrConflict)
)

// MaxConclusion bounds an edited conclusion, in characters: a paragraph,
// not a document.
const MaxConclusion = 4000

// Save stores r as a new draft version and returns it as stored.
func Save(ctx context.Context, db *store.DB, r *Report, actor string) (*store.StoredReport, error) {
	snap, err := Snapshot(r)
	if err != nil {
		return nil, err
	}
	sr := &store.StoredReport{Kind: string(r.Kind), Period: r.Period, Status: string(Draft), GeneratedAt: r.GeneratedAt, Snapshot: snap}
	if err := db.SaveReport(ctx, sr, actor); err != nil {
		return nil, err
	}
	r.ID, r.Version = sr.ID, sr.Version
	return sr, nil
}

// Load reads version v of p's report (0: the latest) as it renders.
// store.ErrNotFound when there is none.
func Load(ctx context.Context, db *store.DB, p Period, v int) (*store.StoredReport, *Report, error) {
	sr, err := db.Report(ctx, string(p.Kind), p.Name, v)
	if err != nil {
		return nil, nil, err
	}
	r, err := FromSnapshot(sr.Snapshot)
	if err != nil {
		return nil, nil, err
	}
	r.ID, r.Version = sr.ID, sr.Version
	return sr, r, nil
}

// EditConclusions replaces conclusions of draft version v in lang: edits
// maps a conclusion's index (from 0) to its new text. An empty text, or the
// generated text itself, restores the generated observation. It returns
// ErrSent once the report is sent, ErrNoConclusion or ErrTooLong.
func EditConclusions(ctx context.Context, db *store.DB, p Period, v int, lang i18n.Lang, edits map[int]string, actor string) (*Report, error) {
	sr, r, err := Load(ctx, db, p, v)
	if err != nil {
		return nil, err
	}
	if sr.Status == string(Sent) {
		return nil, ErrSent
	}
	changed := false
	for i, text := range edits {
		if i < 0 || i >= len(r.Conclusions) {
			return nil, ErrNoConclusion
		}
		text = strings.TrimSpace(strings.ReplaceAll(text, "\r\n", "\n")) // a textarea sends CRLF
		if utf8.RuneCountInString(text) > MaxConclusion {
			return nil, ErrTooLong
		}
		c := &r.Conclusions[i]
		if text == ConclusionText(Conclusion{Key: c.Key, Params: c.Params}, lang) {
			text = ""
		}
		if text == c.Edited[string(lang)] {
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
	snap, err := Snapshot(r)
	if err != nil {
		return nil, err
	}
	if err := db.UpdateDraft(ctx, sr.ID, snap, actor); err != nil {
		return nil, err
	}
	return r, nil
}

// Send freezes version v: from then on it renders from its snapshot alone,
// byte for byte, whatever is corrected later. ErrSent when it was already
// sent.
func Send(ctx context.Context, db *store.DB, p Period, v int, actor string) (*Report, error) {
	sr, r, err := Load(ctx, db, p, v)
	if err != nil {
		return nil, err
	}
	if sr.Status == string(Sent) {
		return nil, ErrSent
	}
	r.Status, r.SentAt = Sent, time.Now().UTC().Truncate(time.Second).Format(time.RFC3339)
	snap, err := Snapshot(r)
	if err != nil {
		return nil, err
	}
	if err := db.MarkReportSent(ctx, sr.ID, r.SentAt, snap, actor); err != nil {
		return nil, err
	}
	return r, nil
}
