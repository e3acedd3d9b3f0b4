package web_test

import (
	"context"
	"fmt"
	"sync"
	"testing"

	"esep/internal/store/storetest"
)

// TestConcurrentRecordWrites pushes records from many clients at once, as
// the operator's systems do under load: the writes are committed in groups
// (one transaction, a savepoint each; on PostgreSQL several groups at
// once), and every request must
// still be answered as if it had been alone — its own import, its own
// summary — with nothing lost or written twice. Requests for the same new
// record race: exactly one creates it, the others find it unchanged.
func TestConcurrentRecordWrites(t *testing.T) {
	for _, e := range storetest.Engines() {
		t.Run(e.Name, func(t *testing.T) {
			s := newSite(t, e)
			ctx := context.Background()
			id := firstRecord(t, s, "analyst", "430000000")
			d, err := s.db.Record(ctx, id)
			if err != nil {
				t.Fatal(err)
			}
			base := recordMap(d.Record.Values())
			with := func(id string) map[string]string {
				m := map[string]string{}
				for k, v := range base {
					m[k] = v
				}
				m["record_id"] = id
				return m
			}
			before, _ := s.db.Totals(ctx)
			const clients, each = 8, 15
			type answer struct {
				status   int
				importID float64
				accepted int
				created  bool // not found unchanged
				same     bool // the racing record
			}
			answers := make(chan answer, clients*(each+1))
			var wg sync.WaitGroup
			for c := range clients {
				wg.Go(func() {
					for i := range each {
						resp, body := s.call("POST", "/api/v1/records", "manager", pushBody(t, "", with(fmt.Sprintf("C-%d-%d", c, i))), "Content-Type", "application/json")
						n, _ := body["import_id"].(float64)
						if resp.StatusCode != 200 {
							t.Errorf("write: %d %v", resp.StatusCode, body)
						}
						answers <- answer{resp.StatusCode, n, summary(body, "accepted") + summary(body, "accepted_with_warnings"), summary(body, "unchanged") == 0, false}
					}
					resp, body := s.call("POST", "/api/v1/records", "manager", pushBody(t, "", with("C-SAME")), "Content-Type", "application/json")
					n, _ := body["import_id"].(float64)
					if resp.StatusCode != 200 {
						t.Errorf("write of the racing record: %d %v", resp.StatusCode, body)
					}
					answers <- answer{resp.StatusCode, n, summary(body, "accepted") + summary(body, "accepted_with_warnings"), summary(body, "unchanged") == 0, true}
				})
			}
			wg.Wait()
			close(answers)
			imports := map[float64]bool{}
			created, unchanged := 0, 0
			for a := range answers {
				if a.status != 200 || a.importID == 0 {
					t.Fatalf("a write answered %d, import %v", a.status, a.importID)
				}
				if imports[a.importID] {
					t.Errorf("import %v answered twice", a.importID)
				}
				imports[a.importID] = true
				switch {
				case !a.same && (a.accepted != 1 || !a.created):
					t.Errorf("a new record was not accepted")
				case a.same && a.created:
					created++
				case a.same:
					unchanged++
				}
			}
			if created != 1 || unchanged != clients-1 {
				t.Errorf("the racing record: created %d times, unchanged %d, want 1 and %d", created, unchanged, clients-1)
			}
			after, _ := s.db.Totals(ctx)
			if got, want := after.Records-before.Records, clients*each+1; got != want {
				t.Errorf("%d new records, want %d", got, want)
			}
			if got, want := after.Imports-before.Imports, clients*(each+1); got != want {
				t.Errorf("%d new imports, want %d", got, want)
			}
			// The dashboard's figures see the writes at once.
			resp, body := s.call("GET", "/api/v1/indicators?from=2026-01-01&to=2026-12-31", "analyst", nil)
			if resp.StatusCode != 200 || body["_raw"] != nil {
				t.Fatalf("indicators: %d", resp.StatusCode)
			}
		})
	}
}
