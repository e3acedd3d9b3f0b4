package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"esep/internal/campaign"
	"esep/internal/survey"
)

// The telephone survey's writes and reads (tables of 0006_campaign.sql):
// campaigns with their strata and calls, the attempts of each call, and the
// notices operators get. DB implements campaign.Store; the rules live in
// package campaign, and every change here is one transaction with its audit
// event. Times are stored as RFC 3339 in UTC, to the second, so that they
// compare as text on both engines; "" is "none".

var _ campaign.Store = (*DB)(nil)

func stamp(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Truncate(time.Second).Format(time.RFC3339)
}

func unstamp(s string) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		return time.Time{}, fmt.Errorf("stored time %q: %w", s, err)
	}
	return t.UTC(), nil
}

func bit(b bool) int {
	if b {
		return 1
	}
	return 0
}

// CreateCampaign stores a campaign and its draw (the account of its
// strata, its calls, the excluded and the risky records) in one
// transaction with the audit event "campaign.open", and sets c.ID.
func (db *DB) CreateCampaign(ctx context.Context, c *campaign.Campaign, d *campaign.Draw, actor string) error {
	strata, calls := d.Strata, d.Calls
	err := db.inTx(ctx, func(tx *sql.Tx) error {
		err := tx.QueryRowContext(ctx, db.q(`INSERT INTO campaigns (name, period_from, period_to, margin, confidence, by_service, oversample,
				exclude_months, seed, method, frame_size, frame_digest, description, calling_from, calling_to, max_attempts, status, created_at, created_by)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`),
			c.Name, c.From, c.To, c.Margin, c.Confidence, bit(c.ByService), c.Oversample, c.ExcludeMonths,
			strconv.FormatUint(c.Seed, 10), c.Method, c.FrameSize, c.FrameDigest, c.Description, c.Hours.FromText(), c.Hours.ToText(),
			c.MaxAttempts, c.Status, stamp(c.CreatedAt), c.CreatedBy).Scan(&c.ID)
		if err != nil {
			return fmt.Errorf("campaign: %w", err)
		}
		for _, s := range strata {
			_, err := tx.ExecContext(ctx, db.q(`INSERT INTO campaign_strata (campaign_id, stratum, region, service, n, excluded, clients,
					wanted, drawn, extra_wanted, extra_drawn, everyone) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`),
				c.ID, s.Key(), s.Region, s.Service, s.N, s.Excluded, s.Clients, s.Wanted, s.Drawn, s.ExtraWanted, s.ExtraDrawn, bit(s.Everyone))
			if err != nil {
				return fmt.Errorf("stratum %s: %w", s.Key(), err)
			}
		}
		// Many rows to a statement: a sample of a few thousand calls is
		// stored in a few dozen round trips rather than thousands.
		const cols = `(campaign_id, record_id, stratum, ord, extra, client_hash, region, status, updated_at)`
		for chunk := range chunks(calls, 200) {
			args := make([]any, 0, 9*len(chunk))
			rows := make([]string, 0, len(chunk))
			for _, k := range chunk {
				rows = append(rows, "(?, ?, ?, ?, ?, ?, ?, ?, ?)")
				args = append(args, c.ID, k.RecordID, k.Stratum, k.Order, bit(k.Extra), k.ClientHash, k.Region, campaign.StatusQueued, stamp(k.UpdatedAt))
			}
			if _, err := tx.ExecContext(ctx, db.q(`INSERT INTO calls `+cols+` VALUES `+strings.Join(rows, ", ")), args...); err != nil {
				return fmt.Errorf("calls: %w", err)
			}
		}
		for _, ids := range []struct {
			table string
			ids   []string
		}{{"campaign_excluded", d.Excluded}, {"campaign_risky", d.Risky}} {
			for chunk := range chunks(ids.ids, 400) {
				args := make([]any, 0, 2*len(chunk))
				for _, id := range chunk {
					args = append(args, c.ID, id)
				}
				rows := strings.TrimSuffix(strings.Repeat("(?, ?), ", len(chunk)), ", ")
				if _, err := tx.ExecContext(ctx, db.q(`INSERT INTO `+ids.table+` (campaign_id, record_id) VALUES `+rows), args...); err != nil {
					return fmt.Errorf("%s: %w", ids.table, err)
				}
			}
		}
		return db.audit(ctx, tx, actor, "campaign.open", fmt.Sprintf("campaign:%d", c.ID),
			fmt.Sprintf("period %s..%s, seed %d, frame %d (sha256 %s), calls %d, excluded %d, risky %d",
				c.From, c.To, c.Seed, c.FrameSize, c.FrameDigest, len(calls), len(d.Excluded), len(d.Risky)))
	})
	if err != nil {
		return fmt.Errorf("create campaign %q: %w", c.Name, err)
	}
	return nil
}

const campaignColumns = `id, name, period_from, period_to, margin, confidence, by_service, oversample, exclude_months, seed, method,
	frame_size, frame_digest, description, calling_from, calling_to, max_attempts, status, created_at, created_by, closed_at`

func scanCampaign(s scanner) (campaign.Campaign, error) {
	var c campaign.Campaign
	var byService int
	var seed, from, to, created, closed string
	err := s.Scan(&c.ID, &c.Name, &c.From, &c.To, &c.Margin, &c.Confidence, &byService, &c.Oversample, &c.ExcludeMonths, &seed, &c.Method,
		&c.FrameSize, &c.FrameDigest, &c.Description, &from, &to, &c.MaxAttempts, &c.Status, &created, &c.CreatedBy, &closed)
	if err != nil {
		return c, err
	}
	c.ByService = byService != 0
	if c.Seed, err = strconv.ParseUint(seed, 10, 64); err != nil {
		return c, fmt.Errorf("campaign %d seed %q: %w", c.ID, seed, err)
	}
	if c.Hours, err = campaign.ParseHours(from, to); err != nil {
		return c, fmt.Errorf("campaign %d: %w", c.ID, err)
	}
	if c.CreatedAt, err = unstamp(created); err != nil {
		return c, err
	}
	c.ClosedAt, err = unstamp(closed)
	return c, err
}

// notFound turns the store's ErrNotFound into the campaign package's, so
// that callers of campaign.Store match one sentinel, and keeps both.
func notFound(err error) error {
	if errors.Is(err, ErrNotFound) {
		return errors.Join(campaign.ErrNotFound, err)
	}
	return err
}

// Campaign returns a campaign, or an error matching campaign.ErrNotFound
// and ErrNotFound.
func (db *DB) Campaign(ctx context.Context, id int64) (*campaign.Campaign, error) {
	c, err := scanCampaign(db.r.QueryRowContext(ctx, db.q(`SELECT `+campaignColumns+` FROM campaigns WHERE id = ?`), id))
	if err != nil {
		return nil, fmt.Errorf("campaign %d: %w", id, notFound(db.err(err)))
	}
	return &c, nil
}

// Campaigns lists every campaign, newest first.
func (db *DB) Campaigns(ctx context.Context) ([]campaign.Campaign, error) {
	out, err := collect(ctx, db, `SELECT `+campaignColumns+` FROM campaigns ORDER BY id DESC`, nil, scanCampaign)
	if err != nil {
		return nil, fmt.Errorf("campaigns: %w", db.err(err))
	}
	return out, nil
}

// CloseCampaign closes an open campaign, audited as "campaign.close". It
// returns an error matching campaign.ErrNotFound or campaign.ErrClosed
// when there is no such open campaign.
func (db *DB) CloseCampaign(ctx context.Context, id int64, at time.Time, actor string) error {
	err := db.inTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, db.q(`UPDATE campaigns SET status = ?, closed_at = ? WHERE id = ? AND status = ?`),
			campaign.CampaignClosed, stamp(at), id, campaign.CampaignOpen)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			var status string
			if err := tx.QueryRowContext(ctx, db.q(`SELECT status FROM campaigns WHERE id = ?`), id).Scan(&status); err != nil {
				return notFound(db.err(err))
			}
			return campaign.ErrClosed
		}
		return db.audit(ctx, tx, actor, "campaign.close", fmt.Sprintf("campaign:%d", id), "")
	})
	if err != nil {
		return fmt.Errorf("close campaign %d: %w", id, err)
	}
	return nil
}

// Strata returns the account of a campaign's draw, by stratum key.
func (db *DB) Strata(ctx context.Context, id int64) ([]survey.Stratum, error) {
	out, err := collect(ctx, db, `SELECT region, service, n, excluded, clients, wanted, drawn, extra_wanted, extra_drawn, everyone
		FROM campaign_strata WHERE campaign_id = ? ORDER BY stratum`, []any{id}, func(s scanner) (st survey.Stratum, err error) {
		var everyone int
		err = s.Scan(&st.Region, &st.Service, &st.N, &st.Excluded, &st.Clients, &st.Wanted, &st.Drawn, &st.ExtraWanted, &st.ExtraDrawn, &everyone)
		st.Everyone = everyone != 0
		return st, err
	})
	if err != nil {
		return nil, fmt.Errorf("campaign %d strata: %w", id, db.err(err))
	}
	return out, nil
}

// DrawInputs returns the record IDs a campaign's draw left out and those it
// marked risky, each sorted: with the seed and the plan, what re-draws it.
func (db *DB) DrawInputs(ctx context.Context, id int64) (excluded, risky []string, err error) {
	scan := func(s scanner) (id string, err error) { return id, s.Scan(&id) }
	if excluded, err = collect(ctx, db, `SELECT record_id FROM campaign_excluded WHERE campaign_id = ? ORDER BY record_id`, []any{id}, scan); err != nil {
		return nil, nil, fmt.Errorf("campaign %d excluded records: %w", id, db.err(err))
	}
	if risky, err = collect(ctx, db, `SELECT record_id FROM campaign_risky WHERE campaign_id = ? ORDER BY record_id`, []any{id}, scan); err != nil {
		return nil, nil, fmt.Errorf("campaign %d risky records: %w", id, db.err(err))
	}
	return excluded, risky, nil
}

// ExcludedClients returns the client hashes a new draw must leave out:
// those with a call in a campaign created at or after since (none when
// since is zero), and every client whose call ended in a refusal.
func (db *DB) ExcludedClients(ctx context.Context, since time.Time) (map[string]bool, error) {
	query, args := `SELECT DISTINCT client_hash FROM calls WHERE outcome = ?`, []any{string(survey.OutcomeRefused)}
	if !since.IsZero() {
		query += ` UNION SELECT DISTINCT c.client_hash FROM calls c JOIN campaigns k ON k.id = c.campaign_id WHERE k.created_at >= ?`
		args = append(args, stamp(since))
	}
	hashes, err := collect(ctx, db, query, args, func(s scanner) (h string, err error) { return h, s.Scan(&h) })
	if err != nil {
		return nil, fmt.Errorf("excluded clients: %w", db.err(err))
	}
	out := make(map[string]bool, len(hashes))
	for _, h := range hashes {
		out[h] = true
	}
	return out, nil
}

// NotConfirmedRecords lists the records whose client said, on the phone,
// that the service did not happen.
func (db *DB) NotConfirmedRecords(ctx context.Context) ([]string, error) {
	out, err := collect(ctx, db, `SELECT DISTINCT record_id FROM notices WHERE kind = ? ORDER BY record_id`,
		[]any{campaign.NoticeNotConfirmed}, func(s scanner) (id string, err error) { return id, s.Scan(&id) })
	if err != nil {
		return nil, fmt.Errorf("not confirmed records: %w", db.err(err))
	}
	return out, nil
}

var callColumnList = []string{"id", "campaign_id", "record_id", "stratum", "ord", "extra", "client_hash", "region", "status", "outcome",
	"attempts", "next_at", "assigned_to", "assigned_at", "lang", "q1_received", "q2_rating", "q3_useful", "q4_interested", "q4_instruments",
	"completed_at", "updated_at"}

var callColumns = strings.Join(callColumnList, ", ")

func scanCall(s scanner) (*campaign.Call, error) {
	c := &campaign.Call{}
	var extra int
	var outcome, next, assigned, q1, q3, q4, instruments, completed, updated string
	err := s.Scan(&c.ID, &c.CampaignID, &c.RecordID, &c.Stratum, &c.Order, &extra, &c.ClientHash, &c.Region, &c.Status, &outcome,
		&c.Attempts, &next, &c.AssignedTo, &assigned, &c.Lang, &q1, &c.Answers.Rating, &q3, &q4, &instruments, &completed, &updated)
	if err != nil {
		return nil, err
	}
	c.Extra, c.Outcome = extra != 0, survey.Outcome(outcome)
	c.Answers.Received, c.Answers.Useful, c.Answers.Interested = survey.YesNo(q1), survey.Useful(q3), survey.YesNo(q4)
	for _, i := range split(instruments) {
		c.Answers.Instruments = append(c.Answers.Instruments, survey.FinancialSupport(i))
	}
	for _, t := range []struct {
		s   string
		dst *time.Time
	}{{next, &c.NextAt}, {assigned, &c.AssignedAt}, {completed, &c.CompletedAt}, {updated, &c.UpdatedAt}} {
		if *t.dst, err = unstamp(t.s); err != nil {
			return nil, fmt.Errorf("call %d: %w", c.ID, err)
		}
	}
	return c, nil
}

// Call returns a call, or an error matching campaign.ErrNotFound and
// ErrNotFound.
func (db *DB) Call(ctx context.Context, id int64) (*campaign.Call, error) {
	c, err := scanCall(db.r.QueryRowContext(ctx, db.q(`SELECT `+callColumns+` FROM calls WHERE id = ?`), id))
	if err != nil {
		return nil, fmt.Errorf("call %d: %w", id, notFound(db.err(err)))
	}
	return c, nil
}

// Calls lists the calls of a campaign in the order they were stored
// (stratum by stratum, in the order drawn).
func (db *DB) Calls(ctx context.Context, campaignID int64) ([]*campaign.Call, error) {
	out, err := collect(ctx, db, `SELECT `+callColumns+` FROM calls WHERE campaign_id = ? ORDER BY id`, []any{campaignID}, scanCall)
	if err != nil {
		return nil, fmt.Errorf("calls of campaign %d: %w", campaignID, db.err(err))
	}
	return out, nil
}

// HeldCall returns the call agent holds in an open campaign (the latest
// taken, should there be several), or nil.
func (db *DB) HeldCall(ctx context.Context, agent int64) (*campaign.Call, error) {
	c, err := scanCall(db.r.QueryRowContext(ctx, db.q(`SELECT `+prefixed("c.", callColumnList)+`
		FROM calls c JOIN campaigns k ON k.id = c.campaign_id
		WHERE c.assigned_to = ? AND c.status = ? AND k.status = ? ORDER BY c.assigned_at DESC, c.id DESC LIMIT 1`),
		agent, campaign.StatusAssigned, campaign.CampaignOpen))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("held call of %d: %w", agent, db.err(err))
	}
	return c, nil
}

// ClaimCall assigns to agent the first callable call of the campaigns:
// queued with its time come, or held since before stale and so left by
// its agent; of region when region is not "". Due call-backs and retries
// come first, then fresh calls in the order drawn across strata.
//
// Two agents never get the same call: the assignment is a conditional
// UPDATE that only one transaction can win (SQLite serialises writers;
// PostgreSQL re-checks the condition after waiting for a concurrent
// writer), and the loser moves on to the next candidate. It returns nil
// when nothing is callable.
func (db *DB) ClaimCall(ctx context.Context, campaigns []int64, region string, agent int64, now, stale time.Time) (*campaign.Call, error) {
	if len(campaigns) == 0 {
		return nil, nil
	}
	at, old := stamp(now), stamp(stale)
	const callable = `((c.status = 'queued' AND c.next_at <= ?) OR (c.status = 'assigned' AND c.assigned_at < ? AND c.assigned_to <> ?))`
	where := `c.campaign_id IN (` + marks(len(campaigns)) + `) AND ` + callable
	args := append(anys(campaigns), at, old, agent)
	if region != "" {
		where += ` AND c.region = ?`
		args = append(args, region)
	}
	var claimed int64
	err := db.inTx(ctx, func(tx *sql.Tx) error {
		for range 3 { // a candidate taken meanwhile: the next one
			rows, err := tx.QueryContext(ctx, db.q(`SELECT c.id FROM calls c WHERE `+where+`
				ORDER BY CASE WHEN c.next_at = '' THEN 1 ELSE 0 END, c.next_at, c.ord, c.stratum, c.id LIMIT 5`), args...)
			if err != nil {
				return err
			}
			var ids []int64
			for rows.Next() {
				var id int64
				if err := rows.Scan(&id); err != nil {
					rows.Close()
					return err
				}
				ids = append(ids, id)
			}
			rows.Close()
			if err := rows.Err(); err != nil {
				return err
			}
			if len(ids) == 0 {
				return nil
			}
			for _, id := range ids {
				res, err := tx.ExecContext(ctx, db.q(`UPDATE calls SET status = 'assigned', assigned_to = ?, assigned_at = ?, updated_at = ?
					WHERE id = ? AND `+strings.ReplaceAll(callable, "c.", "")), agent, at, at, id, at, old, agent)
				if err != nil {
					return err
				}
				if n, _ := res.RowsAffected(); n == 1 {
					claimed = id
					return nil
				}
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("claim a call for %d: %w", agent, err)
	}
	if claimed == 0 {
		return nil, nil
	}
	return db.Call(ctx, claimed)
}

// QueueState counts, per campaign, the calls due now, those waiting for a
// later time (and the earliest such time), those held by agents and those
// finished; of region when it is not "".
func (db *DB) QueueState(ctx context.Context, campaigns []int64, region string, now time.Time) (map[int64]campaign.Queue, error) {
	out := map[int64]campaign.Queue{}
	if len(campaigns) == 0 {
		return out, nil
	}
	at := stamp(now)
	where := `campaign_id IN (` + marks(len(campaigns)) + `)`
	args := append([]any{at, at, at}, anys(campaigns)...)
	if region != "" {
		where += ` AND region = ?`
		args = append(args, region)
	}
	// SUM is numeric on PostgreSQL: the casts keep every count an integer
	// on both engines.
	type row struct {
		id int64
		q  campaign.Queue
	}
	rows, err := collect(ctx, db, `SELECT campaign_id,
			CAST(SUM(CASE WHEN status = 'queued' AND next_at <= ? THEN 1 ELSE 0 END) AS BIGINT),
			CAST(SUM(CASE WHEN status = 'queued' AND next_at > ? THEN 1 ELSE 0 END) AS BIGINT),
			COALESCE(MIN(CASE WHEN status = 'queued' AND next_at > ? THEN next_at END), ''),
			CAST(SUM(CASE WHEN status = 'assigned' THEN 1 ELSE 0 END) AS BIGINT),
			CAST(SUM(CASE WHEN status = 'done' THEN 1 ELSE 0 END) AS BIGINT)
		FROM calls WHERE `+where+` GROUP BY campaign_id`, args, func(s scanner) (r row, err error) {
		var next string
		if err = s.Scan(&r.id, &r.q.Due, &r.q.Later, &next, &r.q.Held, &r.q.Finished); err != nil {
			return r, err
		}
		r.q.NextAt, err = unstamp(next)
		return r, err
	})
	if err != nil {
		return nil, fmt.Errorf("queue state: %w", db.err(err))
	}
	for _, r := range rows {
		out[r.id] = r.q
	}
	return out, nil
}

// SaveAttempt stores an attempt, the call's new state and, when n is not
// nil, the operator's notice, in one transaction with the audit event
// "call.attempt" (the result and outcome, no personal data). The call is
// written only if it is still as before was: held by the same agent, with
// the same number of attempts, in an open campaign; otherwise nothing is
// stored and the error matches campaign.ErrChanged.
func (db *DB) SaveAttempt(ctx context.Context, before, next *campaign.Call, a *campaign.Attempt, n *campaign.Notice, actor string) error {
	err := db.inTx(ctx, func(tx *sql.Tx) error {
		var instruments []string
		for _, i := range next.Answers.Instruments {
			instruments = append(instruments, string(i))
		}
		res, err := tx.ExecContext(ctx, db.q(`UPDATE calls SET status = ?, outcome = ?, attempts = ?, next_at = ?, assigned_to = ?, assigned_at = ?,
				lang = ?, q1_received = ?, q2_rating = ?, q3_useful = ?, q4_interested = ?, q4_instruments = ?, completed_at = ?, updated_at = ?
			WHERE id = ? AND status = ? AND assigned_to = ? AND attempts = ?
				AND EXISTS (SELECT 1 FROM campaigns k WHERE k.id = calls.campaign_id AND k.status = ?)`),
			next.Status, string(next.Outcome), next.Attempts, stamp(next.NextAt), next.AssignedTo, stamp(next.AssignedAt),
			next.Lang, string(next.Answers.Received), next.Answers.Rating, string(next.Answers.Useful), string(next.Answers.Interested),
			strings.Join(instruments, ","), stamp(next.CompletedAt), stamp(next.UpdatedAt),
			before.ID, campaign.StatusAssigned, before.AssignedTo, before.Attempts, campaign.CampaignOpen)
		if err != nil {
			return err
		}
		if k, _ := res.RowsAffected(); k == 0 {
			return campaign.ErrChanged
		}
		if err := tx.QueryRowContext(ctx, db.q(`INSERT INTO call_attempts (call_id, agent_id, at, result, callback_at, note)
			VALUES (?, ?, ?, ?, ?, ?) RETURNING id`), before.ID, a.AgentID, stamp(a.At), string(a.Result), stamp(a.CallbackAt), a.Note).Scan(&a.ID); err != nil {
			return fmt.Errorf("attempt: %w", err)
		}
		if n != nil {
			if err := tx.QueryRowContext(ctx, db.q(`INSERT INTO notices (kind, region, record_id, call_id, created_at) VALUES (?, ?, ?, ?, ?) RETURNING id`),
				n.Kind, n.Region, n.RecordID, n.CallID, stamp(n.CreatedAt)).Scan(&n.ID); err != nil {
				return fmt.Errorf("notice: %w", err)
			}
		}
		detail := "result " + string(a.Result) + ", attempt " + strconv.Itoa(next.Attempts)
		if next.Outcome != "" {
			detail += ", outcome " + string(next.Outcome)
		}
		if n != nil {
			detail += ", notice " + n.Kind
		}
		return db.audit(ctx, tx, actor, "call.attempt", fmt.Sprintf("call:%d", before.ID), detail+", record "+before.RecordID)
	})
	if err != nil {
		return fmt.Errorf("save attempt of call %d: %w", before.ID, err)
	}
	return nil
}

// OutcomeCounts counts the calls of a campaign (of every campaign when id
// is 0) by final outcome, or, for calls not yet final, by whether they
// were dialled; and by whether they are of the risk oversample.
func (db *DB) OutcomeCounts(ctx context.Context, id int64) ([]campaign.Count, error) {
	query := `SELECT campaign_id, CASE WHEN status = 'done' THEN outcome ELSE '' END AS o, CASE WHEN attempts > 0 THEN 1 ELSE 0 END AS a, extra, COUNT(*)
		FROM calls`
	var args []any
	if id != 0 {
		query += ` WHERE campaign_id = ?`
		args = append(args, id)
	}
	query += ` GROUP BY campaign_id, CASE WHEN status = 'done' THEN outcome ELSE '' END, CASE WHEN attempts > 0 THEN 1 ELSE 0 END, extra
		ORDER BY campaign_id`
	out, err := collect(ctx, db, query, args, func(s scanner) (c campaign.Count, err error) {
		var outcome string
		var attempted, extra int
		err = s.Scan(&c.CampaignID, &outcome, &attempted, &extra, &c.N)
		c.Outcome, c.Attempted, c.Extra = survey.Outcome(outcome), attempted != 0, extra != 0
		return c, err
	})
	if err != nil {
		return nil, fmt.Errorf("call counts: %w", db.err(err))
	}
	return out, nil
}

// Attempts lists the attempts of a call in the order they were made.
func (db *DB) Attempts(ctx context.Context, callID int64) ([]campaign.Attempt, error) {
	out, err := collect(ctx, db, `SELECT id, call_id, agent_id, at, result, callback_at, note FROM call_attempts WHERE call_id = ? ORDER BY id`,
		[]any{callID}, func(s scanner) (a campaign.Attempt, err error) {
			var at, cb, result string
			if err = s.Scan(&a.ID, &a.CallID, &a.AgentID, &at, &result, &cb, &a.Note); err != nil {
				return a, err
			}
			a.Result = campaign.Result(result)
			if a.At, err = unstamp(at); err != nil {
				return a, err
			}
			a.CallbackAt, err = unstamp(cb)
			return a, err
		})
	if err != nil {
		return nil, fmt.Errorf("attempts of call %d: %w", callID, db.err(err))
	}
	return out, nil
}

// NoticeFilter narrows the notices listed.
type NoticeFilter struct {
	Region   string // KATO of a region; "" for all
	From, To string // the end dates of the services, YYYY-MM-DD; "" for no bound
	Campaign int64  // the campaign of the call; 0 for all
	Unread   bool   // only those no one has acknowledged
	Limit    int    // at most so many, newest first; 0 for all
}

// Notices lists notices matching f, newest first, with the end date and
// service code of their records.
func (db *DB) Notices(ctx context.Context, f NoticeFilter) ([]campaign.Notice, error) {
	var cond []string
	var args []any
	add := func(c string, a any) { cond, args = append(cond, c), append(args, a) }
	if f.Region != "" {
		add(`n.region = ?`, f.Region)
	}
	if f.From != "" {
		add(`r.end_date >= ?`, f.From)
	}
	if f.To != "" {
		add(`r.end_date <= ?`, f.To)
	}
	if f.Campaign != 0 {
		add(`c.campaign_id = ?`, f.Campaign)
	}
	if f.Unread {
		add(`n.read_at = ?`, "")
	}
	query := `SELECT n.id, n.kind, n.region, n.record_id, n.call_id, n.created_at, n.read_at, n.read_by, r.end_date, r.service_code,
			COALESCE(c.campaign_id, 0)
		FROM notices n JOIN records r ON r.record_id = n.record_id LEFT JOIN calls c ON c.id = n.call_id`
	if len(cond) > 0 {
		query += ` WHERE ` + strings.Join(cond, ` AND `)
	}
	query += ` ORDER BY n.created_at DESC, n.id DESC`
	if f.Limit > 0 {
		query += ` LIMIT ` + strconv.Itoa(f.Limit)
	}
	out, err := collect(ctx, db, query, args, func(s scanner) (n campaign.Notice, err error) {
		var created, read string
		if err = s.Scan(&n.ID, &n.Kind, &n.Region, &n.RecordID, &n.CallID, &created, &read, &n.ReadBy, &n.EndDate, &n.Service, &n.CampaignID); err != nil {
			return n, err
		}
		if n.CreatedAt, err = unstamp(created); err != nil {
			return n, err
		}
		n.ReadAt, err = unstamp(read)
		return n, err
	})
	if err != nil {
		return nil, fmt.Errorf("notices: %w", db.err(err))
	}
	return out, nil
}

// UnreadNotices counts the notices of region ("" for all) that no one has
// acknowledged.
func (db *DB) UnreadNotices(ctx context.Context, region string) (int, error) {
	query, args := `SELECT COUNT(*) FROM notices WHERE read_at = ''`, []any{}
	if region != "" {
		query += ` AND region = ?`
		args = append(args, region)
	}
	var n int
	if err := db.r.QueryRowContext(ctx, db.q(query), args...).Scan(&n); err != nil {
		return 0, fmt.Errorf("unread notices: %w", db.err(err))
	}
	return n, nil
}

// ReadNotice marks a notice acknowledged by actor at at, audited as
// "notice.read"; a notice already acknowledged stays as it was. region,
// when not "", must be the notice's: an operator acknowledges her own
// region's only. It returns ErrNotFound otherwise.
func (db *DB) ReadNotice(ctx context.Context, id int64, region string, at time.Time, actor string) error {
	err := db.inTx(ctx, func(tx *sql.Tx) error {
		var own, read string
		if err := tx.QueryRowContext(ctx, db.q(`SELECT region, read_at FROM notices WHERE id = ?`), id).Scan(&own, &read); err != nil {
			return err
		}
		if region != "" && own != region {
			return ErrNotFound
		}
		if read != "" {
			return nil
		}
		if _, err := tx.ExecContext(ctx, db.q(`UPDATE notices SET read_at = ?, read_by = ? WHERE id = ?`), stamp(at), actor, id); err != nil {
			return err
		}
		return db.audit(ctx, tx, actor, "notice.read", fmt.Sprintf("notice:%d", id), "")
	})
	if err != nil {
		return fmt.Errorf("read notice %d: %w", id, err)
	}
	return nil
}
