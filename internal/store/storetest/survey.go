package storetest

import (
	"context"
	"database/sql"
	"strconv"
	"strings"
	"testing"

	"esep/internal/store"
	"esep/internal/store/postgres"
	"esep/internal/store/sqlite"
	"esep/internal/survey"
)

// Campaign is a telephone-survey campaign to seed with SeedCampaign: its
// strata and its calls, already ended or still open.
type Campaign struct {
	Name     string
	From, To string // the end dates its frame covers
	Strata   []Stratum
	Calls    []Call
}

// Stratum is one stratum of a seeded campaign's draw.
type Stratum struct {
	Key, Region, Service string
	N, Drawn             int
}

// Call is one seeded call. Its status is "done" when Outcome is set and
// "queued" otherwise, unless Status says.
type Call struct {
	RecordID, Stratum string
	Extra             bool
	Status            string
	Outcome           survey.Outcome
	Attempts          int
	Region            string // the call's own region column; the record's is what reports use
	survey.PhoneAnswers
}

// SeedCampaign writes a campaign with its strata and calls into the database
// at dsn through a plain connection of its own and returns its id. The
// campaign workflow owns these tables; tests of what reads them (the
// report's quality section) seed them in plain SQL, so that they depend on
// the schema alone and not on that workflow. The records the calls are
// about must exist.
func SeedCampaign(t testing.TB, dsn string, c Campaign) int64 {
	t.Helper()
	ctx := context.Background()
	db, rebind := raw(t, dsn)
	defer db.Close()
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		t.Fatalf("seed campaign %q: %v", c.Name, err)
	}
	defer tx.Rollback()
	const now = "2026-01-01T00:00:00Z"
	var id int64
	err = tx.QueryRowContext(ctx, rebind(`INSERT INTO campaigns (name, period_from, period_to, margin, confidence, seed, method, frame_size, frame_digest, created_at, created_by)
		VALUES (?, ?, ?, 0.05, 0.95, '1', ?, ?, 'test', ?, 'test') RETURNING id`),
		c.Name, c.From, c.To, survey.DrawMethod, frameSize(c.Strata), now).Scan(&id)
	if err != nil {
		t.Fatalf("seed campaign %q: %v", c.Name, err)
	}
	for _, s := range c.Strata {
		_, err := tx.ExecContext(ctx, rebind(`INSERT INTO campaign_strata (campaign_id, stratum, region, service, n, excluded, clients, wanted, drawn)
			VALUES (?, ?, ?, ?, ?, 0, ?, ?, ?)`), id, s.Key, s.Region, s.Service, s.N, s.N, s.Drawn, s.Drawn)
		if err != nil {
			t.Fatalf("seed stratum %s: %v", s.Key, err)
		}
	}
	for i, call := range c.Calls {
		status := call.Status
		if status == "" {
			status = "queued"
			if call.Outcome != "" {
				status = "done"
			}
		}
		extra := 0
		if call.Extra {
			extra = 1
		}
		a := call.PhoneAnswers
		instruments := make([]string, len(a.Instruments))
		for k, in := range a.Instruments {
			instruments[k] = string(in)
		}
		_, err := tx.ExecContext(ctx, rebind(`INSERT INTO calls (campaign_id, record_id, stratum, ord, extra, client_hash, region, status, outcome, attempts,
				q1_received, q2_rating, q3_useful, q4_interested, q4_instruments, updated_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`),
			id, call.RecordID, call.Stratum, i+1, extra, "hash-"+call.RecordID, call.Region, status, string(call.Outcome), call.Attempts,
			string(a.Received), a.Rating, string(a.Useful), string(a.Interested), strings.Join(instruments, ","), now)
		if err != nil {
			t.Fatalf("seed call %s: %v", call.RecordID, err)
		}
	}
	if err := tx.Commit(); err != nil {
		t.Fatalf("seed campaign %q: %v", c.Name, err)
	}
	return id
}

func frameSize(strata []Stratum) int {
	n := 0
	for _, s := range strata {
		n += s.N
	}
	return n
}

// raw opens a plain connection to the database at dsn, beside the store's
// own, and a function that rewrites ? placeholders for its engine.
func raw(t testing.TB, dsn string) (*sql.DB, func(string) string) {
	t.Helper()
	if store.IsPostgres(dsn) {
		db, err := postgres.Open(dsn)
		if err != nil {
			t.Fatal(err)
		}
		return db, dollars
	}
	w, r, err := sqlite.Open(dsn)
	if err != nil {
		t.Fatal(err)
	}
	r.Close()
	return w, func(q string) string { return q }
}

// dollars numbers the ? placeholders of q as PostgreSQL's $1, $2, ...
func dollars(q string) string {
	var b strings.Builder
	n := 0
	for _, r := range q {
		if r == '?' {
			n++
			b.WriteString("$" + strconv.Itoa(n))
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}
