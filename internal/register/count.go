package register

import (
	"time"

	"esep/internal/kz"
)

// Exclusion reasons: why a record of a period is left out of its report
// (spec §2). The codes are esep's own and stable; their names in the three
// languages are the i18n keys "exclusion.<code>".
const (
	ExcludedNoAct          = "act_missing"          // no act number or no signing time (clause 11)
	ExcludedOnlinePaper    = "online_not_confirmed" // an online service confirmed only on paper
	ExcludedActBeforeStart = "act_before_start"     // the act is dated before the service started
	ExcludedValidation     = "validation_error"     // blocking findings not corrected in time (clauses 8-9)
	ExcludedLate           = "late_register"        // delivered after its monthly deadline (clauses 7, 10)
)

// ActExclusion applies the act rules of spec §2.1 to a normalised record and
// returns the reason it is not confirmed, or "" when its act confirms it.
func ActExclusion(r *Record) string {
	if r.ActNumber == "" || r.ActSignedAt == "" {
		return ExcludedNoAct
	}
	if r.DeliveryMode == "online" && !onlineConfirmation(r.ActConfirmation) {
		return ExcludedOnlinePaper
	}
	at, err := time.Parse(time.RFC3339, r.ActSignedAt)
	if err != nil {
		return ExcludedNoAct // an unreadable signing time confirms nothing
	}
	if start, err := time.Parse(time.DateOnly, r.StartDate); err == nil && civilDate(at).Before(start) {
		return ExcludedActBeforeStart
	}
	return ""
}

// ClientKey is the identity of the person a record serves (spec §3): the
// IIN when there is one; otherwise the folded full name with the birth date.
// Keys of the two kinds never collide because of their prefixes.
func ClientKey(r *Record) string {
	if r.ClientIIN != "" {
		return "iin:" + r.ClientIIN
	}
	return "name:" + kz.FoldName(r.ClientFullName) + "|" + r.ClientBirthDate
}

// Age bands of spec §4, in their report order.
var AgeBands = []string{"under_18", "18_29", "30_39", "40_49", "50_59", "60_plus", "unknown"}

// AgeBand puts a client into a band of spec §4 by age on the start date of
// the record: from the birth date, else from the stated age, else unknown.
func AgeBand(r *Record) string {
	age := -1
	start, err := time.Parse(time.DateOnly, r.StartDate)
	if b, berr := time.Parse(time.DateOnly, r.ClientBirthDate); berr == nil && err == nil {
		age = AgeOn(b, start)
	} else if a, ok := atoi(r.ClientAge); ok {
		age = a
	}
	switch {
	case age < 0:
		return "unknown"
	case age < 18:
		return "under_18"
	case age < 30:
		return "18_29"
	case age < 40:
		return "30_39"
	case age < 50:
		return "40_49"
	case age < 60:
		return "50_59"
	default:
		return "60_plus"
	}
}

func atoi(s string) (int, bool) {
	if s == "" || len(s) > 3 || !isDigits(s) {
		return 0, false
	}
	n := 0
	for i := 0; i < len(s); i++ {
		n = n*10 + int(s[i]-'0')
	}
	return n, true
}
