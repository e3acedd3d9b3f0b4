package survey

import (
	"errors"
	"fmt"
)

// ErrorCode says what is wrong with an argument or an answer. The codes are
// stable: they are stored with rejected answers and name the i18n keys
// "survey.<code>" of the messages.
type ErrorCode string

// The ways an argument or an answer can be wrong.
const (
	ErrRequired      ErrorCode = "required"       // a value that must be given is missing
	ErrOutOfRange    ErrorCode = "out_of_range"   // a number outside its allowed range
	ErrUnknownOption ErrorCode = "unknown_option" // a code that is not one of the annex's options
	ErrRepeated      ErrorCode = "repeated"       // the same option or record given twice
	ErrNotApplicable ErrorCode = "not_applicable" // an answer to a question the answers before it skip
)

var errorText = map[ErrorCode]string{
	ErrRequired:      "is required",
	ErrOutOfRange:    "is out of range",
	ErrUnknownOption: "is not one of the options",
	ErrRepeated:      "is repeated",
	ErrNotApplicable: "does not apply",
}

// ErrInvalid is wrapped by every *ValidationError, so that
// errors.Is(err, ErrInvalid) tells bad input from other failures.
var ErrInvalid = errors.New("survey: invalid input")

// ValidationError reports one bad argument or answer. It carries the field,
// a code and the offending value, never translated text: Key and Params give
// the message in the user's language.
type ValidationError struct {
	Field string // the argument or answer field, e.g. "margin", "q2_rating"
	Code  ErrorCode
	Value string // the value as given, for the message; may be empty
	Want  string // what would have been accepted, e.g. "1-5"; may be empty
}

// Error returns the problem in English, for logs and tests.
func (e *ValidationError) Error() string {
	msg := fmt.Sprintf("survey: %s %q %s", e.Field, e.Value, errorText[e.Code])
	if e.Want != "" {
		msg += " (want " + e.Want + ")"
	}
	return msg
}

// Key returns the i18n key of the message, e.g. "survey.out_of_range".
func (e *ValidationError) Key() string { return "survey." + string(e.Code) }

// Params returns the message parameters as name, value pairs for i18n.T.
func (e *ValidationError) Params() []any {
	return []any{"field", e.Field, "value", e.Value, "want", e.Want}
}

// Unwrap makes every ValidationError match ErrInvalid.
func (e *ValidationError) Unwrap() error { return ErrInvalid }

// Problems returns every *ValidationError inside err, which may be a single
// one or an errors.Join of several (as Validate returns), so that a form can
// show each problem next to its field. It returns nil for a nil error.
func Problems(err error) []*ValidationError {
	if err == nil {
		return nil
	}
	var out []*ValidationError
	var walk func(error)
	walk = func(err error) {
		if v, ok := err.(*ValidationError); ok {
			out = append(out, v)
			return
		}
		switch u := err.(type) {
		case interface{ Unwrap() []error }:
			for _, e := range u.Unwrap() {
				walk(e)
			}
		case interface{ Unwrap() error }:
			if e := u.Unwrap(); e != nil {
				walk(e)
			}
		}
	}
	walk(err)
	return out
}

func invalid(field string, code ErrorCode, value any, want string) *ValidationError {
	return &ValidationError{Field: field, Code: code, Value: fmt.Sprint(value), Want: want}
}
