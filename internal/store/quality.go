package store

import (
	"context"
	"fmt"
)

// The read side of the quality audit (Annex 3, section 3): what the report
// needs from the Register of questionnaires and from the telephone survey
// of a period, each answer with the region, service and manager of the
// service it is about. Nothing here writes: the questionnaire form and the
// campaign workflow own those tables.

// RatedQuestionnaire is one Annex 2 questionnaire about a service of the
// period, with that service's region, service code and manager, so the
// ratings can be broken down by them.
type RatedQuestionnaire struct {
	RecordID     string
	Region       string // the record's region_kato
	Service      string // the record's service_code
	Manager      string // the record's manager_full_name
	Usefulness   int
	Organisation int
	Expectations int
	Satisfaction int
	Purposes     []string // option codes of Annex 2
	Financial    []string
	NonFinancial []string
}

// RatedQuestionnaires lists the questionnaires about services that ended in
// [from, to] (YYYY-MM-DD, inclusive), in record_id order. The period is the
// service's, as for every indicator of the report, not the day the client
// answered.
func (db *DB) RatedQuestionnaires(ctx context.Context, from, to string) ([]RatedQuestionnaire, error) {
	out, err := collect(ctx, db, `SELECT q.record_id, r.region_kato, r.service_code, r.manager_full_name,
			q.usefulness, q.organisation, q.expectations, q.satisfaction, q.purposes, q.financial, q.nonfinancial
		FROM questionnaires q JOIN records r ON r.record_id = q.record_id
		WHERE r.end_date >= ? AND r.end_date <= ? ORDER BY q.record_id`, []any{from, to}, func(s scanner) (q RatedQuestionnaire, err error) {
		var p, f, n string
		err = s.Scan(&q.RecordID, &q.Region, &q.Service, &q.Manager, &q.Usefulness, &q.Organisation, &q.Expectations, &q.Satisfaction, &p, &f, &n)
		q.Purposes, q.Financial, q.NonFinancial = split(p), split(f), split(n)
		return q, err
	})
	if err != nil {
		return nil, fmt.Errorf("rated questionnaires %s..%s: %w", from, to, db.err(err))
	}
	return out, nil
}

// SurveyCampaign is a telephone-survey campaign as the report names it.
type SurveyCampaign struct {
	ID         int64
	Name       string
	PeriodFrom string // the end dates its frame covers, YYYY-MM-DD
	PeriodTo   string
	Status     string // open, closed
}

// SurveyStratum is one stratum of a campaign's draw: N is its size in the
// frame, which weights its answers, and Drawn the units drawn into the
// main sample (the risk oversample not included).
type SurveyStratum struct {
	CampaignID int64
	Stratum    string
	Region     string
	Service    string
	N          int
	Drawn      int
}

// SurveyCall is one sampled service of the telephone survey: how the call
// ended and the client's Annex 4 answers, with the service's region,
// service code and manager as the register has them now.
type SurveyCall struct {
	CampaignID int64
	RecordID   string
	Stratum    string
	Extra      bool   // the risk oversample: left out of shares and ratings
	Status     string // queued, assigned, done
	Outcome    string // a survey.Outcome once done; "" before
	Attempts   int
	Region     string
	Service    string
	Manager    string
	// The answers (survey.PhoneAnswers in their stored form).
	Received    string // q1: yes, no or ""
	Rating      int    // q2: 1-5, 0 when not answered
	Useful      string // q3: useless, partly, useful or ""
	Interested  string // q4: yes, no or ""
	Instruments []string
}

// SurveyData is what the telephone survey says about a period.
type SurveyData struct {
	Campaigns []SurveyCampaign // of the calls below, by id
	Strata    []SurveyStratum  // of those campaigns, by campaign then stratum
	Calls     []SurveyCall     // by campaign, then call id
}

// SurveyCalls returns every call about a service that ended in [from, to]
// (YYYY-MM-DD, inclusive) whatever its state, with the campaigns these
// calls belong to and all the strata of those campaigns. The strata are
// whole even when a campaign's period reaches beyond [from, to]: the
// report decides how to weight a campaign it covers only in part.
func (db *DB) SurveyCalls(ctx context.Context, from, to string) (*SurveyData, error) {
	wrap := func(what string, err error) error {
		return fmt.Errorf("survey %s %s..%s: %w", what, from, to, db.err(err))
	}
	// The campaigns with a call about a service of the period; the same
	// condition selects their strata below.
	const ofPeriod = `SELECT DISTINCT c.campaign_id FROM calls c JOIN records r ON r.record_id = c.record_id
		WHERE r.end_date >= ? AND r.end_date <= ?`
	d := &SurveyData{}
	var err error
	d.Campaigns, err = collect(ctx, db, `SELECT id, name, period_from, period_to, status FROM campaigns
		WHERE id IN (`+ofPeriod+`) ORDER BY id`, []any{from, to}, func(s scanner) (c SurveyCampaign, err error) {
		err = s.Scan(&c.ID, &c.Name, &c.PeriodFrom, &c.PeriodTo, &c.Status)
		return c, err
	})
	if err != nil {
		return nil, wrap("campaigns", err)
	}
	if len(d.Campaigns) == 0 {
		return d, nil
	}
	d.Strata, err = collect(ctx, db, `SELECT campaign_id, stratum, region, service, n, drawn FROM campaign_strata
		WHERE campaign_id IN (`+ofPeriod+`) ORDER BY campaign_id, stratum`, []any{from, to}, func(s scanner) (st SurveyStratum, err error) {
		err = s.Scan(&st.CampaignID, &st.Stratum, &st.Region, &st.Service, &st.N, &st.Drawn)
		return st, err
	})
	if err != nil {
		return nil, wrap("strata", err)
	}
	d.Calls, err = collect(ctx, db, `SELECT c.campaign_id, c.record_id, c.stratum, c.extra, c.status, c.outcome, c.attempts,
			r.region_kato, r.service_code, r.manager_full_name,
			c.q1_received, c.q2_rating, c.q3_useful, c.q4_interested, c.q4_instruments
		FROM calls c JOIN records r ON r.record_id = c.record_id
		WHERE r.end_date >= ? AND r.end_date <= ? ORDER BY c.campaign_id, c.id`, []any{from, to}, func(s scanner) (c SurveyCall, err error) {
		var extra int
		var instruments string
		err = s.Scan(&c.CampaignID, &c.RecordID, &c.Stratum, &extra, &c.Status, &c.Outcome, &c.Attempts,
			&c.Region, &c.Service, &c.Manager, &c.Received, &c.Rating, &c.Useful, &c.Interested, &instruments)
		c.Extra, c.Instruments = extra != 0, split(instruments)
		return c, err
	})
	if err != nil {
		return nil, wrap("calls", err)
	}
	return d, nil
}

type scanner interface{ Scan(dest ...any) error }

// collect runs a read query (with ? placeholders) and scans every row of
// it with scan. Its errors are the driver's, for the caller to wrap.
func collect[T any](ctx context.Context, db *DB, query string, args []any, scan func(scanner) (T, error)) ([]T, error) {
	rows, err := db.r.QueryContext(ctx, db.q(query), args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []T
	for rows.Next() {
		v, err := scan(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, rows.Err()
}
