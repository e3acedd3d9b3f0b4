package web

// The monthly cycle as the pages and the API both use it: the months to
// show, a letter as the user may see it, recording that a letter was sent,
// and loading plans and act registries. The work is the domain's
// (monitor, store, ingest); this is the checking and the user's language
// around it, the same as esep cycle, esep letter, esep plan and esep acts
// do on the command line.

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"time"

	"esep/internal/auth"
	"esep/internal/i18n"
	"esep/internal/ingest"
	"esep/internal/ingest/tabular"
	"esep/internal/monitor"
	"esep/internal/register"
	"esep/internal/store"
)

// cycleMaxMonths bounds a range of months asked for: Status walks every
// month of the range.
const cycleMaxMonths = 120

// cycleRange reads ?from= and ?to= (YYYY-MM). Either left out means the
// last 12 months to the month of today, as esep cycle does.
func cycleRange(q url.Values, today time.Time) (from, to string, ok bool) {
	// From the first of the month: today.AddDate(0, -11, 0) on the 31st
	// would skip a short month.
	first := time.Date(today.Year(), today.Month(), 1, 0, 0, 0, 0, time.UTC)
	from, to = q.Get("from"), q.Get("to")
	if from == "" {
		from = first.AddDate(0, -11, 0).Format("2006-01")
	}
	if to == "" {
		to = first.Format("2006-01")
	}
	f, err1 := monitor.ParseMonth(from)
	t, err2 := monitor.ParseMonth(to)
	if err1 != nil || err2 != nil || t.Before(f) || !t.Before(f.AddDate(0, cycleMaxMonths, 0)) {
		return from, to, false
	}
	return from, to, true
}

// cycleLetterRef reads a letter's year and sequence from a path.
func cycleLetterRef(year, seq string) (int, int, bool) {
	y, err1 := strconv.Atoi(year)
	n, err2 := strconv.Atoi(seq)
	if err1 != nil || err2 != nil || y < 2000 || y > 2200 || n < 1 {
		return 0, 0, false
	}
	return y, n, true
}

// cycleLetterNumber prints a letter's number as monitor does: seq/year.
func cycleLetterNumber(year, seq int) string { return fmt.Sprintf("%d/%d", seq, year) }

// cycleLetterPath is the page of the letter numbered number ("7/2026"),
// or "" when number is not one.
func cycleLetterPath(number string) string {
	year, seq, err := monitor.ParseLetterNumber(number)
	if err != nil {
		return ""
	}
	return fmt.Sprintf("/cycle/letters/%d/%d", year, seq)
}

// cycleCanSeeAll says whether u sees the personal values a letter lists.
// A letter lists records of every region, so a user limited to one region
// sees them masked even when her role reads personal data.
func cycleCanSeeAll(u *auth.User) bool { return u.Can(auth.ReadPersonal) && u.Region == "" }

// cycleLetter loads letter seq/year as u may see it: the personal values
// in its findings masked unless cycleCanSeeAll. Showing one unmasked is
// audited, as opening a record is. It returns store.ErrNotFound for a
// letter that does not exist.
func (s *Server) cycleLetter(ctx context.Context, u *auth.User, year, seq int, via string) (*monitor.Letter, error) {
	sl, err := s.db.Letter(ctx, year, seq)
	if err != nil {
		return nil, err
	}
	l, err := s.cycle.Letter(ctx, sl)
	if err != nil {
		return nil, err
	}
	full, shown := cycleCanSeeAll(u), false
	for i := range l.Items {
		masked, personal := cycleMaskFinding(l.Items[i].Finding)
		switch {
		case !personal:
		case full:
			shown = true
		default:
			l.Items[i].Finding = masked
		}
	}
	if shown {
		if err := s.db.Audit(ctx, cycleActor(u), "letter.open", "letter:"+strconv.FormatInt(l.ID, 10), "personal data shown ("+via+")"); err != nil {
			return nil, err
		}
	}
	return l, nil
}

// cycleRefusal is a request the user can correct, or one the state of
// things refuses: its HTTP status, API code, and message.
type cycleRefusal struct {
	Status int
	Code   string
	Key    string
	Params []any
}

func (f *cycleRefusal) text(lang i18n.Lang) string { return i18n.T(lang, f.Key, f.Params...) }

// cycleSendLetter records that letter seq/year was sent at sent and
// received at delivered (RFC 3339 or datetime-local in Kazakhstan; empty
// sent means now, empty delivered means when sent, as in esep letter
// send). The times are checked here first, so that a mistake is told in
// the user's language; the domain then sets the correction deadline, 3
// working days after receipt, and audits it. A refusal comes back as
// *cycleRefusal; err is an internal failure.
func (s *Server) cycleSendLetter(ctx context.Context, u *auth.User, year, seq int, sent, delivered string) (*store.StoredLetter, *cycleRefusal, error) {
	number := cycleLetterNumber(year, seq)
	sl, err := s.db.Letter(ctx, year, seq)
	if errors.Is(err, store.ErrNotFound) {
		return nil, &cycleRefusal{http.StatusNotFound, "not_found", "web.cycle.letter.not_found", []any{"number", number}}, nil
	}
	if err != nil {
		return nil, nil, err
	}
	if sl.SentAt != "" {
		return nil, &cycleRefusal{http.StatusConflict, "conflict", "web.cycle.letter.already_sent", []any{"number", number, "date", monitor.CivilDate(sl.SentAt)}}, nil
	}
	sentAt, ok1 := cycleParseTime(sent)
	deliveredAt, ok2 := cycleParseTime(delivered)
	if !ok1 || !ok2 {
		return nil, &cycleRefusal{http.StatusBadRequest, "bad_request", "web.cycle.letter.bad_time", nil}, nil
	}
	now := time.Now()
	if sentAt == "" {
		sentAt = now.UTC().Format(time.RFC3339)
	}
	if deliveredAt == "" {
		deliveredAt = sentAt
	}
	// A letter recorded as sent in the future would start its correction
	// window early; a few minutes allow for clocks that differ.
	for _, ts := range []string{sentAt, deliveredAt} {
		if t, _ := time.Parse(time.RFC3339, ts); t.After(now.Add(5 * time.Minute)) {
			return nil, &cycleRefusal{http.StatusBadRequest, "bad_request", "web.cycle.letter.future", nil}, nil
		}
	}
	if monitor.CivilDate(deliveredAt) < monitor.CivilDate(sentAt) {
		return nil, &cycleRefusal{http.StatusBadRequest, "bad_request", "web.cycle.letter.received_before_sent", nil}, nil
	}
	l, err := s.cycle.SendLetter(ctx, number, sentAt, deliveredAt, cycleActor(u))
	if errors.Is(err, store.ErrConflict) { // sent by someone else meanwhile
		return nil, &cycleRefusal{http.StatusConflict, "conflict", "web.cycle.letter.already_sent", []any{"number", number, "date", monitor.CivilDate(sentAt)}}, nil
	}
	if err != nil {
		return nil, nil, err
	}
	return l, nil, nil
}

// cycleLoaded is what loading a plan or an act registry did.
type cycleLoaded struct {
	Kind     string   `json:"kind"` // plans or acts
	Count    int      `json:"count"`
	Months   []string `json:"months,omitempty"`    // acts: the months the registry covers
	ImportID int64    `json:"import_id,omitempty"` // acts: the import it was recorded as
}

// cycleLoad reads an uploaded plan file or act registry (kind "plans" or
// "acts") and stores it, as esep plan import and esep acts import do: the
// whole file is read and checked first, and a file with any bad row is
// refused whole (an *ingest.ProblemsError), so nothing of it is stored.
func (s *Server) cycleLoad(ctx context.Context, u *auth.User, kind string, src io.Reader, name string) (*cycleLoaded, error) {
	path, done, err := cycleSpool(src, name)
	if err != nil {
		return nil, err
	}
	defer done()
	by := cycleActor(u)
	if kind == "plans" {
		plans, err := ingest.ReadPlans(path, register.ServiceSet(register.DefaultServices()), tabular.Options{})
		if err != nil {
			return nil, err
		}
		if err := s.db.PutPlans(ctx, plans, by, "upload:"+name); err != nil {
			return nil, err
		}
		return &cycleLoaded{Kind: kind, Count: len(plans)}, nil
	}
	acts, months, err := ingest.ReadActs(path, tabular.Options{})
	if err != nil {
		return nil, err
	}
	id, err := s.db.ImportActs(ctx, store.ImportMeta{FileName: name, Kind: "acts", By: by}, acts, months)
	if err != nil {
		return nil, err
	}
	slices.Sort(months) // ReadActs gives them in map order
	return &cycleLoaded{Kind: kind, Count: len(acts), Months: months, ImportID: id}, nil
}
