package ingest_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"
	"golang.org/x/text/encoding/charmap"

	"esep/internal/demo"
	"esep/internal/i18n"
	"esep/internal/ingest"
	"esep/internal/ingest/tabular"
	"esep/internal/register"
	"esep/internal/store"
	"esep/internal/store/storetest"
)

// TestQuestionnaireImportRefused: every kind of bad file is refused whole
// with each problem on its row, in the user's language, and the Register
// of questionnaires is left exactly as it was. Both engines.
func TestQuestionnaireImportRefused(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	reg := filepath.Join(dir, "r.csv")
	f, _ := os.Create(reg)
	demo.WriteCSV(f, demo.Options{Rows: 40, Seed: 3, From: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), To: time.Date(2026, 2, 28, 0, 0, 0, 0, time.UTC)})
	f.Close()
	for _, e := range storetest.Engines() {
		t.Run(e.Name, func(t *testing.T) {
			db := storetest.Open(t, e)
			if _, err := ingest.ImportFile(ctx, db, reg, store.ImportMeta{By: "test"}, ingest.Options{}); err != nil {
				t.Fatal(err)
			}
			var ids []string
			db.EachRecord(ctx, "0000-01-01", "9999-12-31", func(r *register.Record, _ *register.Facts) error {
				ids = append(ids, r.RecordID)
				return nil
			})
			answered := ids[0]
			if err := db.ImportQuestionnaires(ctx, []store.Questionnaire{{RecordID: answered, Lang: "kk", Usefulness: 5, Organisation: 5, Expectations: 5, Satisfaction: 5, FilledOn: "2026-03-01"}}, "test", "first.csv"); err != nil {
				t.Fatal(err)
			}
			before, _ := db.Questionnaires(ctx, "0000-01-01", "9999-12-31")
			const head = "record_id,filled_on,lang,usefulness,organisation,expectations,satisfaction,purposes,financial,nonfinancial\n"
			good := func(id string) string { return id + ",2026-03-02,ru,5,4,4,5,new_markets,grant,\n" }
			write := func(name string, b []byte) string {
				p := filepath.Join(t.TempDir(), name)
				if err := os.WriteFile(p, b, 0o600); err != nil {
					t.Fatal(err)
				}
				return p
			}
			cp1251 := func(s string) []byte {
				b, err := charmap.Windows1251.NewEncoder().String(s)
				if err != nil {
					t.Fatal(err)
				}
				return []byte(b)
			}
			xlsxFile := func(rows [][]any) string {
				x := excelize.NewFile()
				defer x.Close()
				for i, r := range rows {
					cell, _ := excelize.CoordinatesToCellName(1, i+1)
					if err := x.SetSheetRow("Sheet1", cell, &r); err != nil {
						t.Fatal(err)
					}
				}
				p := filepath.Join(t.TempDir(), "q.xlsx")
				if err := x.SaveAs(p); err != nil {
					t.Fatal(err)
				}
				return p
			}
			header := []any{"record_id", "filled_on", "lang", "usefulness", "organisation", "expectations", "satisfaction", "purposes", "financial", "nonfinancial"}
			cases := []struct {
				name string
				path string
				want []ingest.Problem // row, column, value, key
			}{
				{"rating 7", write("r7.csv", []byte(head+good(ids[1])+ids[2]+",2026-03-02,kk,7,4,4,5,,,\n")),
					[]ingest.Problem{{Row: 2, Column: "usefulness", Value: "7", Key: "ingest.ref.rating"}}},
				{"rating not a number", write("rx.csv", []byte(head+ids[2]+",2026-03-02,kk,five,4,4,5,,,\n")),
					[]ingest.Problem{{Row: 1, Column: "usefulness", Value: "five", Key: "ingest.ref.rating"}}},
				{"unknown option", write("opt.csv", []byte(head+ids[1]+",2026-03-02,kk,5,4,4,5,new_markets;world_peace,,\n")),
					[]ingest.Problem{{Row: 1, Column: "purposes", Value: "world_peace", Key: "ingest.ref.option"}}},
				{"unknown record", write("rec.csv", []byte(head+good(ids[1])+good("no-such-record"))),
					[]ingest.Problem{{Row: 2, Column: "record_id", Value: "no-such-record", Key: "ingest.ref.record"}}},
				{"already answered", write("ans.csv", []byte(head+good(answered))),
					[]ingest.Problem{{Row: 1, Column: "record_id", Value: answered, Key: "ingest.ref.answered"}}},
				{"twice in the file", write("dup.csv", []byte(head+good(ids[1])+good(ids[1]))),
					[]ingest.Problem{{Row: 2, Column: "record_id", Value: ids[1], Key: "ingest.ref.duplicate"}}},
				{"a bad date and language", write("date.csv", []byte(head+ids[1]+",31.02.2026,tr,5,4,4,5,,,\n")),
					[]ingest.Problem{{Row: 1, Column: "filled_on", Value: "31.02.2026", Key: "ingest.ref.date"}, {Row: 1, Column: "lang", Value: "tr", Key: "ingest.ref.lang"}}},
				{"Windows-1251 with a misspelt Russian label", write("cp.csv", cp1251(head+ids[1]+",2026-03-02,ru,5,4,4,5,Освоение новых рынков;Увеличение произвоства,,\n")),
					[]ingest.Problem{{Row: 1, Column: "purposes", Value: "Увеличение произвоства", Key: "ingest.ref.option"}}},
				{"XLSX with a rating 0 and an unknown record", xlsxFile([][]any{header, {ids[1], "2026-03-02", "en", 5, 0, 4, 5}, {"nope", "2026-03-02", "en", 5, 5, 5, 5}}),
					[]ingest.Problem{{Row: 1, Column: "organisation", Value: "0", Key: "ingest.ref.rating"}, {Row: 2, Column: "record_id", Value: "nope", Key: "ingest.ref.record"}}},
			}
			for _, c := range cases {
				t.Run(c.name, func(t *testing.T) {
					qs, err := ingest.ReadQuestionnaires(ctx, c.path, tabular.Options{}, db, "")
					var perr *ingest.ProblemsError
					if !errors.As(err, &perr) || qs != nil {
						t.Fatalf("got %d answers, %v; want a refusal", len(qs), err)
					}
					if !reflect.DeepEqual(perr.Problems, c.want) {
						t.Errorf("problems:\n got %+v\nwant %+v", perr.Problems, c.want)
					}
					for lang, word := range map[i18n.Lang]string{i18n.KK: "жол", i18n.RU: "строк", i18n.EN: "row"} {
						msg, ok := i18n.Error(lang, err)
						if !ok || !strings.Contains(msg, word) || !strings.Contains(msg, filepath.Base(c.path)) {
							t.Errorf("%s: %q", lang, msg)
						}
					}
					if after, _ := db.Questionnaires(ctx, "0000-01-01", "9999-12-31"); !reflect.DeepEqual(after, before) {
						t.Errorf("the register changed: %d → %d answers", len(before), len(after))
					}
				})
			}

			t.Run("a record of another region, for a user limited to one", func(t *testing.T) {
				rec, _, _ := db.RecordFacts(ctx, ids[1])
				other := "750000000"
				if rec.RegionKATO == other {
					other = "710000000"
				}
				path := write("scope.csv", []byte(head+good(ids[1])))
				if _, err := ingest.ReadQuestionnaires(ctx, path, tabular.Options{}, db, rec.RegionKATO); err != nil {
					t.Errorf("her own region: %v", err)
				}
				_, err := ingest.ReadQuestionnaires(ctx, path, tabular.Options{}, db, other)
				var perr *ingest.ProblemsError
				if !errors.As(err, &perr) || len(perr.Problems) != 1 || perr.Problems[0].Key != "ingest.ref.record" {
					t.Errorf("another region: %v", err)
				}
			})

			t.Run("labels in any language, Windows-1251", func(t *testing.T) {
				path := write("labels.csv", cp1251("ID записи;Дата заполнения;Язык;Полезность;Организация;Оправдание ожиданий;Удовлетворенность;Цели обращения;Желаемая финансовая поддержка\n"+
					ids[3]+";14.03.2026;ru;5;4;3;2;Освоение новых рынков | ПОВЫШЕНИЕ качества товаров и услуг;Получение грантового финансирования\n"+
					ids[4]+";2026-03-14;;1;1;1;1;to increase production;grant\n"))
				qs, err := ingest.ReadQuestionnaires(ctx, path, tabular.Options{}, db, "")
				if err != nil {
					t.Fatal(err)
				}
				if len(qs) != 2 || qs[0].FilledOn != "2026-03-14" || qs[1].Lang != "kk" ||
					!reflect.DeepEqual(qs[0].Purposes, []string{"new_markets", "quality_improvement"}) ||
					!reflect.DeepEqual(qs[1].Purposes, []string{"increase_production"}) || qs[0].Satisfaction != 2 {
					t.Errorf("%+v", qs)
				}
				if len(qs) == 2 && (!reflect.DeepEqual(qs[0].Financial, []string{"grant"}) || !reflect.DeepEqual(qs[1].Financial, []string{"grant"})) {
					t.Errorf("financial: %v %v", qs[0].Financial, qs[1].Financial)
				}
			})
		})
	}
}
