package store_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"esep/internal/store"
	"esep/internal/store/storetest"
)

func TestQuestionnaireLinks(t *testing.T) {
	for _, e := range storetest.Engines() {
		t.Run(e.Name, func(t *testing.T) {
			ctx := context.Background()
			db := storetest.Open(t, e)
			tx, _ := db.BeginImport(ctx, store.ImportMeta{FileName: "f"})
			if err := tx.Put(ctx, []store.Write{{Row: 1, Record: record("A", "Қасымова Әсем"), Store: true}}); err != nil {
				t.Fatal(err)
			}
			tx.Commit(ctx, store.ImportSummary{})
			now := time.Now()
			if err := db.CreateLink(ctx, "A", "h1", now.Add(time.Hour)); err != nil {
				t.Fatal(err)
			}
			if err := db.CreateLink(ctx, "A", "old", now.Add(-time.Minute)); err != nil {
				t.Fatal(err)
			}
			if id, err := db.LinkRecord(ctx, "h1", now); err != nil || id != "A" {
				t.Fatalf("LinkRecord = %q, %v", id, err)
			}
			if _, err := db.LinkRecord(ctx, "old", now); !errors.Is(err, store.ErrLinkExpired) {
				t.Errorf("expired link: %v", err)
			}
			if _, err := db.LinkRecord(ctx, "nope", now); !errors.Is(err, store.ErrNotFound) {
				t.Errorf("unknown link: %v", err)
			}
			q := &store.Questionnaire{RecordID: "A", Lang: "kk", Usefulness: 5, Organisation: 4, Expectations: 5, Satisfaction: 4,
				Purposes: []string{"new_markets"}, Financial: []string{"grant", "guarantee"}, FilledOn: "2026-03-14"}
			if err := db.Answer(ctx, "h1", q, now); err != nil {
				t.Fatal(err)
			}
			if err := db.Answer(ctx, "h1", q, now); !errors.Is(err, store.ErrLinkUsed) {
				t.Errorf("a second answer: %v", err)
			}
			if _, err := db.LinkRecord(ctx, "h1", now); !errors.Is(err, store.ErrLinkUsed) {
				t.Errorf("a spent link: %v", err)
			}
			got, err := db.Questionnaires(ctx, "2026-01-01", "2026-12-31")
			if err != nil || len(got) != 1 || got[0].Satisfaction != 4 || len(got[0].Financial) != 2 || got[0].Source != "link" {
				t.Errorf("questionnaires: %+v %v", got, err)
			}
		})
	}
}
