package report

import (
	"encoding/json"
	"math"
	"slices"
	"testing"

	"esep/internal/store"
	"esep/internal/survey"
)

func near(a, b float64) bool { return math.Abs(a-b) < 5e-6 }

// calls makes n finished calls of a campaign's stratum with the same
// outcome and answers.
func calls(n int, campaign int64, stratum string, outcome survey.Outcome, a survey.PhoneAnswers) []store.SurveyCall {
	out := make([]store.SurveyCall, n)
	for i := range out {
		out[i] = store.SurveyCall{CampaignID: campaign, RecordID: stratum, Stratum: stratum, Status: "done", Outcome: string(outcome), Attempts: 1,
			Region: "430000000", Service: "ACC", Manager: "M", Received: string(a.Received), Rating: a.Rating, Useful: string(a.Useful),
			Interested: string(a.Interested), Instruments: codes(a.Instruments)}
	}
	return out
}

var (
	yes = survey.PhoneAnswers{Received: survey.Yes}
	no  = survey.PhoneAnswers{Received: survey.No}
)

// TestUnconfirmedStratified checks the estimate of services not confirmed
// against a hand calculation with the stratified estimator (Cochran 1977,
// ch. 5) and Wilson's interval:
//
//	stratum A: N = 600, 50 asked, 2 said no: p_A = 0.04, W_A = 0.6
//	stratum B: N = 400, 50 asked, 6 said no: p_B = 0.12, W_B = 0.4
//	share = 0.6·0.04 + 0.4·0.12 = 0.072
//	var   = 0.36·(1-50/600)·0.04·0.96/49 + 0.16·(1-50/400)·0.12·0.88/49
//	      = 0.000258612 + 0.000301714 = 0.000560327
//	n_eff = 0.072·0.928/0.000560327 = 119.24, capped at the 100 asked
//	Wilson(0.072, n = 100, z = 1.959964):
//	  centre = (0.072 + z²/200)/(1 + z²/100) = 0.087833
//	  half   = z/(1 + z²/100)·√(0.072·0.928/100 + z²/40000) = 0.052177
//	  interval 0.035656 to 0.140010
//	for 1200 services counted: 0.072·1200 = 86.4 → 86; 42.79 → 42 and
//	168.01 → 169, rounded outwards.
//
// The risk oversample (3 more calls in A, 2 of them not confirmed) stays
// out of the estimate and is counted apart; the raw count of services not
// confirmed has both.
func TestUnconfirmedStratified(t *testing.T) {
	var cs []store.SurveyCall
	cs = append(cs, calls(48, 1, "A", survey.OutcomeCompleted, yes)...)
	cs = append(cs, calls(2, 1, "A", survey.OutcomeCompleted, no)...)
	cs = append(cs, calls(44, 1, "B", survey.OutcomeCompleted, yes)...)
	cs = append(cs, calls(6, 1, "B", survey.OutcomeCompleted, no)...)
	extra := append(calls(2, 1, "A", survey.OutcomeCompleted, no), calls(1, 1, "A", survey.OutcomeCompleted, yes)...)
	for i := range extra {
		extra[i].Extra = true
	}
	cs = append(cs, extra...)
	d := &store.SurveyData{Campaigns: []store.SurveyCampaign{{ID: 1, Name: "Q2"}},
		Strata: []store.SurveyStratum{{CampaignID: 1, Stratum: "A", N: 600, Drawn: 50}, {CampaignID: 1, Stratum: "B", N: 400, Drawn: 50}},
		Calls:  cs}
	q, err := ComputeQuality(QualityInput{Survey: d, Counted: 1200})
	if err != nil {
		t.Fatal(err)
	}
	u := q.Phone.Unconfirmed
	if u == nil {
		t.Fatal("no estimate")
	}
	if u.Respondents != 100 || u.NotConfirmed != 8 || !near(u.Share, 0.072) || !near(u.Lo, 0.035656) || !near(u.Hi, 0.140010) ||
		u.EffectiveN != 100 || u.Surveyed != 1000 || u.Uncovered != 0 || u.Register != 1200 ||
		u.Count != 86 || u.CountLo != 42 || u.CountHi != 169 || u.Small {
		t.Errorf("estimate %+v", u)
	}
	if q.Phone.Oversample.N != 3 || q.Phone.Oversample.Hits != 2 || q.Phone.NotConfirmed != 10 || q.Phone.Calls != 103 || q.Phone.Interviews != 100 {
		t.Errorf("oversample %+v, not confirmed %d, calls %d, interviews %d", q.Phone.Oversample, q.Phone.NotConfirmed, q.Phone.Calls, q.Phone.Interviews)
	}
	if !q.HasData || q.NoteKey != qualitySeeTables || !slices.Equal(q.Notes, []string{qualityNoQuestionnaires}) {
		t.Errorf("has data %v, note %q, notes %v", q.HasData, q.NoteKey, q.Notes)
	}
}

// TestUnconfirmedDomain: a campaign that reaches beyond the period speaks
// for the period through the calls about it. Its stratum of N = 100 drew
// 10, of which 5 are about the period: it stands for 100·5/10 = 50
// services. A stratum no call of the period fell in stands for none, and
// a stratum of respondents but none who answered question 1 is uncovered.
func TestUnconfirmedDomain(t *testing.T) {
	cs := append(calls(4, 2, "X", survey.OutcomeCompleted, yes), calls(1, 2, "X", survey.OutcomeCompleted, no)...)
	cs = append(cs, calls(2, 2, "Y", survey.OutcomeRefused, survey.PhoneAnswers{})...)
	d := &store.SurveyData{Campaigns: []store.SurveyCampaign{{ID: 2, Name: "Q4"}},
		Strata: []store.SurveyStratum{{CampaignID: 2, Stratum: "X", N: 100, Drawn: 10}, {CampaignID: 2, Stratum: "Y", N: 30, Drawn: 3},
			{CampaignID: 2, Stratum: "Z", N: 40, Drawn: 4}},
		Calls: cs}
	q, err := ComputeQuality(QualityInput{Survey: d, Counted: 500})
	if err != nil {
		t.Fatal(err)
	}
	u := q.Phone.Unconfirmed
	// Y: 30·2/3 = 20 services, no one answered question 1: uncovered.
	if u == nil || u.Surveyed != 50 || u.Uncovered != 20 || u.Respondents != 5 || u.NotConfirmed != 1 || !near(u.Share, 0.2) || !u.Small {
		t.Fatalf("estimate %+v", u)
	}
	// The count is kept between what the survey proves: at least the one
	// who said no, at most all but the four who said yes.
	if u.CountLo < 1 || u.CountHi > 496 || u.Count != 100 {
		t.Errorf("counts %d (%d-%d)", u.Count, u.CountLo, u.CountHi)
	}
}

// TestResponseRates: AAPOR's rates by hand from the dispositions I = 60,
// P = 10, R = 15, NC = 20, O = 5, UH = 10, NE = 5. The denominator of
// RR1, RR2, REF1 and CON1 is (I+P)+(R+NC+O)+(UH+UO) = 70+40+10 = 120:
// RR1 = 60/120 = 0.5, RR2 = 70/120, REF1 = 15/120 = 0.125,
// CON1 = (70+15+5)/120 = 0.75; COOP1 = 60/(70+15+5) = 2/3. Calls not
// finished count as UH (never dialled) or NC (dialled).
func TestResponseRates(t *testing.T) {
	var cs []store.SurveyCall
	add := func(n int, o survey.Outcome) { cs = append(cs, calls(n, 3, "S", o, yes)...) }
	add(60, survey.OutcomeCompleted)
	add(10, survey.OutcomePartial)
	add(10, survey.OutcomeRefused)
	add(5, survey.OutcomeBreakOff)
	add(8, survey.OutcomeNoAnswer)
	add(2, survey.OutcomeBusy)
	add(4, survey.OutcomeCallback)
	add(5, survey.OutcomeOther)
	add(4, survey.OutcomeNotAttempted)
	add(5, survey.OutcomeWrongNumber)
	for range 6 { // dialled, waiting for the next attempt: NC
		cs = append(cs, store.SurveyCall{CampaignID: 3, Stratum: "S", Status: "queued", Attempts: 2})
	}
	for range 6 { // never dialled: UH
		cs = append(cs, store.SurveyCall{CampaignID: 3, Stratum: "S", Status: "queued"})
	}
	// The oversample is not part of the rates.
	cs = append(cs, store.SurveyCall{CampaignID: 3, Stratum: "S", Status: "done", Outcome: "refused", Extra: true})
	d := &store.SurveyData{Campaigns: []store.SurveyCampaign{{ID: 3, Name: "Q3", PeriodFrom: "2026-07-01", PeriodTo: "2026-09-30"}},
		Strata: []store.SurveyStratum{{CampaignID: 3, Stratum: "S", N: 1000, Drawn: 125}}, Calls: cs}
	q, err := ComputeQuality(QualityInput{Survey: d, Counted: 1000})
	if err != nil {
		t.Fatal(err)
	}
	want := survey.Dispositions{I: 60, P: 10, R: 15, NC: 20, O: 5, UH: 10, NE: 5}
	for _, r := range []ResponseRow{q.Phone.Response[0], q.Phone.Total} {
		if r.Dispositions != want || r.Cases != 125 || r.Pending != 12 {
			t.Errorf("dispositions %+v, cases %d, pending %d", r.Dispositions, r.Cases, r.Pending)
		}
		for name, c := range map[string]struct {
			got  *float64
			want float64
		}{"RR1": {r.RR1, 0.5}, "RR2": {r.RR2, 70.0 / 120}, "COOP1": {r.COOP1, 2.0 / 3}, "REF1": {r.REF1, 0.125}, "CON1": {r.CON1, 0.75}} {
			if c.got == nil || !near(*c.got, c.want) {
				t.Errorf("%s = %v, want %v", name, c.got, c.want)
			}
		}
	}
	if q.Phone.Response[0].Campaign != "Q3" || q.Phone.Response[0].From != "2026-07-01" || q.Phone.Total.CampaignID != 0 {
		t.Errorf("rows %+v", q.Phone.Response)
	}
	// A call with an outcome esep does not know stops the report rather
	// than being counted as something it is not.
	d.Calls = append(d.Calls, store.SurveyCall{CampaignID: 3, RecordID: "R-9", Status: "done", Outcome: "hung_up"})
	if _, err := ComputeQuality(QualityInput{Survey: d}); err == nil {
		t.Error("an unknown outcome was counted")
	}
}

// TestRatingsAndShares checks the ratings against Student's t by hand and
// the shares against Newcombe's worked example of Wilson's interval
// (R. G. Newcombe, "Two-sided confidence intervals for the single
// proportion", Statistics in Medicine 17, 1998, Table II: 15 of 148 gives
// 0.0624 to 0.1605).
//
// Usefulness of the six questionnaires, 5 4 4 3 5 2: mean 23/6 = 3.8333,
// s = √(6.8333/5) = 1.16905, t(0.975, 5) = 2.570582, half-width
// 2.570582·1.16905/√6 = 1.22685: 2.6065 to 5.0602, cut to 5. Region
// 430000000 has the first five, 5 4 4 3 5: mean 4.2, s = √0.7,
// t(0.975, 4) = 2.776445, half-width 1.03885: 3.1611 to 5 (cut). Region
// 710000000 has one answer: the whole scale, 1 to 5.
func TestRatingsAndShares(t *testing.T) {
	q := func(region, manager string, u int, fin ...string) store.RatedQuestionnaire {
		return store.RatedQuestionnaire{Region: region, Service: "ACC", Manager: manager, Usefulness: u, Organisation: 4, Expectations: 4, Satisfaction: 5,
			Financial: fin, Purposes: []string{"new_markets"}}
	}
	qs := []store.RatedQuestionnaire{
		q("430000000", "Б", 5, "grant"), q("430000000", "А", 4), q("430000000", "А", 4, "grant", "loan_guarantee"),
		q("430000000", "", 3), q("430000000", "А", 5), q("710000000", "А", 2),
	}
	var cs []store.SurveyCall
	cs = append(cs, calls(9, 4, "S", survey.OutcomeCompleted, survey.PhoneAnswers{Received: survey.Yes, Rating: 5, Useful: survey.UsefulYes, Interested: survey.Yes,
		Instruments: []survey.FinancialSupport{survey.FinancialGrant}})...)
	cs = append(cs, calls(6, 4, "S", survey.OutcomeCompleted, survey.PhoneAnswers{Received: survey.Yes, Rating: 3, Useful: survey.UsefulPartly, Interested: survey.Yes})...)
	cs = append(cs, calls(133, 4, "S", survey.OutcomeCompleted, survey.PhoneAnswers{Received: survey.Yes, Rating: 4, Useful: survey.UsefulYes, Interested: survey.No})...)
	d := &store.SurveyData{Campaigns: []store.SurveyCampaign{{ID: 4}}, Strata: []store.SurveyStratum{{CampaignID: 4, Stratum: "S", N: 5000, Drawn: 148}}, Calls: cs}
	got, err := ComputeQuality(QualityInput{Questionnaires: qs, Survey: d, Counted: 5000})
	if err != nil {
		t.Fatal(err)
	}
	if !got.HasData || len(got.Notes) != 0 || got.Confidence != 0.95 || got.SmallCell != 30 {
		t.Errorf("section %+v", got)
	}
	r := got.Questionnaires.Ratings
	if !slices.Equal(r.Questions, []string{"usefulness", "organisation", "expectations", "satisfaction"}) {
		t.Errorf("questions %v", r.Questions)
	}
	use := r.Overall[0]
	if use.N != 6 || !near(use.Mean, 23.0/6) || !near(use.Lo, 2.606496) || use.Hi != 5 || use.Dist != [5]int{0, 1, 1, 2, 2} || !use.Small {
		t.Errorf("usefulness %+v", use)
	}
	if s := r.Satisfied[0]; s.Hits != 4 || s.N != 6 || !s.Small {
		t.Errorf("usefulness 4-5 %+v", s)
	}
	if len(r.ByRegion) != 2 || r.ByRegion[0].Key != "430000000" || r.ByRegion[0].N != 5 || !r.ByRegion[0].Small {
		t.Fatalf("by region %+v", r.ByRegion)
	}
	if a := r.ByRegion[0].Ratings[0]; !near(a.Mean, 4.2) || !near(a.Lo, 3.161149) || a.Hi != 5 {
		t.Errorf("region 430000000 usefulness %+v", a)
	}
	if b := r.ByRegion[1].Ratings[0]; b.N != 1 || b.Mean != 2 || b.Lo != 1 || b.Hi != 5 || !b.Small {
		t.Errorf("region 710000000 usefulness %+v", b)
	}
	// Every group has all four questions; "not stated" comes last.
	var managers []string
	for _, g := range r.ByManager {
		managers = append(managers, g.Key)
		if len(g.Ratings) != 4 {
			t.Errorf("manager %q: %d ratings", g.Key, len(g.Ratings))
		}
	}
	if !slices.Equal(managers, []string{"А", "Б", ""}) || r.ByManager[0].N != 4 {
		t.Errorf("managers %v", managers)
	}
	fin := got.Questionnaires.Financial
	if fin.Any.Hits != 2 || fin.Any.N != 6 || fin.Options[2].Code != "grant" || fin.Options[2].Hits != 2 || fin.Options[1].Hits != 1 || fin.Options[0].Hits != 0 {
		t.Errorf("financial %+v", fin)
	}
	if p := got.Questionnaires.Purposes; p.Any.Hits != 6 || p.Options[2].Code != "new_markets" || p.Options[2].Hits != 6 || p.Options[2].Value != 1 || p.Options[2].Hi != 1 {
		t.Errorf("purposes %+v", p)
	}
	if n := got.Questionnaires.NonFinancial; n.Any.Hits != 0 || n.Any.Lo != 0 || len(n.Options) != 8 {
		t.Errorf("non-financial %+v", n)
	}

	ph := got.Phone
	in := ph.Interested
	if in.Hits != 15 || in.N != 148 || !near(in.Lo, 0.062386) || !near(in.Hi, 0.160487) || in.Small {
		t.Errorf("interested %+v", in)
	}
	if g := ph.Instruments.Options[2]; g.Code != "grant" || g.Hits != 9 || g.N != 15 || !g.Small || ph.Instruments.Any.Hits != 9 {
		t.Errorf("instruments %+v", ph.Instruments)
	}
	if u := ph.Useful; len(u) != 3 || u[0].Code != "useless" || u[0].Hits != 0 || u[1].Hits != 6 || u[2].Hits != 142 || u[2].N != 148 {
		t.Errorf("useful %+v", u)
	}
	pr := ph.Rating.Overall[0]
	if pr.N != 148 || pr.Dist != [5]int{0, 0, 6, 133, 9} || pr.Small || !near(pr.Mean, (18+532+45)/148.0) {
		t.Errorf("phone rating %+v", pr)
	}
	if s := ph.Rating.Satisfied[0]; s.Hits != 142 || s.N != 148 {
		t.Errorf("phone 4-5 %+v", s)
	}
	if u := ph.Unconfirmed; u == nil || u.NotConfirmed != 0 || u.Share != 0 || u.Lo != 0 || u.Count != 0 || u.CountLo != 0 || u.CountHi == 0 {
		t.Errorf("unconfirmed %+v", u)
	}
}

// TestQualityMissing: with no data the section says so and which source
// is missing; calls with no interview yet give response rates but no data.
func TestQualityMissing(t *testing.T) {
	q, err := ComputeQuality(QualityInput{Counted: 10})
	if err != nil {
		t.Fatal(err)
	}
	if q.HasData || q.NoteKey != qualityNoData || !slices.Equal(q.Notes, []string{qualityNoQuestionnaires, qualityNoInterviews}) || q.Phone != nil || q.Questionnaires != nil {
		t.Errorf("empty section %+v", q)
	}
	d := &store.SurveyData{Campaigns: []store.SurveyCampaign{{ID: 5}}, Calls: []store.SurveyCall{{CampaignID: 5, Stratum: "S", Status: "queued"}}}
	q, err = ComputeQuality(QualityInput{Survey: d, Counted: 10})
	if err != nil {
		t.Fatal(err)
	}
	if q.HasData || q.Phone == nil || q.Phone.Interviews != 0 || q.Phone.Unconfirmed != nil || q.Phone.Total.Dispositions.UH != 1 || q.Phone.Total.COOP1 != nil || q.Phone.Total.RR1 == nil {
		t.Errorf("calls without interviews %+v", q.Phone)
	}
	// The section marshals to JSON: no NaN or infinity anywhere.
	if _, err := json.Marshal(q); err != nil {
		t.Error(err)
	}
}

// TestOldSnapshot: a report sent before the section had figures stored
// only has_data and note_key; it loads and says there are no data.
func TestOldSnapshot(t *testing.T) {
	old := `{"version":1,"kind":"quarter","period":"2026Q1","from":"2026-01-01","to":"2026-03-31","status":"sent",
		"generated_at":"2026-04-02T03:00:00Z","introduction":{"deliveries":[],"records_received":0,"records_counted":0,"records_excluded":0},
		"tables":null,"national":null,"plans":[],"quality":{"has_data":false,"note_key":"doc.quality.no_data"},"conclusions":[],
		"annexes":{"exclusions":null,"late_registers":null,"letters":[]}}`
	r, err := FromSnapshot([]byte(old))
	if err != nil {
		t.Fatal(err)
	}
	if r.Quality.HasData || r.Quality.NoteKey != "doc.quality.no_data" || r.Quality.Phone != nil || r.Quality.Questionnaires != nil {
		t.Errorf("quality %+v", r.Quality)
	}
}
