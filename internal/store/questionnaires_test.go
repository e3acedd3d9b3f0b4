package store_test

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"reflect"
	"testing"
	"time"

	"esep/internal/demo"
	"esep/internal/i18n"
	"esep/internal/ingest"
	"esep/internal/ingest/tabular"
	"esep/internal/register"
	"esep/internal/store"
	"esep/internal/store/storetest"
	"esep/internal/xlsx"
)

// registerFile writes a small synthetic register; the same file loaded into
// two databases gives them the same records.
func registerFile(t *testing.T) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "r.csv")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	demo.WriteCSV(f, demo.Options{Rows: 120, Seed: 11, From: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), To: time.Date(2026, 3, 31, 0, 0, 0, 0, time.UTC)})
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	return path
}

func loadRegister(t *testing.T, e storetest.Engine, file string) *store.DB {
	t.Helper()
	db := storetest.Open(t, e)
	if _, err := ingest.ImportFile(context.Background(), db, file, store.ImportMeta{By: "test"}, ingest.Options{}); err != nil {
		t.Fatal(err)
	}
	return db
}

// recordIDs lists the ids of every record of db, in order.
func recordIDs(t *testing.T, db *store.DB) []string {
	t.Helper()
	var ids []string
	err := db.EachRecord(context.Background(), "0000-01-01", "9999-12-31", func(r *register.Record, _ *register.Facts) error {
		ids = append(ids, r.RecordID)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return ids
}

// TestQuestionnaireRoundTrip: the Register of questionnaires exported as
// CSV and as XLSX imports into a fresh database with the same records and
// gives the same answers, column for column; only the source says that
// they came by import. Both engines.
func TestQuestionnaireRoundTrip(t *testing.T) {
	ctx := context.Background()
	file := registerFile(t)
	for _, e := range storetest.Engines() {
		t.Run(e.Name, func(t *testing.T) {
			src := loadRegister(t, e, file)
			ids := recordIDs(t, src)
			if len(ids) < 20 {
				t.Fatalf("only %d records", len(ids))
			}
			now := time.Now()
			// Some answers come by the client's link, the rest by import,
			// with every option list shape: empty, one, several.
			for i, id := range ids[:5] {
				hash := "h" + id
				if err := src.CreateLink(ctx, id, hash, now.Add(time.Hour)); err != nil {
					t.Fatal(err)
				}
				q := &store.Questionnaire{RecordID: id, Lang: []string{"kk", "ru", "en"}[i%3], Usefulness: 1 + i%5, Organisation: 5, Expectations: 4, Satisfaction: 3,
					Purposes: []string{"new_markets", "quality_improvement"}[:i%3], FilledOn: "2026-04-0" + string(rune('1'+i))}
				if err := src.Answer(ctx, hash, q, now); err != nil {
					t.Fatal(err)
				}
			}
			var imported []store.Questionnaire
			for i, id := range ids[5:15] {
				imported = append(imported, store.Questionnaire{RecordID: id, Lang: "ru", Usefulness: 5, Organisation: 1 + i%5, Expectations: 2, Satisfaction: 5,
					Financial: []string{"grant", "loan_guarantee"}[:i%3], NonFinancial: []string{"senior_experts"}[:i%2], FilledOn: "2026-04-10",
					AnsweredAt: "2026-04-11T09:30:00Z"})
			}
			if err := src.ImportQuestionnaires(ctx, imported, "test", "seed.csv"); err != nil {
				t.Fatal(err)
			}
			want, err := src.Questionnaires(ctx, "0000-01-01", "9999-12-31")
			if err != nil || len(want) != 15 {
				t.Fatalf("source register: %d answers, %v", len(want), err)
			}
			for _, format := range []string{"csv", "xlsx"} {
				t.Run(format, func(t *testing.T) {
					var buf bytes.Buffer
					var werr error
					if format == "csv" {
						werr = ingest.WriteQuestionnairesCSV(&buf, want, i18n.KK)
					} else {
						werr = xlsx.Questionnaires(&buf, want, "0000-01-01", "9999-12-31", now.UTC().Format(time.RFC3339), i18n.KK)
					}
					if werr != nil {
						t.Fatal(werr)
					}
					path := filepath.Join(t.TempDir(), "q."+format)
					if err := os.WriteFile(path, buf.Bytes(), 0o600); err != nil {
						t.Fatal(err)
					}
					dst := loadRegister(t, e, file)
					qs, err := ingest.ReadQuestionnaires(ctx, path, tabular.Options{}, dst, "")
					if err != nil {
						t.Fatal(err)
					}
					if err := dst.ImportQuestionnaires(ctx, qs, "test", "q."+format); err != nil {
						t.Fatal(err)
					}
					got, err := dst.Questionnaires(ctx, "0000-01-01", "9999-12-31")
					if err != nil {
						t.Fatal(err)
					}
					if len(got) != len(want) {
						t.Fatalf("%d answers back, want %d", len(got), len(want))
					}
					for i := range got {
						if got[i].Source != "import" {
							t.Errorf("%s: source %q, want import", got[i].RecordID, got[i].Source)
						}
						w := want[i]
						w.Source = got[i].Source
						if !reflect.DeepEqual(got[i], w) {
							t.Errorf("row %d:\n got %+v\nwant %+v", i, got[i], w)
						}
					}
					// Importing the same file again is refused whole: every
					// answer is already there.
					if _, err := ingest.ReadQuestionnaires(ctx, path, tabular.Options{}, dst, ""); err == nil {
						t.Error("a second import of the same file was accepted")
					}
				})
			}
		})
	}
}

// TestQuestionnaireListing pages the register and counts it.
func TestQuestionnaireListing(t *testing.T) {
	ctx := context.Background()
	file := registerFile(t)
	for _, e := range storetest.Engines() {
		t.Run(e.Name, func(t *testing.T) {
			db := loadRegister(t, e, file)
			ids := recordIDs(t, db)
			var qs []store.Questionnaire
			for _, id := range ids[:7] {
				qs = append(qs, store.Questionnaire{RecordID: id, Lang: "kk", Usefulness: 4, Organisation: 4, Expectations: 4, Satisfaction: 2, FilledOn: "2026-04-01"})
			}
			if err := db.ImportQuestionnaires(ctx, qs, "test", "f.csv"); err != nil {
				t.Fatal(err)
			}
			f := store.QuestionnaireFilter{From: "2026-01-01", To: "2026-12-31"}
			var all []string
			cursor := ""
			for pages := 0; ; pages++ {
				page, next, err := db.ListQuestionnaires(ctx, f, cursor, 3)
				if err != nil || len(page) > 3 || pages > 5 {
					t.Fatalf("page %d: %d rows, %v", pages, len(page), err)
				}
				for _, q := range page {
					all = append(all, q.RecordID)
				}
				if next == "" {
					break
				}
				cursor = next
			}
			if !reflect.DeepEqual(all, ids[:7]) {
				t.Errorf("paged: %v, want %v", all, ids[:7])
			}
			c, err := db.CountQuestionnaires(ctx, f)
			if err != nil || c.Total != 7 || c.Imported != 7 || c.ByLink != 0 || c.Sums != [4]int{28, 28, 28, 14} {
				t.Errorf("counts: %+v %v", c, err)
			}
			events, _ := db.AuditEvents(ctx, 5)
			if len(events) == 0 || events[0].Action != "questionnaires.import" {
				t.Errorf("the import was not audited: %+v", events)
			}
			// A record that does not exist fails the whole import.
			bad := append(qs[:0:0], store.Questionnaire{RecordID: ids[8], Lang: "kk", Usefulness: 1, Organisation: 1, Expectations: 1, Satisfaction: 1, FilledOn: "2026-04-01"},
				store.Questionnaire{RecordID: "no-such-record", Lang: "kk", Usefulness: 1, Organisation: 1, Expectations: 1, Satisfaction: 1, FilledOn: "2026-04-01"})
			if err := db.ImportQuestionnaires(ctx, bad, "test", "bad.csv"); err == nil {
				t.Error("an answer about a missing record was stored")
			}
			if c2, _ := db.CountQuestionnaires(ctx, f); c2 != c {
				t.Errorf("a failed import changed the register: %+v → %+v", c, c2)
			}
		})
	}
}
