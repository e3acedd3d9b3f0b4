package store

import (
	"context"
	"fmt"

	"esep/internal/register"
)

// EachRecord calls fn for every record whose end_date lies in [from, to]
// (YYYY-MM-DD, inclusive), in record_id order, with whether its current
// version has blocking findings. It streams: memory does not grow with the
// number of records. The record is reused between calls; fn must copy what
// it keeps.
func (db *DB) EachRecord(ctx context.Context, from, to string, fn func(r *register.Record, blocking bool) error) error {
	rows, err := db.r.QueryContext(ctx, db.q(`SELECT `+recordColumns+`, blocking FROM records WHERE end_date >= ? AND end_date <= ? ORDER BY record_id`), from, to)
	if err != nil {
		return fmt.Errorf("records %s..%s: %w", from, to, db.err(err))
	}
	defer rows.Close()
	var r register.Record
	var blocking int
	dest := append(recordDest(&r), &blocking)
	for rows.Next() {
		if err := rows.Scan(dest...); err != nil {
			return fmt.Errorf("records %s..%s: %w", from, to, err)
		}
		if err := fn(&r, blocking != 0); err != nil {
			return err
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("records %s..%s: %w", from, to, db.err(err))
	}
	return nil
}

// RecordDetail is a record with everything known about it.
type RecordDetail struct {
	Stored
	Findings    []register.Finding
	Corrections []Correction
}

// Correction is one changed column of a record.
type Correction struct {
	Version  int    `json:"version"`
	ImportID int64  `json:"import_id"`
	Column   string `json:"column"`
	Old      string `json:"old"`
	New      string `json:"new"`
	At       string `json:"at"`
	By       string `json:"by"`
}

// Record returns one record with its findings and history, or ErrNotFound.
func (db *DB) Record(ctx context.Context, id string) (*RecordDetail, error) {
	d := &RecordDetail{}
	var blocking int
	err := db.r.QueryRowContext(ctx, db.q(`SELECT `+recordColumns+`, blocking, version FROM records WHERE record_id = ?`), id).
		Scan(append(recordDest(&d.Record), &blocking, &d.Version)...)
	if err != nil {
		return nil, fmt.Errorf("record %s: %w", id, db.err(err))
	}
	d.Blocking = blocking != 0
	rows, err := db.r.QueryContext(ctx, db.q(`SELECT rule, severity, column_name, value, detail FROM record_findings WHERE record_id = ? ORDER BY rule, column_name`), id)
	if err != nil {
		return nil, fmt.Errorf("record %s findings: %w", id, db.err(err))
	}
	for rows.Next() {
		var f register.Finding
		var sev string
		if err := rows.Scan(&f.Rule, &sev, &f.Column, &f.Value, &f.Detail); err != nil {
			rows.Close()
			return nil, err
		}
		f.Severity = register.Severity(sev)
		d.Findings = append(d.Findings, f)
	}
	rows.Close()
	rows, err = db.r.QueryContext(ctx, db.q(`SELECT version, import_id, column_name, old_value, new_value, changed_at, changed_by FROM corrections WHERE record_id = ? ORDER BY id`), id)
	if err != nil {
		return nil, fmt.Errorf("record %s history: %w", id, db.err(err))
	}
	defer rows.Close()
	for rows.Next() {
		var c Correction
		if err := rows.Scan(&c.Version, &c.ImportID, &c.Column, &c.Old, &c.New, &c.At, &c.By); err != nil {
			return nil, err
		}
		d.Corrections = append(d.Corrections, c)
	}
	return d, db.err(rows.Err())
}

// Totals counts what the database holds, for summaries and tests.
type Totals struct {
	Imports, Records, Blocking, Corrections, ImportFindings, RecordFindings, Clients int
}

// Totals counts the rows of the main tables.
func (db *DB) Totals(ctx context.Context) (Totals, error) {
	var t Totals
	for _, q := range []struct {
		sql string
		dst *int
	}{
		{`SELECT COUNT(*) FROM imports`, &t.Imports},
		{`SELECT COUNT(*) FROM records`, &t.Records},
		{`SELECT COUNT(*) FROM records WHERE blocking <> 0`, &t.Blocking},
		{`SELECT COUNT(*) FROM corrections`, &t.Corrections},
		{`SELECT COUNT(*) FROM import_findings`, &t.ImportFindings},
		{`SELECT COUNT(*) FROM record_findings`, &t.RecordFindings},
		{`SELECT COUNT(*) FROM clients`, &t.Clients},
	} {
		if err := db.r.QueryRowContext(ctx, q.sql).Scan(q.dst); err != nil {
			return t, fmt.Errorf("totals: %w", db.err(err))
		}
	}
	return t, nil
}
