package survey

import (
	"fmt"
	"math"
)

// Dispositions counts the final dispositions of the sampled cases in the
// categories of the American Association for Public Opinion Research,
// Standard Definitions: Final Dispositions of Case Codes and Outcome Rates
// for Surveys, 10th edition, 2023. The outcome rates below are AAPOR's, so
// that esep's response rates mean what survey readers expect.
type Dispositions struct {
	I  int `json:"I"`  // complete interview
	P  int `json:"P"`  // partial interview
	R  int `json:"R"`  // refusal and break-off
	NC int `json:"NC"` // non-contact
	O  int `json:"O"`  // other eligible non-interview
	UH int `json:"UH"` // unknown if household: here, unknown whether the number reaches the client
	UO int `json:"UO"` // unknown, other
	NE int `json:"NE"` // not eligible
}

// Disposition is one of AAPOR's final disposition categories, named as in
// the Standard Definitions.
type Disposition string

// The AAPOR categories a case ends in.
const (
	DispI  Disposition = "I"
	DispP  Disposition = "P"
	DispR  Disposition = "R"
	DispNC Disposition = "NC"
	DispO  Disposition = "O"
	DispUH Disposition = "UH"
	DispUO Disposition = "UO"
	DispNE Disposition = "NE"
)

// Add counts one case of disposition d. It returns a *ValidationError for a
// code that is not an AAPOR category.
func (d *Dispositions) Add(disp Disposition) error {
	switch disp {
	case DispI:
		d.I++
	case DispP:
		d.P++
	case DispR:
		d.R++
	case DispNC:
		d.NC++
	case DispO:
		d.O++
	case DispUH:
		d.UH++
	case DispUO:
		d.UO++
	case DispNE:
		d.NE++
	default:
		return invalid("disposition", ErrUnknownOption, disp, "I, P, R, NC, O, UH, UO or NE")
	}
	return nil
}

// Total returns every case counted, eligible or not.
func (d Dispositions) Total() int { return d.I + d.P + d.R + d.NC + d.O + d.UH + d.UO + d.NE }

// Validate reports negative counts, which no tally produces.
func (d Dispositions) Validate() error {
	for _, c := range []struct {
		name string
		n    int
	}{{"I", d.I}, {"P", d.P}, {"R", d.R}, {"NC", d.NC}, {"O", d.O}, {"UH", d.UH}, {"UO", d.UO}, {"NE", d.NE}} {
		if c.n < 0 {
			return invalid(c.name, ErrOutOfRange, c.n, "0 or more")
		}
	}
	return nil
}

// all is the denominator of RR1, RR2, REF1 and CON1: every case that is or
// may be eligible, (I+P) + (R+NC+O) + (UH+UO).
func (d Dispositions) all() int { return (d.I + d.P) + (d.R + d.NC + d.O) + (d.UH + d.UO) }

func ratio(num, den int) float64 {
	if den == 0 {
		return math.NaN() // no cases: the rate is undefined, not 0
	}
	return float64(num) / float64(den)
}

// RR1 is AAPOR Response Rate 1, the minimum response rate: complete
// interviews over every case that is or may be eligible,
// I / ((I+P) + (R+NC+O) + (UH+UO)). It is NaN when there are no such cases,
// as are the other rates when their denominator is 0.
func (d Dispositions) RR1() float64 { return ratio(d.I, d.all()) }

// RR2 is AAPOR Response Rate 2, which counts partial interviews as
// respondents: (I+P) / ((I+P) + (R+NC+O) + (UH+UO)).
func (d Dispositions) RR2() float64 { return ratio(d.I+d.P, d.all()) }

// COOP1 is AAPOR Cooperation Rate 1, the minimum cooperation rate: complete
// interviews over the cases contacted, I / ((I+P) + R + O).
func (d Dispositions) COOP1() float64 { return ratio(d.I, (d.I+d.P)+d.R+d.O) }

// REF1 is AAPOR Refusal Rate 1: R / ((I+P) + (R+NC+O) + (UH+UO)).
func (d Dispositions) REF1() float64 { return ratio(d.R, d.all()) }

// CON1 is AAPOR Contact Rate 1: the share of cases in which someone was
// reached, ((I+P) + R + O) / ((I+P) + (R+NC+O) + (UH+UO)).
func (d Dispositions) CON1() float64 { return ratio((d.I+d.P)+d.R+d.O, d.all()) }

// Outcome is esep's final outcome of a sampled case of the telephone survey,
// after its last attempt. The codes are stable: calls are stored with them.
type Outcome string

// The final outcomes of a case and, in their comments, the AAPOR category
// each counts in (see Outcome.Disposition for the reasons).
const (
	OutcomeCompleted    Outcome = "completed"     // I: answered, interview complete
	OutcomePartial      Outcome = "partial"       // P: answered, interview partly done
	OutcomeRefused      Outcome = "refused"       // R: refused to take part
	OutcomeBreakOff     Outcome = "break_off"     // R: began but stopped before a partial
	OutcomeNoAnswer     Outcome = "no_answer"     // NC: no answer at any attempt
	OutcomeBusy         Outcome = "busy"          // NC: busy at the last attempt
	OutcomeCallback     Outcome = "callback"      // NC: a call back was arranged but never completed
	OutcomeOther        Outcome = "other"         // O: reached but cannot be interviewed (language, illness, death)
	OutcomeNotAttempted Outcome = "not_attempted" // UH: sampled but never dialled
	OutcomeWrongNumber  Outcome = "wrong_number"  // NE: the number is not the client's
)

// Outcomes lists every Outcome in a stable order, for forms and reports.
var Outcomes = []Outcome{
	OutcomeCompleted, OutcomePartial, OutcomeRefused, OutcomeBreakOff,
	OutcomeNoAnswer, OutcomeBusy, OutcomeCallback, OutcomeOther,
	OutcomeNotAttempted, OutcomeWrongNumber,
}

// Disposition maps esep's final outcome of a case to its AAPOR category.
//
// The mapping, and why:
//
//   - completed → I, partial → P: by the completion rule of
//     PhoneAnswers.Outcome. A client who answers that they never received
//     the service is a complete interview (Q1 = no), not an ineligible
//     case: that answer is the very finding of the audit.
//   - refused, break_off → R: AAPOR counts refusals and break-offs
//     together.
//   - no_answer, busy, callback → NC: the client is known to be eligible
//     (the register says they received a service) but was not reached by
//     the last attempt; a call back that never took place is a non-contact
//     too.
//   - other → O: reached, eligible, but unable to be interviewed.
//   - not_attempted → UH: whether the number reaches the client is unknown
//     (AAPOR's "not attempted or worked").
//   - wrong_number → NE: the number does not belong to the client. This is
//     esep's choice, not AAPOR's rule: in a list sample of named clients a
//     wrong number does not make the client ineligible, and a strict
//     reading would keep the case in the denominator (as UO or NC). esep
//     treats it as a defect of the register's contact data (the phone of
//     Annex 1), to be reported on its own, rather than a failure of the
//     calling. Since a high NE raises every rate, reports must show the NE
//     count beside the rates.
//
// No outcome maps to UO; the field is there for imported dispositions. It
// returns a *ValidationError for an outcome that is not one of Outcomes.
func (o Outcome) Disposition() (Disposition, error) {
	switch o {
	case OutcomeCompleted:
		return DispI, nil
	case OutcomePartial:
		return DispP, nil
	case OutcomeRefused, OutcomeBreakOff:
		return DispR, nil
	case OutcomeNoAnswer, OutcomeBusy, OutcomeCallback:
		return DispNC, nil
	case OutcomeOther:
		return DispO, nil
	case OutcomeNotAttempted:
		return DispUH, nil
	case OutcomeWrongNumber:
		return DispNE, nil
	}
	return "", invalid("outcome", ErrUnknownOption, o, "")
}

// Tally counts final outcomes into AAPOR dispositions. It returns an error
// naming the first outcome that is not one of Outcomes, with its position.
func Tally(outcomes []Outcome) (Dispositions, error) {
	var d Dispositions
	for i, o := range outcomes {
		disp, err := o.Disposition()
		if err != nil {
			return Dispositions{}, fmt.Errorf("case %d: %w", i+1, err)
		}
		_ = d.Add(disp) // every Disposition returns a known category
	}
	return d, nil
}
