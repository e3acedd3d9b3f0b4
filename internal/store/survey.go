package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Questionnaire is one client's answers to Annex 2 about one service.
type Questionnaire struct {
	RecordID     string   `json:"record_id"`
	AnsweredAt   string   `json:"answered_at"`
	Lang         string   `json:"lang"`
	Usefulness   int      `json:"usefulness"`
	Organisation int      `json:"organisation"`
	Expectations int      `json:"expectations"`
	Satisfaction int      `json:"satisfaction"`
	Purposes     []string `json:"purposes"`
	Financial    []string `json:"financial"`
	NonFinancial []string `json:"nonfinancial"`
	FilledOn     string   `json:"filled_on"`
	Source       string   `json:"source"` // link, import
}

// Link errors.
var (
	ErrLinkUsed    = errors.New("the questionnaire was already answered")
	ErrLinkExpired = errors.New("the questionnaire link has expired")
)

// CreateLink stores a questionnaire link for a record, known by its token
// hash, valid until expires.
func (db *DB) CreateLink(ctx context.Context, recordID, tokenHash string, expires time.Time) error {
	if err := db.insertLink(ctx, db.w, recordID, tokenHash, expires); err != nil {
		return fmt.Errorf("questionnaire link %s: %w", recordID, db.err(err))
	}
	return nil
}

func (db *DB) insertLink(ctx context.Context, x interface {
	ExecContext(context.Context, string, ...any) (sql.Result, error)
}, recordID, tokenHash string, expires time.Time) error {
	_, err := x.ExecContext(ctx, db.q(`INSERT INTO questionnaire_links (token_hash, record_id, created_at, expires_at) VALUES (?, ?, ?, ?)`),
		tokenHash, recordID, time.Now().UTC().Format(time.RFC3339), expires.UTC().Format(time.RFC3339))
	return err
}

// LinkRecord returns the record a link is for, or ErrNotFound, ErrLinkUsed
// or ErrLinkExpired.
func (db *DB) LinkRecord(ctx context.Context, tokenHash string, now time.Time) (string, error) {
	var id, expires, used string
	err := db.r.QueryRowContext(ctx, db.q(`SELECT record_id, expires_at, used_at FROM questionnaire_links WHERE token_hash = ?`), tokenHash).Scan(&id, &expires, &used)
	if err != nil {
		return "", db.err(err)
	}
	switch {
	case used != "":
		return "", ErrLinkUsed
	case expires <= now.UTC().Format(time.RFC3339):
		return "", ErrLinkExpired
	}
	return id, nil
}

// Answer stores a questionnaire through its link, once: the link is spent
// and the answer stored in one transaction, so two submissions racing each
// other cannot both count.
func (db *DB) Answer(ctx context.Context, tokenHash string, q *Questionnaire, now time.Time) error {
	return db.inTx(ctx, func(tx *sql.Tx) error {
		at := now.UTC().Format(time.RFC3339)
		res, err := tx.ExecContext(ctx, db.q(`UPDATE questionnaire_links SET used_at = ? WHERE token_hash = ? AND used_at = '' AND expires_at > ? AND record_id = ?`),
			at, tokenHash, at, q.RecordID)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return ErrLinkUsed
		}
		q.AnsweredAt, q.Source = at, "link"
		return db.insertQuestionnaire(ctx, tx, q)
	})
}

func (db *DB) insertQuestionnaire(ctx context.Context, tx *sql.Tx, q *Questionnaire) error {
	_, err := tx.ExecContext(ctx, db.q(`INSERT INTO questionnaires (record_id, answered_at, lang, usefulness, organisation, expectations, satisfaction, purposes, financial, nonfinancial, filled_on, source)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`), q.RecordID, q.AnsweredAt, q.Lang, q.Usefulness, q.Organisation, q.Expectations, q.Satisfaction,
		strings.Join(q.Purposes, ","), strings.Join(q.Financial, ","), strings.Join(q.NonFinancial, ","), q.FilledOn, q.Source)
	return err
}

// Questionnaires lists the answers about services that ended in [from, to].
func (db *DB) Questionnaires(ctx context.Context, from, to string) ([]Questionnaire, error) {
	out, _, err := db.ListQuestionnaires(ctx, QuestionnaireFilter{From: from, To: to}, "", 0)
	return out, err
}

// QuestionnaireFilter narrows the Register of questionnaires: by the end
// date of the service answered about (the period the answer belongs to,
// as for every indicator) and by the service's region.
type QuestionnaireFilter struct {
	From, To string // end_date of the service, YYYY-MM-DD, inclusive
	Region   string // KATO of a region; "" for all
}

func (f QuestionnaireFilter) where() (string, []any) {
	cond, args := `r.end_date >= ? AND r.end_date <= ?`, []any{f.From, f.To}
	if f.Region != "" {
		cond += ` AND r.region_kato = ?`
		args = append(args, f.Region)
	}
	return cond, args
}

// ListQuestionnaires returns up to limit answers matching f in record_id
// order, after cursor (the record_id the previous page ended with; "" for
// the first page), and the cursor of the next page ("" at the end). A limit
// of 0 or less returns them all. Keyset paging keeps a late page as cheap as
// the first.
func (db *DB) ListQuestionnaires(ctx context.Context, f QuestionnaireFilter, cursor string, limit int) ([]Questionnaire, string, error) {
	cond, args := f.where()
	if cursor != "" {
		cond += ` AND q.record_id > ?`
		args = append(args, cursor)
	}
	query := `SELECT q.record_id, q.answered_at, q.lang, q.usefulness, q.organisation, q.expectations, q.satisfaction,
			q.purposes, q.financial, q.nonfinancial, q.filled_on, q.source
		FROM questionnaires q JOIN records r ON r.record_id = q.record_id WHERE ` + cond + ` ORDER BY q.record_id`
	if limit > 0 {
		query += ` LIMIT ` + strconv.Itoa(limit+1) // one more tells whether a next page exists
	}
	rows, err := db.r.QueryContext(ctx, db.q(query), args...)
	if err != nil {
		return nil, "", fmt.Errorf("questionnaires %s..%s: %w", f.From, f.To, db.err(err))
	}
	defer rows.Close()
	var out []Questionnaire
	for rows.Next() {
		var q Questionnaire
		var p, fin, n string
		if err := rows.Scan(&q.RecordID, &q.AnsweredAt, &q.Lang, &q.Usefulness, &q.Organisation, &q.Expectations, &q.Satisfaction, &p, &fin, &n, &q.FilledOn, &q.Source); err != nil {
			return nil, "", fmt.Errorf("questionnaires %s..%s: %w", f.From, f.To, err)
		}
		q.Purposes, q.Financial, q.NonFinancial = split(p), split(fin), split(n)
		out = append(out, q)
	}
	if err := rows.Err(); err != nil {
		return nil, "", fmt.Errorf("questionnaires %s..%s: %w", f.From, f.To, db.err(err))
	}
	next := ""
	if limit > 0 && len(out) > limit {
		out = out[:limit]
		next = out[limit-1].RecordID
	}
	return out, next, nil
}

// QuestionnaireCounts sums up the Register of questionnaires of a period:
// how many answers, how many came by the client's link and how many were
// imported, and the sum of each rating (for the mean).
type QuestionnaireCounts struct {
	Total    int `json:"total"`
	ByLink   int `json:"by_link"`
	Imported int `json:"imported"`
	// Sums of the four ratings, in the order of survey.RatingAspects.
	Sums [4]int `json:"-"`
}

// CountQuestionnaires counts the answers matching f.
func (db *DB) CountQuestionnaires(ctx context.Context, f QuestionnaireFilter) (QuestionnaireCounts, error) {
	cond, args := f.where()
	var c QuestionnaireCounts
	// SUM of an integer is numeric on PostgreSQL: the casts keep every
	// column a plain integer on both engines.
	err := db.r.QueryRowContext(ctx, db.q(`SELECT COUNT(*),
			CAST(COALESCE(SUM(CASE WHEN q.source = 'link' THEN 1 ELSE 0 END), 0) AS BIGINT),
			CAST(COALESCE(SUM(CASE WHEN q.source = 'import' THEN 1 ELSE 0 END), 0) AS BIGINT),
			CAST(COALESCE(SUM(q.usefulness), 0) AS BIGINT), CAST(COALESCE(SUM(q.organisation), 0) AS BIGINT),
			CAST(COALESCE(SUM(q.expectations), 0) AS BIGINT), CAST(COALESCE(SUM(q.satisfaction), 0) AS BIGINT)
		FROM questionnaires q JOIN records r ON r.record_id = q.record_id WHERE `+cond), args...).
		Scan(&c.Total, &c.ByLink, &c.Imported, &c.Sums[0], &c.Sums[1], &c.Sums[2], &c.Sums[3])
	if err != nil {
		return c, fmt.Errorf("questionnaire counts %s..%s: %w", f.From, f.To, db.err(err))
	}
	return c, nil
}

// QuestionnaireState tells, for each of ids that the register has, the
// region of its record, and whether the Register of questionnaires already
// has an answer about it: what an import must know before it writes
// anything. An id the register lacks is in neither map.
func (db *DB) QuestionnaireState(ctx context.Context, ids []string) (region map[string]string, answered map[string]bool, err error) {
	region, answered = map[string]string{}, map[string]bool{}
	for chunk := range chunks(ids, 500) {
		in := marks(len(chunk))
		rows, err := db.r.QueryContext(ctx, db.q(`SELECT r.record_id, r.region_kato, CASE WHEN q.record_id IS NULL THEN 0 ELSE 1 END
			FROM records r LEFT JOIN questionnaires q ON q.record_id = r.record_id WHERE r.record_id IN (`+in+`)`), anys(chunk)...)
		if err != nil {
			return nil, nil, fmt.Errorf("questionnaire state: %w", db.err(err))
		}
		for rows.Next() {
			var id, reg string
			var has int
			if err := rows.Scan(&id, &reg, &has); err != nil {
				rows.Close()
				return nil, nil, fmt.Errorf("questionnaire state: %w", err)
			}
			region[id], answered[id] = reg, has != 0
		}
		err = rows.Err()
		rows.Close()
		if err != nil {
			return nil, nil, fmt.Errorf("questionnaire state: %w", db.err(err))
		}
	}
	return region, answered, nil
}

// ImportQuestionnaires adds answers to the Register of questionnaires, all
// or none, in one transaction with its audit event: the answers are marked
// source "import", and an answer without answered_at gets the time of the
// import. A record that does not exist or already has an answer (someone
// answered between the check and the write) fails the whole import with
// ErrConflict or the engine's foreign-key error, and nothing is stored.
func (db *DB) ImportQuestionnaires(ctx context.Context, qs []Questionnaire, actor, file string) error {
	now := time.Now().UTC().Format(time.RFC3339)
	err := db.inTx(ctx, func(tx *sql.Tx) error {
		for i := range qs {
			q := qs[i] // the caller's slice is left as it was
			q.Source = "import"
			if q.AnsweredAt == "" {
				q.AnsweredAt = now
			}
			if err := db.insertQuestionnaire(ctx, tx, &q); err != nil {
				return fmt.Errorf("questionnaire %s: %w", q.RecordID, err)
			}
		}
		return db.audit(ctx, tx, actor, "questionnaires.import", "file:"+file, strconv.Itoa(len(qs))+" answers")
	})
	if err != nil {
		return fmt.Errorf("import questionnaires %s: %w", file, err)
	}
	return nil
}

// CreateLinkAudited stores a questionnaire link as CreateLink does, with an
// audit event in the same transaction: a link printed on an act is handed
// to a person, and who printed it, when, must be known.
func (db *DB) CreateLinkAudited(ctx context.Context, recordID, tokenHash string, expires time.Time, actor, detail string) error {
	err := db.inTx(ctx, func(tx *sql.Tx) error {
		if err := db.insertLink(ctx, tx, recordID, tokenHash, expires); err != nil {
			return err
		}
		return db.audit(ctx, tx, actor, "questionnaire.link", "record:"+recordID, detail)
	})
	if err != nil {
		return fmt.Errorf("questionnaire link %s: %w", recordID, err)
	}
	return nil
}

func split(s string) []string {
	if s == "" {
		return nil
	}
	return strings.Split(s, ",")
}
