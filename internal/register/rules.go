package register

import (
	"fmt"
	"net/url"
	"strings"

	"esep/internal/i18n"
)

// Severity says what a finding does to its record.
type Severity string

const (
	// Blocking findings keep a record out of every report until it is
	// corrected (spec §2, exclusion 3).
	Blocking Severity = "blocking"
	// Warning findings are reported to the operator, but the record counts.
	// Act problems are warnings too: they exclude the record through the act
	// rules of spec §2.1, with their own reason, not as validation errors.
	Warning Severity = "warning"
)

// Rule is one validation rule. Its code is stable: files, letters and the
// API refer to it, so a code is never reused for another meaning.
type Rule struct {
	Code     string
	Severity Severity
}

// The rules. Their messages are the i18n keys "rule.<code>"; every message
// may use the parameters {column} and {value}, and some use {detail}.
var (
	RuleRequired          = Rule{"required", Blocking}
	RuleInvalidDate       = Rule{"invalid_date", Blocking}
	RuleInvalidValue      = Rule{"invalid_value", Blocking}
	RuleInvalidTimestamp  = Rule{"invalid_timestamp", Blocking}
	RuleEnterpriseID      = Rule{"enterprise_id_invalid", Blocking}
	RuleClientIIN         = Rule{"client_iin_invalid", Blocking}
	RuleEndBeforeStart    = Rule{"end_before_start", Blocking}
	RuleFutureDate        = Rule{"date_in_future", Blocking}
	RuleRegionUnknown     = Rule{"region_unknown", Blocking}
	RuleSettlementRegion  = Rule{"settlement_outside_region", Blocking}
	RuleRowMalformed      = Rule{"row_malformed", Blocking}
	RuleRecordConflict    = Rule{"record_conflict", Blocking}
	RuleSettlementUnknown = Rule{"settlement_unknown", Warning}
	RuleOKEDMismatch      = Rule{"oked_mismatch", Warning}
	RuleIINGender         = Rule{"iin_gender_mismatch", Warning}
	RuleIINBirthDate      = Rule{"iin_birth_date_mismatch", Warning}
	RuleAgeMismatch       = Rule{"age_mismatch", Warning}
	RuleAgeImplausible    = Rule{"age_implausible", Warning}
	RuleOnlineUnconfirmed = Rule{"online_not_confirmed", Warning}
	RuleActMissing        = Rule{"act_missing", Warning}
	RuleActBeforeStart    = Rule{"act_before_start", Warning}
	RulePhoneFormat       = Rule{"phone_format", Warning}
	RuleEmailFormat       = Rule{"email_format", Warning}
	RuleLegalFormID       = Rule{"legal_form_id_mismatch", Warning}
	RuleServiceUnknown    = Rule{"service_unknown", Warning}
	RuleRecordDuplicate   = Rule{"record_duplicate", Warning}
	RuleRecordChanged     = Rule{"record_changed", Warning}
	RulePersonSpelling    = Rule{"person_spelling", Warning}
	RuleIINName           = Rule{"iin_name_mismatch", Warning}
)

// Rules lists every rule, for documentation, the API and tests.
var Rules = []Rule{
	RuleRequired, RuleInvalidDate, RuleInvalidValue, RuleInvalidTimestamp,
	RuleEnterpriseID, RuleClientIIN, RuleEndBeforeStart, RuleFutureDate,
	RuleRegionUnknown, RuleSettlementRegion, RuleRowMalformed, RuleRecordConflict,
	RuleSettlementUnknown, RuleOKEDMismatch, RuleIINGender, RuleIINBirthDate,
	RuleAgeMismatch, RuleAgeImplausible, RuleOnlineUnconfirmed, RuleActMissing,
	RuleActBeforeStart, RulePhoneFormat, RuleEmailFormat, RuleLegalFormID,
	RuleServiceUnknown, RuleRecordDuplicate, RuleRecordChanged, RulePersonSpelling,
	RuleIINName,
}

// RuleByCode finds a rule by its code.
func RuleByCode(code string) (Rule, bool) {
	for _, r := range Rules {
		if r.Code == code {
			return r, true
		}
	}
	return Rule{}, false
}

// Finding is one rule that one record breaks. It carries the rule's code and
// the values its message needs, never translated text: the edge of the
// program renders it in the reader's language with Message.
type Finding struct {
	Rule     string   `json:"rule"`
	Severity Severity `json:"severity"`
	Column   string   `json:"column,omitempty"`
	Value    string   `json:"value,omitempty"`
	Detail   string   `json:"detail,omitempty"` // an i18n key or plain text that explains further
}

func newFinding(rule Rule, column, value string) Finding {
	return Finding{Rule: rule.Code, Severity: rule.Severity, Column: column, Value: value}
}

// NewFinding makes a finding of rule about column and its value; detail is
// optional (an i18n key, or plain text such as a list of columns).
func NewFinding(rule Rule, column, value, detail string) Finding {
	f := newFinding(rule, column, value)
	f.Detail = detail
	return f
}

// Message renders the finding in lang. A detail that is a message key, with
// or without parameters (see DetailKey), is rendered too.
func (f Finding) Message(lang i18n.Lang) string {
	detail := f.Detail
	key, query, _ := strings.Cut(detail, "?")
	if key != "" && i18n.Has(i18n.EN, key) {
		params := []any{"number", f.Value, "code", f.Value}
		if q, err := url.ParseQuery(query); err == nil {
			for k := range q {
				params = append(params, k, q.Get(k))
			}
		}
		detail = i18n.T(lang, key, params...)
	}
	return i18n.T(lang, "rule."+f.Rule, "column", f.Column, "value", f.Value, "detail", detail)
}

// DetailKey packs a message key and its parameters (name, value pairs) into
// a finding's Detail, so that the finding stays plain data that a database
// or file keeps as one string, and is still rendered in any language.
func DetailKey(key string, params ...any) string {
	if len(params) == 0 {
		return key
	}
	q := url.Values{}
	for i := 0; i+1 < len(params); i += 2 {
		q.Set(fmt.Sprint(params[i]), fmt.Sprint(params[i+1]))
	}
	return key + "?" + q.Encode()
}

// HasBlocking reports whether any finding blocks its record.
func HasBlocking(fs []Finding) bool {
	for _, f := range fs {
		if f.Severity == Blocking {
			return true
		}
	}
	return false
}
