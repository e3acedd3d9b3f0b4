package survey

import (
	"errors"
	"slices"
)

// Purpose is a purpose of the client's request in the Annex 2 questionnaire
// ("underline as necessary": several may be given).
type Purpose string

// The purposes of Annex 2, in its order.
const (
	PurposeNewBusinessLine    Purpose = "new_business_line"   // to open a new line of business
	PurposeIncreaseProduction Purpose = "increase_production" // to increase production
	PurposeNewMarkets         Purpose = "new_markets"         // to develop new markets
	PurposeQuality            Purpose = "quality_improvement" // to improve the quality of goods and services
)

// Purposes lists every Purpose in the annex's order.
var Purposes = []Purpose{PurposeNewBusinessLine, PurposeIncreaseProduction, PurposeNewMarkets, PurposeQuality}

// FinancialSupport is an instrument of state financial support a client
// would like (Annex 2; also the follow-up to Annex 4, question 4).
type FinancialSupport string

// The financial instruments of Annex 2, in its order.
const (
	FinancialInterestSubsidy  FinancialSupport = "interest_subsidy"  // subsidising the interest rate
	FinancialLoanGuarantee    FinancialSupport = "loan_guarantee"    // guarantees for obtaining a loan
	FinancialGrant            FinancialSupport = "grant"             // grant financing
	FinancialStarterGuarantee FinancialSupport = "starter_guarantee" // guarantees for first-time entrepreneurs
)

// FinancialSupports lists every FinancialSupport in the annex's order.
var FinancialSupports = []FinancialSupport{FinancialInterestSubsidy, FinancialLoanGuarantee, FinancialGrant, FinancialStarterGuarantee}

// NonFinancialSupport is a kind of non-financial support a client would
// like (Annex 2).
type NonFinancialSupport string

// The eight kinds of non-financial support of Annex 2, in its order.
const (
	NonFinancialProgrammeAdvice  NonFinancialSupport = "programme_advice"          // advice on taking part in support programmes
	NonFinancialBusinessAdviser  NonFinancialSupport = "business_adviser"          // "Business Adviser" (Бизнес-Кеңесші): basics of doing business
	NonFinancialBusinessGrowth   NonFinancialSupport = "business_growth"           // "Business Growth" (Бизнес-Өсу): functional directions of growth
	NonFinancialYoungSchool      NonFinancialSupport = "young_entrepreneur_school" // "School of the young entrepreneur"
	NonFinancialStaffTraining    NonFinancialSupport = "staff_training"            // advanced training of specialists and top managers
	NonFinancialForeignPartners  NonFinancialSupport = "foreign_partners"          // business links with foreign partners
	NonFinancialSeniorExperts    NonFinancialSupport = "senior_experts"            // foreign experts ("Senior experts", Аға сеньорлар)
	NonFinancialConsultingCofund NonFinancialSupport = "consulting_cofinancing"    // co-financing of consulting projects
)

// NonFinancialSupports lists every NonFinancialSupport in the annex's order.
var NonFinancialSupports = []NonFinancialSupport{
	NonFinancialProgrammeAdvice, NonFinancialBusinessAdviser, NonFinancialBusinessGrowth, NonFinancialYoungSchool,
	NonFinancialStaffTraining, NonFinancialForeignPartners, NonFinancialSeniorExperts, NonFinancialConsultingCofund,
}

// RatingAspect is one of the four aspects the Annex 2 questionnaire rates
// from 1 to 5.
type RatingAspect string

// The rated aspects of Annex 2, in its order.
const (
	AspectUsefulness   RatingAspect = "usefulness"   // the degree of usefulness of the consultation
	AspectOrganisation RatingAspect = "organisation" // the quality of organisation of the consultation
	AspectExpectations RatingAspect = "expectations" // how far the consultation met expectations
	AspectSatisfaction RatingAspect = "satisfaction" // satisfaction with the quality of services
)

// RatingAspects lists every RatingAspect in the annex's order.
var RatingAspects = []RatingAspect{AspectUsefulness, AspectOrganisation, AspectExpectations, AspectSatisfaction}

// YesNo is the answer to a yes-or-no question; "" means not answered.
type YesNo string

// The answers to a yes-or-no question.
const (
	Yes YesNo = "yes"
	No  YesNo = "no"
)

// Useful is the answer to Annex 4, question 3: was the service useful to
// the client's business; "" means not answered.
type Useful string

// The answers to Annex 4, question 3, in its order.
const (
	UsefulNo     Useful = "useless" // no, it was useless
	UsefulPartly Useful = "partly"  // yes, it was partly useful
	UsefulYes    Useful = "useful"  // yes, it was useful
)

// Usefuls lists every Useful answer in the annex's order.
var Usefuls = []Useful{UsefulNo, UsefulPartly, UsefulYes}

// Questionnaire is a client's answers to the Annex 2 questionnaire on the
// quality of a service given online (clause 6; the Register of
// questionnaires). The ratings are 1 (worst) to 5 (best).
type Questionnaire struct {
	Usefulness   int                   `json:"usefulness"`
	Organisation int                   `json:"organisation"`
	Expectations int                   `json:"expectations"`
	Satisfaction int                   `json:"satisfaction"`
	Purposes     []Purpose             `json:"purposes,omitempty"`
	Financial    []FinancialSupport    `json:"financial,omitempty"`
	NonFinancial []NonFinancialSupport `json:"non_financial,omitempty"`
}

// Rating returns the questionnaire's rating of aspect a, or 0 for an
// unknown aspect.
func (q Questionnaire) Rating(a RatingAspect) int {
	switch a {
	case AspectUsefulness:
		return q.Usefulness
	case AspectOrganisation:
		return q.Organisation
	case AspectExpectations:
		return q.Expectations
	case AspectSatisfaction:
		return q.Satisfaction
	}
	return 0
}

// Validate checks the questionnaire against Annex 2: each of the four
// ratings is required and 1 to 5, because a questionnaire without them adds
// nothing to the quality section and the online form can insist on them;
// the lists ("as necessary") may be empty but hold only the annex's options,
// each once. It returns every problem found, joined (see Problems), each a
// *ValidationError naming the field by its JSON name.
func (q Questionnaire) Validate() error {
	var errs []error
	for _, a := range RatingAspects {
		switch r := q.Rating(a); {
		case r == 0:
			errs = append(errs, invalid(string(a), ErrRequired, "", "1-5"))
		case r < 1 || r > 5:
			errs = append(errs, invalid(string(a), ErrOutOfRange, r, "1-5"))
		}
	}
	errs = append(errs, checkOptions("purposes", q.Purposes, Purposes)...)
	errs = append(errs, checkOptions("financial", q.Financial, FinancialSupports)...)
	errs = append(errs, checkOptions("non_financial", q.NonFinancial, NonFinancialSupports)...)
	return errors.Join(errs...)
}

// checkOptions reports the codes of given that are not in known, and those
// given twice.
func checkOptions[T ~string](field string, given, known []T) []error {
	var errs []error
	for i, g := range given {
		switch {
		case !slices.Contains(known, g):
			errs = append(errs, invalid(field, ErrUnknownOption, g, ""))
		case slices.Contains(given[:i], g):
			errs = append(errs, invalid(field, ErrRepeated, g, ""))
		}
	}
	return errs
}

// PhoneAnswers is a client's answers in the telephone survey of Annex 4.
// An unanswered question holds its zero value.
type PhoneAnswers struct {
	// Received answers question 1: did the client receive the consultation
	// or service on that date at that place. "No" is the finding the audit
	// looks for: a service in the register its client does not confirm.
	Received YesNo `json:"q1_received"`
	// Rating answers question 2: the quality of the service, 1 (very bad)
	// to 5 (excellent); 0 when not answered.
	Rating int `json:"q2_rating"`
	// Useful answers question 3: was it useful to the client's business.
	Useful Useful `json:"q3_useful"`
	// Interested answers question 4: is the client interested in state
	// financial support instruments.
	Interested YesNo `json:"q4_interested"`
	// Instruments are those the client names when interested (esep's
	// follow-up to question 4); the options are Annex 2's financial ones.
	Instruments []FinancialSupport `json:"q4_instruments,omitempty"`
}

// applicable says which of the four questions apply: a client who did not
// receive the service is not asked to rate it or say whether it was useful.
func (a PhoneAnswers) applicable() (q2, q3 bool) {
	return a.Received != No, a.Received != No
}

// Validate checks the answers against Annex 4: known codes, a rating of 1
// to 5, no rating or usefulness when the client says the service was not
// received (there is nothing to rate), instruments only from a client who
// is interested, each once, and question 1 answered whenever anything after
// it is (the survey exists to confirm the service). Unanswered questions
// are not errors: Outcome says whether the interview is complete. It returns
// every problem found, joined (see Problems).
func (a PhoneAnswers) Validate() error {
	var errs []error
	if a.Received != "" && a.Received != Yes && a.Received != No {
		errs = append(errs, invalid("q1_received", ErrUnknownOption, a.Received, "yes or no"))
	}
	if a.Received == "" && (a.Rating != 0 || a.Useful != "" || a.Interested != "" || len(a.Instruments) > 0) {
		errs = append(errs, invalid("q1_received", ErrRequired, "", "yes or no"))
	}
	q2, q3 := a.applicable()
	switch {
	case a.Rating != 0 && !q2:
		errs = append(errs, invalid("q2_rating", ErrNotApplicable, a.Rating, ""))
	case a.Rating < 0 || a.Rating > 5:
		errs = append(errs, invalid("q2_rating", ErrOutOfRange, a.Rating, "1-5"))
	}
	switch {
	case a.Useful != "" && !q3:
		errs = append(errs, invalid("q3_useful", ErrNotApplicable, a.Useful, ""))
	case a.Useful != "" && !slices.Contains(Usefuls, a.Useful):
		errs = append(errs, invalid("q3_useful", ErrUnknownOption, a.Useful, "useless, partly or useful"))
	}
	if a.Interested != "" && a.Interested != Yes && a.Interested != No {
		errs = append(errs, invalid("q4_interested", ErrUnknownOption, a.Interested, "yes or no"))
	}
	if len(a.Instruments) > 0 && a.Interested != Yes {
		errs = append(errs, invalid("q4_instruments", ErrNotApplicable, a.Instruments, ""))
	}
	errs = append(errs, checkOptions("q4_instruments", a.Instruments, FinancialSupports)...)
	return errors.Join(errs...)
}

// Outcome says whether the answers make a complete interview, a partial one
// or a break-off, by the share of the applicable questions answered (four,
// or two when the client did not receive the service): more than 80% is
// complete, 50% to 80% partial, less than 50% a break-off. These are the
// example thresholds of AAPOR's Standard Definitions (10th ed., 2023) for
// telling partials from break-offs; with four questions they mean all four
// answered is complete, two or three partial, one or none a break-off. The
// instruments of question 4 are a follow-up and do not count.
func (a PhoneAnswers) Outcome() Outcome {
	q2, q3 := a.applicable()
	total, answered := 2, 0 // questions 1 and 4 always apply
	if a.Received != "" {
		answered++
	}
	if a.Interested != "" {
		answered++
	}
	if q2 {
		total++
		if a.Rating != 0 {
			answered++
		}
	}
	if q3 {
		total++
		if a.Useful != "" {
			answered++
		}
	}
	switch share := float64(answered) / float64(total); {
	case share > 0.8:
		return OutcomeCompleted
	case share >= 0.5:
		return OutcomePartial
	}
	return OutcomeBreakOff
}
