package report

import (
	"cmp"
	"fmt"
	"math"
	"slices"

	"esep/internal/store"
	"esep/internal/survey"
)

// The quality section is computed here, in the report package rather than
// a package of its own, because it is one section of the report: it takes
// the store's plain rows of a period and gives the section's model, and
// nothing else uses it. The statistics themselves (intervals, AAPOR rates,
// the stratified estimator) are survey's; this file only decides which
// answers go into which figure.

// QualityInput is what the quality section is computed from: the
// questionnaires and the telephone survey about services of the period,
// and the number of services the report counts.
type QualityInput struct {
	Questionnaires []store.RatedQuestionnaire
	Survey         *store.SurveyData // nil: no survey
	Counted        int               // services counted in the report (Introduction.RecordsCounted)
	// Confidence of the intervals; 0 means survey.DefaultConfidence.
	Confidence float64
}

// Message keys of the section's notes.
const (
	qualityNoData           = "doc.quality.no_data"
	qualitySeeTables        = "doc.quality.see_tables"
	qualityNoQuestionnaires = "doc.quality.no_questionnaires"
	qualityNoInterviews     = "doc.quality.no_interviews"
)

// PhoneRating is the question code of Annex 4, question 2, in a RatingSet.
const PhoneRating = "phone_rating"

// ComputeQuality computes section 3 from in. The section has data when
// there is at least one questionnaire or one complete or partial
// telephone interview; each missing source is named in Notes.
//
// It returns an error, naming the call, when a finished call has an
// outcome that is not a survey.Outcome: the response rates cannot be
// computed without knowing what became of every call.
func ComputeQuality(in QualityInput) (Quality, error) {
	conf := in.Confidence
	if conf == 0 {
		conf = survey.DefaultConfidence
	}
	q := Quality{Confidence: conf, SmallCell: survey.SmallCellSize}
	if len(in.Questionnaires) > 0 {
		q.Questionnaires = questionnaireFigures(in.Questionnaires, conf)
	} else {
		q.Notes = append(q.Notes, qualityNoQuestionnaires)
	}
	if in.Survey != nil && len(in.Survey.Calls) > 0 {
		p, err := phoneFigures(in.Survey, in.Counted, conf)
		if err != nil {
			return Quality{}, err
		}
		q.Phone = p
	}
	if q.Phone == nil || q.Phone.Interviews == 0 {
		q.Notes = append(q.Notes, qualityNoInterviews)
	}
	q.HasData = q.Questionnaires != nil || (q.Phone != nil && q.Phone.Interviews > 0)
	q.NoteKey = qualitySeeTables
	if !q.HasData {
		q.NoteKey = qualityNoData
	}
	return q, nil
}

// questionnaireFigures sums up the Annex 2 questionnaires.
func questionnaireFigures(qs []store.RatedQuestionnaire, conf float64) *QuestionnaireFigures {
	f := &QuestionnaireFigures{Count: len(qs)}
	questions := make([]string, len(survey.RatingAspects))
	for i, a := range survey.RatingAspects {
		questions[i] = string(a)
	}
	answers := make([]rated, len(qs))
	for i, q := range qs {
		answers[i] = rated{region: q.Region, service: q.Service, manager: q.Manager,
			ratings: []int{q.Usefulness, q.Organisation, q.Expectations, q.Satisfaction}}
	}
	f.Ratings = ratingSet(questions, answers, conf)
	f.Financial = optionFigures(qs, func(q store.RatedQuestionnaire) []string { return q.Financial }, codes(survey.FinancialSupports), conf)
	f.NonFinancial = optionFigures(qs, func(q store.RatedQuestionnaire) []string { return q.NonFinancial }, codes(survey.NonFinancialSupports), conf)
	f.Purposes = optionFigures(qs, func(q store.RatedQuestionnaire) []string { return q.Purposes }, codes(survey.Purposes), conf)
	return f
}

// rated is one respondent's ratings, one per question of a RatingSet, with
// the groups the service rated belongs to.
type rated struct {
	region, service, manager string
	ratings                  []int
}

// ratingSet sums up the answers to the questions overall and by region,
// service and manager. Every group has a figure for every question, in the
// order of questions, so a renderer can lay the questions out as columns.
func ratingSet(questions []string, answers []rated, conf float64) RatingSet {
	s := RatingSet{Questions: questions}
	s.Overall = summarize(answers, len(questions), conf)
	for _, r := range s.Overall {
		s.Satisfied = append(s.Satisfied, shareOf(r.Dist[3]+r.Dist[4], r.N, conf))
	}
	s.ByRegion = groupRatings(answers, func(a rated) string { return a.region }, len(questions), conf)
	s.ByService = groupRatings(answers, func(a rated) string { return a.service }, len(questions), conf)
	s.ByManager = groupRatings(answers, func(a rated) string { return a.manager }, len(questions), conf)
	return s
}

// summarize gives a RatingFigure per question for the answers.
func summarize(answers []rated, questions int, conf float64) []RatingFigure {
	out := make([]RatingFigure, questions)
	for k := range questions {
		ratings := make([]int, len(answers))
		for i, a := range answers {
			ratings[i] = a.ratings[k]
		}
		r := survey.SummarizeAt(ratings, conf)
		out[k] = RatingFigure{N: r.N, Mean: r.Mean, Lo: r.Lo, Hi: r.Hi, Dist: r.Dist, Small: r.Small}
	}
	return out
}

// groupRatings breaks the answers down by key, in the order of the keys,
// "" (not stated) last.
func groupRatings(answers []rated, key func(rated) string, questions int, conf float64) []GroupRating {
	groups := map[string][]rated{}
	for _, a := range answers {
		groups[key(a)] = append(groups[key(a)], a)
	}
	keys := make([]string, 0, len(groups))
	for k := range groups {
		keys = append(keys, k)
	}
	slices.SortFunc(keys, func(a, b string) int {
		return cmp.Or(cmp.Compare(boolInt(a == ""), boolInt(b == "")), cmp.Compare(a, b))
	})
	out := make([]GroupRating, len(keys))
	for i, k := range keys {
		g := groups[k]
		out[i] = GroupRating{Key: k, N: len(g), Small: survey.SmallCell(len(g)), Ratings: summarize(g, questions, conf)}
	}
	return out
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

func codes[T ~string](xs []T) []string {
	out := make([]string, len(xs))
	for i, x := range xs {
		out[i] = string(x)
	}
	return out
}

// shareOf is hits out of n with its Wilson interval. With no answers there
// is nothing to estimate: the share is 0 and the interval the whole of
// [0, 1], flagged small, so that no renderer mistakes it for a finding.
func shareOf(hits, n int, conf float64) Share {
	s := Share{Hits: hits, N: n, Small: survey.SmallCell(n), Hi: 1}
	if n > 0 {
		s.Value = float64(hits) / float64(n)
		s.Lo, s.Hi = survey.ProportionCI(hits, n, conf)
	}
	return s
}

// optionFigures counts, among the respondents, those naming at least one
// option and those naming each of options (in that order). Codes not in
// options are ignored: the questionnaire's validation refuses them.
func optionFigures[T any](respondents []T, named func(T) []string, options []string, conf float64) OptionFigures {
	counts := make([]int, len(options))
	anyNamed := 0
	for _, r := range respondents {
		hit := false
		for _, c := range named(r) {
			if i := slices.Index(options, c); i >= 0 {
				counts[i]++
				hit = true
			}
		}
		if hit {
			anyNamed++
		}
	}
	f := OptionFigures{Any: shareOf(anyNamed, len(respondents), conf)}
	for i, o := range options {
		f.Options = append(f.Options, OptionShare{Code: o, Share: shareOf(counts[i], len(respondents), conf)})
	}
	return f
}

// phoneFigures sums up the telephone survey's calls about the period.
func phoneFigures(d *store.SurveyData, counted int, conf float64) (*PhoneFigures, error) {
	p := &PhoneFigures{Calls: len(d.Calls)}
	var main []store.SurveyCall
	for _, c := range d.Calls {
		if c.Extra {
			if c.Status == "done" && (c.Received == string(survey.Yes) || c.Received == string(survey.No)) {
				p.Oversample.N++
				if c.Received == string(survey.No) {
					p.Oversample.Hits++
				}
			}
		} else {
			main = append(main, c)
		}
		if c.Status == "done" && c.Received == string(survey.No) {
			p.NotConfirmed++
		}
	}
	p.Oversample = shareOf(p.Oversample.Hits, p.Oversample.N, conf)

	if err := p.response(d.Campaigns, main); err != nil {
		return nil, err
	}
	p.Interviews = p.Total.Dispositions.I + p.Total.Dispositions.P

	// The answers: of finished calls only, since a call still open may be
	// answered differently at its next attempt.
	var answers []rated
	var useful, interested []store.SurveyCall
	for _, c := range main {
		if c.Status != "done" {
			continue
		}
		if c.Rating != 0 {
			answers = append(answers, rated{region: c.Region, service: c.Service, manager: c.Manager, ratings: []int{c.Rating}})
		}
		if c.Useful != "" {
			useful = append(useful, c)
		}
		if c.Interested != "" {
			interested = append(interested, c)
		}
	}
	p.Rating = ratingSet([]string{PhoneRating}, answers, conf)
	for _, u := range survey.Usefuls {
		hits := 0
		for _, c := range useful {
			if c.Useful == string(u) {
				hits++
			}
		}
		p.Useful = append(p.Useful, OptionShare{Code: string(u), Share: shareOf(hits, len(useful), conf)})
	}
	yes := 0
	var keen []store.SurveyCall
	for _, c := range interested {
		if c.Interested == string(survey.Yes) {
			yes++
			keen = append(keen, c)
		}
	}
	p.Interested = shareOf(yes, len(interested), conf)
	p.Instruments = optionFigures(keen, func(c store.SurveyCall) []string { return c.Instruments }, codes(survey.FinancialSupports), conf)

	u, err := unconfirmed(d.Strata, main, counted, conf)
	if err != nil {
		return nil, err
	}
	p.Unconfirmed = u
	return p, nil
}

// response tallies the main sample's calls of each campaign, and of all of
// them, into AAPOR dispositions and rates. A finished call counts by its
// outcome (survey.Outcome.Disposition); a call not finished counts as
// survey's mapping says of a case left so at the end of the fieldwork: not
// attempted (UH) when never dialled, a non-contact (NC) after an attempt.
func (p *PhoneFigures) response(campaigns []store.SurveyCampaign, calls []store.SurveyCall) error {
	byID := map[int64]*ResponseRow{}
	for _, c := range campaigns {
		p.Response = append(p.Response, ResponseRow{CampaignID: c.ID, Campaign: c.Name, From: c.PeriodFrom, To: c.PeriodTo})
	}
	for i := range p.Response {
		byID[p.Response[i].CampaignID] = &p.Response[i]
	}
	for _, c := range calls {
		row := byID[c.CampaignID]
		if row == nil { // a call whose campaign the store did not give: count it in the total alone
			row = &ResponseRow{}
		}
		disp := survey.DispUH
		switch {
		case c.Status == "done":
			var err error
			if disp, err = survey.Outcome(c.Outcome).Disposition(); err != nil {
				return fmt.Errorf("quality: call about %s of campaign %d: %w", c.RecordID, c.CampaignID, err)
			}
		case c.Attempts > 0:
			disp = survey.DispNC
		}
		for _, r := range []*ResponseRow{row, &p.Total} {
			_ = r.Dispositions.Add(disp) // disp is always an AAPOR category here
			if c.Status != "done" {
				r.Pending++
			}
		}
	}
	for i := range p.Response {
		p.Response[i].rates()
	}
	p.Total.rates()
	return nil
}

// rates fills the AAPOR rates, leaving nil those with nothing to divide.
func (r *ResponseRow) rates() {
	d := r.Dispositions
	r.Cases = d.Total()
	rate := func(v float64) *float64 {
		if math.IsNaN(v) {
			return nil
		}
		return &v
	}
	r.RR1, r.RR2, r.COOP1, r.REF1, r.CON1 = rate(d.RR1()), rate(d.RR2()), rate(d.COOP1()), rate(d.REF1()), rate(d.CON1())
}

// unconfirmed estimates the share of services their clients did not
// confirm, from the main sample's answers to question 1, each stratum of
// each campaign weighted by its size (survey.WeightedShare), and scales it
// to the services counted in the report.
//
// A campaign may cover more than the report's period (a campaign of
// October to December in the annual report, which ends on 30 November):
// its strata then speak for the period only through the calls about
// services of the period. Each stratum's size is taken as its N times the
// share of its drawn calls that are about the period, N_h·m_h/n_h, the
// usual estimate of a domain's size from a simple random sample (W. G.
// Cochran, Sampling Techniques, 3rd ed., 1977, §2.13, estimates over
// subpopulations), applied in each stratum; for a
// campaign within the period that share is 1 and N_h is exact. The
// variance treats the estimated sizes as known, which slightly understates
// it for a campaign cut by the period. A call in a stratum the campaign's
// strata do not list stands for itself alone (N_h = its calls).
//
// The count for the register is the share times the services counted,
// its interval the interval's ends times that number rounded outwards,
// all kept between what the survey proves: at least the clients who said
// no, at most all but those who said yes. This repeats what
// survey.Estimate does for the surveyed strata, for another total: the
// report is about the period's counted services, which a campaign's frame
// need not cover whole.
func unconfirmed(strata []store.SurveyStratum, main []store.SurveyCall, counted int, conf float64) (*Unconfirmed, error) {
	type key struct {
		campaign int64
		stratum  string
	}
	type tally struct {
		n, drawn, calls, sampled, hits int
		listed                         bool
	}
	var order []key
	tallies := map[key]*tally{}
	get := func(k key) *tally {
		t := tallies[k]
		if t == nil {
			t = &tally{}
			tallies[k] = t
			order = append(order, k)
		}
		return t
	}
	for _, s := range strata {
		t := get(key{s.CampaignID, s.Stratum})
		t.n, t.drawn, t.listed = s.N, s.Drawn, true
	}
	for _, c := range main {
		t := get(key{c.CampaignID, c.Stratum})
		t.calls++
		if c.Status == "done" && (c.Received == string(survey.Yes) || c.Received == string(survey.No)) {
			t.sampled++
			if c.Received == string(survey.No) {
				t.hits++
			}
		}
	}
	var counts []survey.StratumCount
	respondents := 0
	for _, k := range order {
		t := tallies[k]
		n := t.n
		switch {
		case !t.listed:
			n = t.calls
		case t.drawn > 0 && t.calls < t.drawn:
			n = int(math.Round(float64(t.n) * float64(t.calls) / float64(t.drawn)))
		}
		n = max(n, t.calls)
		counts = append(counts, survey.StratumCount{N: n, Sampled: t.sampled, Hits: t.hits})
		respondents += t.sampled
	}
	if respondents == 0 {
		return nil, nil
	}
	e, err := survey.WeightedShare(counts, conf)
	if err != nil {
		return nil, fmt.Errorf("quality: unconfirmed services: %w", err)
	}
	u := &Unconfirmed{Respondents: e.Sampled, NotConfirmed: e.Hits, Share: e.Share, Lo: e.Lo, Hi: e.Hi,
		EffectiveN: e.EffectiveN, Small: e.Small, Surveyed: e.Population, Uncovered: e.Uncovered, Register: counted}
	least := min(e.Hits, counted)
	most := max(counted-(e.Sampled-e.Hits), least)
	within := func(v int) int { return min(max(v, least), most) }
	total := float64(counted)
	u.Count = within(int(math.Round(e.Share * total)))
	u.CountLo = within(int(math.Floor(e.Lo*total + 1e-9)))
	u.CountHi = within(int(math.Ceil(e.Hi*total - 1e-9)))
	return u, nil
}
