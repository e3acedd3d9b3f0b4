package campaign

import (
	"errors"
	"fmt"

	"esep/internal/survey"
)

// Code says why a campaign operation was refused. The codes are stable: the
// API returns them, and they name the i18n keys "campaign.error.<code>".
type Code string

// The reasons an operation is refused.
const (
	CodeInvalid       Code = "invalid"         // an option out of its range or malformed (Field says which)
	CodeEmptyFrame    Code = "empty_frame"     // no counted service in the period: nothing to draw from
	CodeNotFound      Code = "not_found"       // no such campaign or call
	CodeClosed        Code = "closed"          // the campaign is closed: no more attempts
	CodeDone          Code = "done"            // the call already has its final outcome
	CodeNotYours      Code = "not_yours"       // the call is held by another agent, or by no one
	CodeChanged       Code = "changed"         // the call changed between reading and writing it: reload
	CodeResult        Code = "result"          // an attempt result that is not one of Results
	CodeAnswersNotNow Code = "answers_not_now" // answers given with a result other than answered
	CodeCallbackTime  Code = "callback_time"   // a call-back without a time, or with a time not allowed (Field says which rule)
	CodeMethod        Code = "method"          // a campaign drawn by a procedure this esep does not implement: it cannot be re-drawn
)

// Error is a refused campaign operation. It carries a code, the field or
// rule concerned and the offending value, never translated text: Key and
// Params give the message in the user's language.
type Error struct {
	Code  Code
	Field string // the option or rule concerned, e.g. "margin", "past"; may be empty
	Value string // the value as given; may be empty
}

// Error returns the problem in English, for logs and tests.
func (e *Error) Error() string {
	s := "campaign: " + string(e.Code)
	if e.Field != "" {
		s += " " + e.Field
	}
	if e.Value != "" {
		s += fmt.Sprintf(" %q", e.Value)
	}
	return s
}

// Key returns the i18n key of the message: "campaign.error.<code>", or
// "campaign.error.<code>.<field>" for the codes whose message depends on
// the rule (CodeCallbackTime, CodeInvalid).
func (e *Error) Key() string {
	switch e.Code {
	case CodeCallbackTime, CodeInvalid:
		return "campaign.error." + string(e.Code) + "." + e.Field
	}
	return "campaign.error." + string(e.Code)
}

// Params returns the message parameters as name, value pairs for i18n.T.
func (e *Error) Params() []any { return []any{"value", e.Value} }

// Is makes errors.Is(err, ErrNotYours) and the like match any *Error of the
// same code, whatever its field and value.
func (e *Error) Is(target error) bool {
	t, ok := target.(*Error)
	return ok && t.Field == "" && t.Value == "" && t.Code == e.Code
}

// Sentinels to match with errors.Is.
var (
	ErrNotFound = &Error{Code: CodeNotFound}
	ErrClosed   = &Error{Code: CodeClosed}
	ErrDone     = &Error{Code: CodeDone}
	ErrNotYours = &Error{Code: CodeNotYours}
	ErrChanged  = &Error{Code: CodeChanged}
)

// IsRefusal reports whether err is a refusal by the rules (an *Error of this
// package or a survey answer that is not valid) rather than a failure of the
// machinery, so that an edge can show it to the user instead of logging it.
func IsRefusal(err error) bool {
	var e *Error
	return errors.As(err, &e) || errors.Is(err, survey.ErrInvalid)
}

func invalid(field string, value any) *Error {
	return &Error{Code: CodeInvalid, Field: field, Value: fmt.Sprint(value)}
}
