package register

import (
	"errors"
	"net/mail"
	"strconv"
	"strings"
	"time"

	"esep/internal/kz"
)

// Validator checks one record at a time against the rules that need nothing
// but the record itself and the reference data. Rules that compare a record
// with others (the same record_id or the same person seen before) belong to
// the importer, which knows what came before.
type Validator struct {
	// Today is the date of the check: dates after it are in the future.
	Today time.Time
	// Settlements, when set, reports whether a settlement code exists in the
	// loaded KATO classifier. Without it only the code's shape and region
	// are checked.
	Settlements func(code string) bool
	// Services, when set, reports whether a service code exists in the
	// catalogue.
	Services func(code string) bool
}

// Validate returns the findings for r, which must already be normalised.
func (v *Validator) Validate(r *Record) []Finding {
	var fs []Finding
	add := func(rule Rule, column, value string) { fs = append(fs, newFinding(rule, column, value)) }

	for _, c := range Columns {
		if c.Required && c.Get(r) == "" {
			add(RuleRequired, c.Name, "")
		}
	}

	start, startOK := v.date(&fs, "start_date", r.StartDate)
	end, endOK := v.date(&fs, "end_date", r.EndDate)
	birth, birthOK := v.date(&fs, "client_birth_date", r.ClientBirthDate)
	if startOK && endOK && end.Before(start) {
		add(RuleEndBeforeStart, "end_date", r.EndDate)
	}

	enum := func(column, value string, allowed ...string) {
		if value == "" {
			return
		}
		for _, a := range allowed {
			if value == a {
				return
			}
		}
		fs = append(fs, NewFinding(RuleInvalidValue, column, value, strings.Join(allowed, ", ")))
	}
	enum("client_gender", r.ClientGender, "M", "F")
	enum("client_disability", r.ClientDisability, "none", "1", "2", "3")
	enum("place_kind", r.PlaceKind, "service_center", "support_center", "mobile_center", "online")
	enum("delivery_mode", r.DeliveryMode, "online", "offline")
	enum("legal_form", r.LegalForm, "IE", "LLP", "JSC", "FARM", "PC", "OTHER")
	enum("entrepreneur_category", r.Category, "micro", "small", "medium", "large")
	enum("act_confirmation", r.ActConfirmation, "eds", "otp2", "otp3", "paper")
	if r.OKEDSection != "" {
		if _, ok := kz.SectionByLetter(r.OKEDSection); !ok {
			fs = append(fs, NewFinding(RuleInvalidValue, "oked_section", r.OKEDSection, "A–U"))
		} else if r.OKEDCode != "" {
			if err := kz.CheckOKED(r.OKEDSection, r.OKEDCode); err != nil {
				fs = append(fs, NewFinding(RuleOKEDMismatch, "oked_code", r.OKEDCode, r.OKEDSection))
			}
		}
	}

	v.checkRegion(&fs, r)
	v.checkEnterprise(&fs, r)
	v.checkClient(&fs, r, start, startOK, birth, birthOK)
	v.checkAct(&fs, r, start, startOK)

	if r.MobilePhone != "" && !validMobile(r.MobilePhone) {
		add(RulePhoneFormat, "mobile_phone", r.MobilePhone)
	}
	if r.WorkPhone != "" && !validPhone(r.WorkPhone) {
		add(RulePhoneFormat, "work_phone", r.WorkPhone)
	}
	if r.Email != "" && !validEmail(r.Email) {
		add(RuleEmailFormat, "email", r.Email)
	}
	if r.ServiceCode != "" && v.Services != nil && !v.Services(r.ServiceCode) {
		add(RuleServiceUnknown, "service_code", r.ServiceCode)
	}
	return fs
}

// date parses a normalised date column, reporting a bad format or a date in
// the future.
func (v *Validator) date(fs *[]Finding, column, value string) (time.Time, bool) {
	if value == "" {
		return time.Time{}, false
	}
	t, err := time.Parse(time.DateOnly, value)
	if err != nil {
		*fs = append(*fs, newFinding(RuleInvalidDate, column, value))
		return time.Time{}, false
	}
	if !v.Today.IsZero() && t.After(v.Today) {
		*fs = append(*fs, newFinding(RuleFutureDate, column, value))
	}
	return t, true
}

func (v *Validator) checkRegion(fs *[]Finding, r *Record) {
	if r.RegionKATO != "" {
		if _, ok := kz.RegionByCode(r.RegionKATO); !ok {
			*fs = append(*fs, newFinding(RuleRegionUnknown, "region_kato", r.RegionKATO))
			return
		}
	}
	if r.SettlementKATO == "" {
		return
	}
	if kz.ValidKATO(r.SettlementKATO) != nil {
		*fs = append(*fs, NewFinding(RuleInvalidValue, "settlement_kato", r.SettlementKATO, "KATO: 9"))
		return
	}
	if region, _ := kz.RegionOf(r.SettlementKATO); r.RegionKATO != "" && region != r.RegionKATO {
		*fs = append(*fs, newFinding(RuleSettlementRegion, "settlement_kato", r.SettlementKATO))
		return
	}
	if v.Settlements != nil && !v.Settlements(r.SettlementKATO) {
		*fs = append(*fs, newFinding(RuleSettlementUnknown, "settlement_kato", r.SettlementKATO))
	}
}

func (v *Validator) checkEnterprise(fs *[]Finding, r *Record) {
	if r.EnterpriseID == "" {
		return
	}
	id, err := kz.ParseID(r.EnterpriseID)
	if err != nil {
		*fs = append(*fs, NewFinding(RuleEnterpriseID, "enterprise_iin_bin", r.EnterpriseID, idErrorKey(err)))
		return
	}
	if r.LegalForm != "" && !kz.IDFits(r.LegalForm, id) {
		*fs = append(*fs, NewFinding(RuleLegalFormID, "legal_form", r.LegalForm, string(id.Kind)))
	}
}

func idErrorKey(err error) string {
	var e *kz.IDError
	if errors.As(err, &e) {
		return e.Key()
	}
	return ""
}

func (v *Validator) checkClient(fs *[]Finding, r *Record, start time.Time, startOK bool, birth time.Time, birthOK bool) {
	if r.ClientIIN != "" {
		iin, err := kz.ParseIIN(r.ClientIIN)
		if err != nil {
			*fs = append(*fs, NewFinding(RuleClientIIN, "client_iin", r.ClientIIN, idErrorKey(err)))
		} else {
			// Since 2013 an IIN need not encode its holder's gender and birth
			// date (reference-kz.md §1.1), so a disagreement is a warning.
			if r.ClientGender != "" && string(iin.Gender) != r.ClientGender {
				*fs = append(*fs, newFinding(RuleIINGender, "client_gender", r.ClientGender))
			}
			if birthOK && !iin.BirthDate.Equal(birth) {
				*fs = append(*fs, newFinding(RuleIINBirthDate, "client_birth_date", r.ClientBirthDate))
			}
		}
	}
	if r.ClientAge == "" {
		if birthOK && startOK {
			if a := AgeOn(birth, start); a < minAge || a > maxAge {
				*fs = append(*fs, newFinding(RuleAgeImplausible, "client_birth_date", r.ClientBirthDate))
			}
		}
		return
	}
	age, err := strconv.Atoi(r.ClientAge)
	if err != nil || age < 0 {
		*fs = append(*fs, NewFinding(RuleInvalidValue, "client_age", r.ClientAge, "0–120"))
		return
	}
	if age < minAge || age > maxAge {
		*fs = append(*fs, newFinding(RuleAgeImplausible, "client_age", r.ClientAge))
	}
	if birthOK && startOK {
		if want := AgeOn(birth, start); want != age {
			*fs = append(*fs, NewFinding(RuleAgeMismatch, "client_age", r.ClientAge, strconv.Itoa(want)))
		}
	}
}

// An entrepreneur younger than 14 or older than 100 is almost certainly a
// typing mistake; it is a warning because it can still be true.
const (
	minAge = 14
	maxAge = 100
)

func (v *Validator) checkAct(fs *[]Finding, r *Record, start time.Time, startOK bool) {
	if r.ActSignedAt != "" {
		at, err := time.Parse(time.RFC3339, r.ActSignedAt)
		switch {
		case err != nil:
			*fs = append(*fs, newFinding(RuleInvalidTimestamp, "act_signed_at", r.ActSignedAt))
		case startOK && civilDate(at).Before(start):
			*fs = append(*fs, newFinding(RuleActBeforeStart, "act_signed_at", r.ActSignedAt))
		case !v.Today.IsZero() && civilDate(at).After(v.Today):
			*fs = append(*fs, newFinding(RuleFutureDate, "act_signed_at", r.ActSignedAt))
		}
	}
	if r.ActNumber == "" || r.ActSignedAt == "" {
		col := "act_number"
		if r.ActNumber != "" {
			col = "act_signed_at"
		}
		*fs = append(*fs, newFinding(RuleActMissing, col, ""))
	}
	if r.DeliveryMode == "online" && r.ActSignedAt != "" && !onlineConfirmation(r.ActConfirmation) {
		*fs = append(*fs, newFinding(RuleOnlineUnconfirmed, "act_confirmation", r.ActConfirmation))
	}
}

func onlineConfirmation(c string) bool { return c == "eds" || c == "otp2" || c == "otp3" }

// civilDate is the calendar date of t in Kazakhstan.
func civilDate(t time.Time) time.Time {
	y, m, d := t.In(localZone).Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

func validMobile(s string) bool { return len(s) == 12 && strings.HasPrefix(s, "+7") && isDigits(s[1:]) }

// validPhone accepts a landline as people write it: digits with spaces,
// brackets, dashes and a leading plus, 6 to 15 digits in all, and an
// optional extension.
func validPhone(s string) bool {
	if i := strings.IndexAny(strings.ToLower(s), "вдext"); i > 0 {
		s = s[:i]
	}
	n := 0
	for _, r := range s {
		switch {
		case r >= '0' && r <= '9':
			n++
		case strings.ContainsRune(" +-()./", r):
		default:
			return false
		}
	}
	return n >= 6 && n <= 15
}

func validEmail(s string) bool {
	a, err := mail.ParseAddress(s)
	return err == nil && a.Address == s && strings.Contains(s[strings.IndexByte(s, '@'):], ".")
}

// AgeOn returns the age in whole years on day of a person born on birth.
func AgeOn(birth, day time.Time) int {
	age := day.Year() - birth.Year()
	if day.Month() < birth.Month() || (day.Month() == birth.Month() && day.Day() < birth.Day()) {
		age--
	}
	return age
}
