package store_test

import (
	"context"
	"reflect"
	"testing"

	"esep/internal/register"
	"esep/internal/store"
	"esep/internal/store/storetest"
	"esep/internal/survey"
)

// TestQualityReads: the report's reads of the quality audit give each
// questionnaire and each call of the period with the region, service and
// manager of its record, leave out services that ended outside the period,
// and give the strata of the campaigns those calls belong to. Both engines.
func TestQualityReads(t *testing.T) {
	ctx := context.Background()
	for _, e := range storetest.Engines() {
		t.Run(e.Name, func(t *testing.T) {
			dsn := e.DSN(t)
			db, err := store.Open(ctx, dsn)
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()

			mk := func(id, region, service, manager, end string) register.Record {
				r := record(id, "Клиент "+id)
				r.RegionKATO, r.ServiceCode, r.ManagerFullName, r.StartDate, r.EndDate = region, service, manager, end, end
				return r
			}
			recs := []register.Record{
				mk("Q1", "430000000", "ACC", "Ахметов Нұрлан", "2026-04-10"),
				mk("Q2", "710000000", "LEG", "Иванова Анна", "2026-05-20"),
				mk("Q3", "710000000", "LEG", "Иванова Анна", "2026-07-01"), // the next quarter
				mk("C1", "430000000", "ACC", "Ахметов Нұрлан", "2026-04-11"),
				mk("C2", "750000000", "MKT", "Серікова Дана", "2026-06-30"),
				mk("C3", "750000000", "MKT", "Серікова Дана", "2026-07-02"), // the next quarter
			}
			tx, err := db.BeginImport(ctx, store.ImportMeta{FileName: "q.csv", By: "test"})
			if err != nil {
				t.Fatal(err)
			}
			var writes []store.Write
			for i, r := range recs {
				writes = append(writes, store.Write{Row: i + 1, Record: r, Store: true})
			}
			if err := tx.Put(ctx, writes); err != nil {
				tx.Rollback()
				t.Fatal(err)
			}
			if err := tx.Commit(ctx, store.ImportSummary{RowsRead: len(writes)}); err != nil {
				t.Fatal(err)
			}

			// Nothing yet: no questionnaires, no campaigns.
			if qs, err := db.RatedQuestionnaires(ctx, "2026-04-01", "2026-06-30"); err != nil || len(qs) != 0 {
				t.Fatalf("empty questionnaires: %v, %v", qs, err)
			}
			if d, err := db.SurveyCalls(ctx, "2026-04-01", "2026-06-30"); err != nil || len(d.Calls)+len(d.Campaigns)+len(d.Strata) != 0 {
				t.Fatalf("empty survey: %+v, %v", d, err)
			}

			qs := []store.Questionnaire{
				{RecordID: "Q1", Lang: "kk", Usefulness: 5, Organisation: 4, Expectations: 3, Satisfaction: 5, Purposes: []string{"new_markets"},
					Financial: []string{"grant", "loan_guarantee"}, FilledOn: "2026-04-11"},
				{RecordID: "Q2", Lang: "ru", Usefulness: 2, Organisation: 3, Expectations: 4, Satisfaction: 1, NonFinancial: []string{"staff_training"}, FilledOn: "2026-05-21"},
				{RecordID: "Q3", Lang: "en", Usefulness: 1, Organisation: 1, Expectations: 1, Satisfaction: 1, FilledOn: "2026-07-02"},
			}
			if err := db.ImportQuestionnaires(ctx, qs, "test", "q.csv"); err != nil {
				t.Fatal(err)
			}
			got, err := db.RatedQuestionnaires(ctx, "2026-04-01", "2026-06-30")
			if err != nil {
				t.Fatal(err)
			}
			want := []store.RatedQuestionnaire{
				{RecordID: "Q1", Region: "430000000", Service: "ACC", Manager: "Ахметов Нұрлан", Usefulness: 5, Organisation: 4, Expectations: 3, Satisfaction: 5,
					Purposes: []string{"new_markets"}, Financial: []string{"grant", "loan_guarantee"}},
				{RecordID: "Q2", Region: "710000000", Service: "LEG", Manager: "Иванова Анна", Usefulness: 2, Organisation: 3, Expectations: 4, Satisfaction: 1,
					NonFinancial: []string{"staff_training"}},
			}
			if !reflect.DeepEqual(got, want) {
				t.Errorf("questionnaires:\n got %+v\nwant %+v", got, want)
			}

			// A campaign over April-July: two of its calls are about the
			// quarter, one (C3) about July.
			id := storetest.SeedCampaign(t, dsn, storetest.Campaign{Name: "Q2 survey", From: "2026-04-01", To: "2026-07-31",
				Strata: []storetest.Stratum{{Key: "430000000", Region: "430000000", N: 40, Drawn: 1}, {Key: "750000000", Region: "750000000", N: 60, Drawn: 2}},
				Calls: []storetest.Call{
					{RecordID: "C1", Stratum: "430000000", Outcome: survey.OutcomeCompleted, Attempts: 1, Region: "430000000",
						PhoneAnswers: survey.PhoneAnswers{Received: survey.Yes, Rating: 4, Useful: survey.UsefulPartly, Interested: survey.Yes,
							Instruments: []survey.FinancialSupport{survey.FinancialGrant, survey.FinancialInterestSubsidy}}},
					{RecordID: "C2", Stratum: "750000000", Extra: true, Status: "assigned", Attempts: 2, Region: "750000000"},
					{RecordID: "C3", Stratum: "750000000", Outcome: survey.OutcomeCompleted, Region: "750000000",
						PhoneAnswers: survey.PhoneAnswers{Received: survey.No, Interested: survey.No}},
				}})
			// Another campaign only about July is not the quarter's.
			storetest.SeedCampaign(t, dsn, storetest.Campaign{Name: "July", From: "2026-07-01", To: "2026-07-31",
				Strata: []storetest.Stratum{{Key: "710000000", Region: "710000000", N: 5, Drawn: 1}},
				Calls:  []storetest.Call{{RecordID: "Q3", Stratum: "710000000", Outcome: survey.OutcomeRefused, Region: "710000000"}}})

			d, err := db.SurveyCalls(ctx, "2026-04-01", "2026-06-30")
			if err != nil {
				t.Fatal(err)
			}
			if len(d.Campaigns) != 1 || d.Campaigns[0] != (store.SurveyCampaign{ID: id, Name: "Q2 survey", PeriodFrom: "2026-04-01", PeriodTo: "2026-07-31", Status: "open"}) {
				t.Errorf("campaigns %+v", d.Campaigns)
			}
			wantStrata := []store.SurveyStratum{{CampaignID: id, Stratum: "430000000", Region: "430000000", N: 40, Drawn: 1},
				{CampaignID: id, Stratum: "750000000", Region: "750000000", N: 60, Drawn: 2}}
			if !reflect.DeepEqual(d.Strata, wantStrata) {
				t.Errorf("strata %+v", d.Strata)
			}
			wantCalls := []store.SurveyCall{
				{CampaignID: id, RecordID: "C1", Stratum: "430000000", Status: "done", Outcome: "completed", Attempts: 1,
					Region: "430000000", Service: "ACC", Manager: "Ахметов Нұрлан", Received: "yes", Rating: 4, Useful: "partly", Interested: "yes",
					Instruments: []string{"grant", "interest_subsidy"}},
				{CampaignID: id, RecordID: "C2", Stratum: "750000000", Extra: true, Status: "assigned", Attempts: 2,
					Region: "750000000", Service: "MKT", Manager: "Серікова Дана"},
			}
			if !reflect.DeepEqual(d.Calls, wantCalls) {
				t.Errorf("calls:\n got %+v\nwant %+v", d.Calls, wantCalls)
			}
			d, err = db.SurveyCalls(ctx, "2026-07-01", "2026-07-31")
			if err != nil {
				t.Fatal(err)
			}
			if len(d.Campaigns) != 2 || len(d.Strata) != 3 || len(d.Calls) != 2 || d.Calls[0].RecordID != "C3" || d.Calls[0].Received != "no" || d.Calls[1].Outcome != "refused" {
				t.Errorf("July: %+v", d)
			}
		})
	}
}
