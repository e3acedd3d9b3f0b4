package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
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
	_, err := db.w.ExecContext(ctx, db.q(`INSERT INTO questionnaire_links (token_hash, record_id, created_at, expires_at) VALUES (?, ?, ?, ?)`),
		tokenHash, recordID, time.Now().UTC().Format(time.RFC3339), expires.UTC().Format(time.RFC3339))
	if err != nil {
		return fmt.Errorf("questionnaire link %s: %w", recordID, db.err(err))
	}
	return nil
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
	rows, err := db.r.QueryContext(ctx, db.q(`SELECT q.record_id, q.answered_at, q.lang, q.usefulness, q.organisation, q.expectations, q.satisfaction,
			q.purposes, q.financial, q.nonfinancial, q.filled_on, q.source
		FROM questionnaires q JOIN records r ON r.record_id = q.record_id WHERE r.end_date >= ? AND r.end_date <= ? ORDER BY q.record_id`), from, to)
	if err != nil {
		return nil, fmt.Errorf("questionnaires: %w", db.err(err))
	}
	defer rows.Close()
	var out []Questionnaire
	for rows.Next() {
		var q Questionnaire
		var p, f, n string
		if err := rows.Scan(&q.RecordID, &q.AnsweredAt, &q.Lang, &q.Usefulness, &q.Organisation, &q.Expectations, &q.Satisfaction, &p, &f, &n, &q.FilledOn, &q.Source); err != nil {
			return nil, err
		}
		q.Purposes, q.Financial, q.NonFinancial = split(p), split(f), split(n)
		out = append(out, q)
	}
	return out, db.err(rows.Err())
}

func split(s string) []string {
	if s == "" {
		return nil
	}
	return strings.Split(s, ",")
}
