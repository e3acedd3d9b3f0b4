package survey

import (
	"errors"
	"fmt"
	"slices"
	"testing"
)

// problems renders the problems of err as "field code" strings.
func problems(err error) []string {
	var out []string
	for _, p := range Problems(err) {
		out = append(out, p.Field+" "+string(p.Code))
	}
	return out
}

func TestQuestionnaireValidate(t *testing.T) {
	good := Questionnaire{Usefulness: 5, Organisation: 4, Expectations: 3, Satisfaction: 1,
		Purposes:     []Purpose{PurposeNewMarkets, PurposeQuality},
		Financial:    []FinancialSupport{FinancialGrant},
		NonFinancial: NonFinancialSupports}
	tests := []struct {
		name string
		edit func(*Questionnaire)
		want []string
	}{
		{"valid", func(*Questionnaire) {}, nil},
		{"no wishes at all", func(q *Questionnaire) { q.Purposes, q.Financial, q.NonFinancial = nil, nil, nil }, nil},
		{"rating missing", func(q *Questionnaire) { q.Organisation = 0 }, []string{"organisation required"}},
		{"rating 6", func(q *Questionnaire) { q.Satisfaction = 6 }, []string{"satisfaction out_of_range"}},
		{"rating -1", func(q *Questionnaire) { q.Usefulness = -1 }, []string{"usefulness out_of_range"}},
		{"unknown purpose", func(q *Questionnaire) { q.Purposes = []Purpose{"export"} }, []string{"purposes unknown_option"}},
		{"repeated instrument", func(q *Questionnaire) { q.Financial = []FinancialSupport{FinancialGrant, FinancialGrant} }, []string{"financial repeated"}},
		{"unknown support", func(q *Questionnaire) { q.NonFinancial = []NonFinancialSupport{"mentoring"} }, []string{"non_financial unknown_option"}},
		{"several at once", func(q *Questionnaire) { q.Usefulness, q.Expectations = 0, 9 }, []string{"usefulness required", "expectations out_of_range"}},
	}
	for _, tt := range tests {
		q := good
		tt.edit(&q)
		err := q.Validate()
		if got := problems(err); !slices.Equal(got, tt.want) {
			t.Errorf("%s: problems %v, want %v", tt.name, got, tt.want)
		}
		if err != nil && !errors.Is(err, ErrInvalid) {
			t.Errorf("%s: %v does not match ErrInvalid", tt.name, err)
		}
	}
	if good.Rating(AspectExpectations) != 3 || good.Rating("speed") != 0 {
		t.Error("Rating does not read the aspects")
	}
}

func TestPhoneAnswersValidate(t *testing.T) {
	tests := []struct {
		name string
		a    PhoneAnswers
		want []string
	}{
		{"complete yes", PhoneAnswers{Received: Yes, Rating: 4, Useful: UsefulPartly, Interested: Yes, Instruments: []FinancialSupport{FinancialLoanGuarantee}}, nil},
		{"not received", PhoneAnswers{Received: No, Interested: No}, nil},
		{"nothing yet", PhoneAnswers{}, nil},
		{"rating a service not received", PhoneAnswers{Received: No, Rating: 2, Useful: UsefulNo}, []string{"q2_rating not_applicable", "q3_useful not_applicable"}},
		{"rating 0 is unanswered", PhoneAnswers{Received: Yes}, nil},
		{"rating 7", PhoneAnswers{Received: Yes, Rating: 7}, []string{"q2_rating out_of_range"}},
		{"q1 skipped", PhoneAnswers{Rating: 3}, []string{"q1_received required"}},
		{"q1 maybe", PhoneAnswers{Received: "maybe"}, []string{"q1_received unknown_option"}},
		{"q3 unknown", PhoneAnswers{Received: Yes, Useful: "very"}, []string{"q3_useful unknown_option"}},
		{"q4 unknown", PhoneAnswers{Received: Yes, Interested: "y"}, []string{"q4_interested unknown_option"}},
		{"instruments without interest", PhoneAnswers{Received: Yes, Interested: No, Instruments: []FinancialSupport{FinancialGrant}}, []string{"q4_instruments not_applicable"}},
		{"instrument unknown and repeated", PhoneAnswers{Received: Yes, Interested: Yes, Instruments: []FinancialSupport{"leasing", FinancialGrant, FinancialGrant}},
			[]string{"q4_instruments unknown_option", "q4_instruments repeated"}},
	}
	for _, tt := range tests {
		if got := problems(tt.a.Validate()); !slices.Equal(got, tt.want) {
			t.Errorf("%s: problems %v, want %v", tt.name, got, tt.want)
		}
	}
}

// The completion rule: share of applicable questions answered, > 80%
// complete, 50-80% partial, < 50% break-off.
func TestPhoneAnswersOutcome(t *testing.T) {
	tests := []struct {
		a    PhoneAnswers
		want Outcome
	}{
		{PhoneAnswers{Received: Yes, Rating: 5, Useful: UsefulYes, Interested: No}, OutcomeCompleted}, // 4/4
		{PhoneAnswers{Received: No, Interested: Yes}, OutcomeCompleted},                               // 2/2: nothing to rate
		{PhoneAnswers{Received: Yes, Rating: 5, Useful: UsefulYes}, OutcomePartial},                   // 3/4
		{PhoneAnswers{Received: Yes, Rating: 5}, OutcomePartial},                                      // 2/4
		{PhoneAnswers{Received: No}, OutcomePartial},                                                  // 1/2: the finding is in
		{PhoneAnswers{Received: Yes}, OutcomeBreakOff},                                                // 1/4
		{PhoneAnswers{}, OutcomeBreakOff},                                                             // 0/4
	}
	for _, tt := range tests {
		if got := tt.a.Outcome(); got != tt.want {
			t.Errorf("%+v: outcome %s, want %s", tt.a, got, tt.want)
		}
	}
}

func TestProblems(t *testing.T) {
	if Problems(nil) != nil {
		t.Error("Problems(nil) is not nil")
	}
	v := &ValidationError{Field: "q2_rating", Code: ErrOutOfRange, Value: "7", Want: "1-5"}
	wrapped := fmt.Errorf("call 3: %w", errors.Join(v, errors.New("other")))
	if got := Problems(wrapped); len(got) != 1 || got[0] != v {
		t.Errorf("Problems = %v", got)
	}
	if v.Key() != "survey.out_of_range" || v.Error() != `survey: q2_rating "7" is out of range (want 1-5)` {
		t.Errorf("Key %q, Error %q", v.Key(), v.Error())
	}
	if p := v.Params(); len(p) != 6 || p[1] != "q2_rating" {
		t.Errorf("Params = %v", p)
	}
}
