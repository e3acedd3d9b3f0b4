// Package reporttest makes report data for the tests of the packages that
// render reports: a quality section computed from synthetic answers, so
// that the PDF, the workbook and the web page are checked against figures
// the report package really computes.
package reporttest

import (
	"fmt"
	"math/rand/v2"

	"esep/internal/report"
	"esep/internal/store"
	"esep/internal/survey"
)

// QualityInput is a quarter's worth of synthetic answers, the same on
// every call: 240 questionnaires over three regions, four services and
// seven managers (one manager with only a few, so some cells are small),
// and two campaigns of 330 calls in all with every kind of outcome, a risk
// oversample and clients who did not confirm their service. Counted is the
// services the report counts.
func QualityInput() report.QualityInput {
	rng := rand.New(rand.NewPCG(7, 59))
	regions := []string{"430000000", "710000000", "750000000"}
	services := []string{"ACC", "LEG", "MKT", "FIN"}
	managers := []string{"Ахметов Нұрлан", "Иванова Анна", "Серікова Дана", "Қасымов Ерлан", "Petrova Olga", "Жұмабаев Арман", "Новенькая Ия"}
	rating := func(skew int) int { return min(5, max(1, 3+skew+rng.IntN(3)-rng.IntN(2))) }
	pick := func(options []string, p float64) []string {
		var out []string
		for _, o := range options {
			if rng.Float64() < p {
				out = append(out, o)
			}
		}
		return out
	}
	in := report.QualityInput{Counted: 2834}
	for i := range 240 {
		m := i % 6
		if i%60 == 59 {
			m = 6 // four questionnaires about the newcomer's services
		}
		in.Questionnaires = append(in.Questionnaires, store.RatedQuestionnaire{
			RecordID: fmt.Sprintf("Q%04d", i), Region: regions[i%3], Service: services[i%4], Manager: managers[m],
			Usefulness: rating(1), Organisation: rating(1), Expectations: rating(0), Satisfaction: rating(1),
			Purposes:     pick(codes(survey.Purposes), 0.4),
			Financial:    pick(codes(survey.FinancialSupports), 0.25),
			NonFinancial: pick(codes(survey.NonFinancialSupports), 0.15),
		})
	}
	d := &store.SurveyData{
		Campaigns: []store.SurveyCampaign{{ID: 1, Name: "Q2-A", PeriodFrom: "2026-04-01", PeriodTo: "2026-05-31", Status: "closed"},
			{ID: 2, Name: "Q2-B", PeriodFrom: "2026-06-01", PeriodTo: "2026-06-30", Status: "open"}},
	}
	strata := map[int64][]int{1: {700, 600, 500}, 2: {400, 350, 284}}
	for _, c := range d.Campaigns {
		for k, n := range strata[c.ID] {
			d.Strata = append(d.Strata, store.SurveyStratum{CampaignID: c.ID, Stratum: regions[k], Region: regions[k], N: n, Drawn: 55})
		}
	}
	outcomes := []survey.Outcome{survey.OutcomeCompleted, survey.OutcomeCompleted, survey.OutcomeCompleted, survey.OutcomeCompleted,
		survey.OutcomeCompleted, survey.OutcomePartial, survey.OutcomeRefused, survey.OutcomeNoAnswer, survey.OutcomeBusy,
		survey.OutcomeWrongNumber, survey.OutcomeOther, survey.OutcomeCompleted}
	for _, c := range d.Campaigns {
		for k, region := range regions {
			for i := range 55 {
				call := store.SurveyCall{CampaignID: c.ID, RecordID: fmt.Sprintf("C%d-%d-%02d", c.ID, k, i), Stratum: region, Region: region,
					Service: services[(i+k)%4], Manager: managers[(i+k)%6], Status: "done", Attempts: 1 + i%3}
				switch {
				case c.ID == 2 && i >= 50: // the open campaign still has calls to make
					call.Status, call.Attempts = "queued", i%2
				default:
					call.Outcome = string(outcomes[(i+k)%len(outcomes)])
				}
				if call.Outcome == string(survey.OutcomeCompleted) || call.Outcome == string(survey.OutcomePartial) {
					answer(&call, rng, i%17 == 3)
				}
				d.Calls = append(d.Calls, call)
			}
		}
	}
	// The risk oversample: twenty more calls, a quarter not confirmed.
	for i := range 20 {
		call := store.SurveyCall{CampaignID: 1, RecordID: fmt.Sprintf("X%02d", i), Stratum: regions[i%3], Region: regions[i%3], Service: services[i%4],
			Manager: managers[i%6], Extra: true, Status: "done", Outcome: string(survey.OutcomeCompleted), Attempts: 1}
		answer(&call, rng, i%4 == 0)
		d.Calls = append(d.Calls, call)
	}
	in.Survey = d
	return in
}

// answer fills a call's answers; a client who did not receive the service
// answers question 1 and question 4 only.
func answer(c *store.SurveyCall, rng *rand.Rand, notReceived bool) {
	c.Received, c.Interested = string(survey.Yes), string(survey.No)
	if rng.IntN(3) == 0 {
		c.Interested = string(survey.Yes)
		c.Instruments = []string{string(survey.FinancialSupports[rng.IntN(4)])}
	}
	if notReceived {
		c.Received = string(survey.No)
		return
	}
	c.Rating = min(5, 2+rng.IntN(4)+rng.IntN(2))
	c.Useful = string(survey.Usefuls[min(2, rng.IntN(4))])
}

// Quality is the quality section computed from QualityInput.
func Quality() report.Quality {
	q, err := report.ComputeQuality(QualityInput())
	if err != nil {
		panic(err) // the input is fixed: an error is a defect of this file
	}
	return q
}

func codes[T ~string](xs []T) []string {
	out := make([]string, len(xs))
	for i, x := range xs {
		out[i] = string(x)
	}
	return out
}
