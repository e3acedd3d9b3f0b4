package monitor

import (
	"context"
	"fmt"
	"time"

	"esep/internal/kz"
	"esep/internal/register"
	"esep/internal/store"
)

// Exclusion reasons the cycle adds to the act rules of the register.
const (
	ExcludedActNotFound   = "act_not_found"  // the month has an act registry and the act is not in it
	ExcludedActMismatch   = "act_mismatch"   // the act's date or list of services does not match (clause 11)
	ExcludedCorrectedLate = "corrected_late" // blocking findings fixed after the letter's deadline (clauses 8-9)
)

// CivilDate is the calendar date in Kazakhstan of an RFC 3339 instant, as
// YYYY-MM-DD, or "" when ts is not one.
func CivilDate(ts string) string {
	t, err := time.Parse(time.RFC3339Nano, ts)
	if err != nil {
		return ""
	}
	return t.In(kz.Zone).Format(time.DateOnly)
}

// Today is the current date in Kazakhstan.
func Today() time.Time { return kz.Today() }

// ParseMonth reads a register month, YYYY-MM.
func ParseMonth(s string) (time.Time, error) {
	t, err := time.Parse("2006-01", s)
	if err != nil {
		return time.Time{}, fmt.Errorf("month %q: want YYYY-MM", s)
	}
	return t, nil
}

// DueDate is when the register of month (YYYY-MM) is due: it is formed "as
// of the first day of the month following the reporting month" (clause 7),
// so it is due on that day, and one that arrives on it is on time.
func DueDate(month string) (string, error) {
	t, err := ParseMonth(month)
	if err != nil {
		return "", err
	}
	return t.AddDate(0, 1, 0).Format(time.DateOnly), nil
}

// Late reports whether a register of month that arrived at receivedAt
// (RFC 3339) missed its due date.
func Late(month, receivedAt string) bool {
	due, err := DueDate(month)
	if err != nil {
		return false
	}
	return CivilDate(receivedAt) > due
}

// Exclusion decides whether a record counts, and if not, why: the act
// rules first (its own act fields, then the operator's act registry when
// the month has one), then lateness of its register, then blocking
// findings, then a correction that came after the letter's deadline. One
// reason per record, so the exclusions add up (spec §2).
func Exclusion(r *register.Record, f *register.Facts) string {
	if reason := register.ActExclusion(r); reason != "" {
		return reason
	}
	if f.ActsCovered || f.Act != nil {
		switch {
		case f.Act == nil:
			return ExcludedActNotFound
		case !f.ActListsRecord, CivilDate(f.Act.SignedAt) != CivilDate(r.ActSignedAt):
			return ExcludedActMismatch
		case r.DeliveryMode == "online" && f.Act.Method != "eds" && f.Act.Method != "otp2" && f.Act.Method != "otp3":
			return register.ExcludedOnlinePaper
		}
	}
	if f.InCycle && len(r.EndDate) >= 7 && Late(r.EndDate[:7], f.ArrivedAt) {
		return register.ExcludedLate
	}
	if f.Blocking {
		return register.ExcludedValidation
	}
	if f.FixedAt != "" && f.CorrectionDue != "" && CivilDate(f.FixedAt) > f.CorrectionDue {
		return ExcludedCorrectedLate
	}
	return ""
}

// Cycle is the monitoring cycle over a database, on a working-day
// calendar.
type Cycle struct {
	DB       *store.DB
	Calendar *kz.Calendar
}

// EachCounted gives every record of [from, to] with the reason it is
// excluded, "" when it counts: the source of every report.
func (c *Cycle) EachCounted(ctx context.Context, from, to string, fn func(r *register.Record, excluded string) error) error {
	return c.DB.EachRecord(ctx, from, to, func(r *register.Record, f *register.Facts) error {
		return fn(r, Exclusion(r, f))
	})
}
