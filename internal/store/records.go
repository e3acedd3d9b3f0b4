package store

import (
	"context"
	"fmt"
	"strings"

	"esep/internal/register"
)

// EachRecord calls fn for every record whose end_date lies in [from, to]
// (YYYY-MM-DD, inclusive), in record_id order, with its facts. It streams:
// memory does not grow with the number of records. The record and facts are
// reused between calls; fn must copy what it keeps.
func (db *DB) EachRecord(ctx context.Context, from, to string, fn func(r *register.Record, f *register.Facts) error) error {
	return db.eachRecord(ctx, `r.end_date >= ? AND r.end_date <= ? ORDER BY r.record_id`, []any{from, to}, fn)
}

// RecordFacts returns one record with its facts, for showing why it does or
// does not count; ErrNotFound when there is no such record.
func (db *DB) RecordFacts(ctx context.Context, id string) (*register.Record, *register.Facts, error) {
	var rec *register.Record
	var facts *register.Facts
	err := db.eachRecord(ctx, `r.record_id = ?`, []any{id}, func(r *register.Record, f *register.Facts) error {
		rc, fc := *r, *f
		if f.Act != nil {
			a := *f.Act
			fc.Act = &a
		}
		rec, facts = &rc, &fc
		return nil
	})
	if err != nil {
		return nil, nil, err
	}
	if rec == nil {
		return nil, nil, ErrNotFound
	}
	return rec, facts, nil
}

func (db *DB) eachRecord(ctx context.Context, where string, args []any, fn func(r *register.Record, f *register.Facts) error) error {
	rows, err := db.r.QueryContext(ctx, db.q(`SELECT `+prefixed("r.", register.ColumnNames())+`, r.blocking, r.arrived_at, r.in_cycle, r.fixed_at,
			COALESCE((SELECT MIN(l.correction_due) FROM letter_items li JOIN letters l ON l.id = li.letter_id
				WHERE li.record_id = r.record_id AND li.severity = 'blocking' AND l.correction_due <> ''), ''),
			CASE WHEN EXISTS (SELECT 1 FROM act_months m WHERE m.month = SUBSTR(r.end_date, 1, 7)) THEN 1 ELSE 0 END,
			COALESCE(a.act_number, ''), COALESCE(a.signed_at, ''), COALESCE(a.method, ''), COALESCE(a.signer, ''),
			CASE WHEN EXISTS (SELECT 1 FROM act_records ar WHERE ar.act_number = r.act_number AND ar.record_id = r.record_id) THEN 1 ELSE 0 END
		FROM records r LEFT JOIN acts a ON a.act_number = r.act_number
		WHERE `+where), args...)
	if err != nil {
		return fmt.Errorf("records %v: %w", args, db.err(err))
	}
	defer rows.Close()
	var (
		r                                register.Record
		f                                register.Facts
		act                              register.Act
		blocking, inCycle, covered, list int
	)
	dest := append(recordDest(&r), &blocking, &f.ArrivedAt, &inCycle, &f.FixedAt, &f.CorrectionDue, &covered,
		&act.Number, &act.SignedAt, &act.Method, &act.Signer, &list)
	for rows.Next() {
		if err := rows.Scan(dest...); err != nil {
			return fmt.Errorf("records %v: %w", args, err)
		}
		f.Blocking, f.InCycle, f.ActsCovered, f.ActListsRecord = blocking != 0, inCycle != 0, covered != 0, list != 0
		f.Act = nil
		if act.Number != "" {
			f.Act = &act
		}
		if err := fn(&r, &f); err != nil {
			return err
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("records %v: %w", args, db.err(err))
	}
	return nil
}

func prefixed(prefix string, cols []string) string {
	out := make([]string, len(cols))
	for i, c := range cols {
		out[i] = prefix + c
	}
	return strings.Join(out, ", ")
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

// countingColumns are the columns of a record that the indicators and the
// exclusion rules read (spec §2-4: register.ClientKey, register.AgeBand,
// register.ActExclusion and the tables' keys).
var countingColumns = []string{"record_id", "region_kato", "enterprise_iin_bin", "client_full_name", "client_iin",
	"client_gender", "client_birth_date", "client_age", "legal_form", "entrepreneur_category", "oked_section",
	"service_code", "start_date", "end_date", "delivery_mode", "act_number", "act_signed_at", "act_confirmation"}

// EachCounting gives every record, in no particular order, with its facts,
// as EachRecord does, but with only the columns the indicators read
// (countingColumns; the others are left empty). It is how the indicator
// index is rebuilt when a server starts, so it is built for speed: about
// half the columns, no sort, and the facts that few records have — the
// months an act registry covers, the correction deadlines of sent letters —
// read once into memory instead of looked up per record.
func (db *DB) EachCounting(ctx context.Context, fn func(r *register.Record, f *register.Facts) error) error {
	covered, err := db.stringSet(ctx, `SELECT month FROM act_months`)
	if err != nil {
		return err
	}
	dues := map[string]string{}
	rows, err := db.r.QueryContext(ctx, `SELECT li.record_id, MIN(l.correction_due) FROM letter_items li JOIN letters l ON l.id = li.letter_id
		WHERE li.severity = 'blocking' AND l.correction_due <> '' GROUP BY li.record_id`)
	if err != nil {
		return fmt.Errorf("counting records: %w", db.err(err))
	}
	for rows.Next() {
		var id, due string
		if err := rows.Scan(&id, &due); err != nil {
			rows.Close()
			return fmt.Errorf("counting records: %w", err)
		}
		dues[id] = due
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return fmt.Errorf("counting records: %w", db.err(err))
	}

	rows, err = db.r.QueryContext(ctx, `SELECT `+prefixed("r.", countingColumns)+`, r.blocking, r.arrived_at, r.in_cycle, r.fixed_at,
			COALESCE(a.act_number, ''), COALESCE(a.signed_at, ''), COALESCE(a.method, ''), COALESCE(a.signer, ''),
			CASE WHEN a.act_number IS NOT NULL AND EXISTS (SELECT 1 FROM act_records ar WHERE ar.act_number = r.act_number AND ar.record_id = r.record_id) THEN 1 ELSE 0 END
		FROM records r LEFT JOIN acts a ON a.act_number = r.act_number`)
	if err != nil {
		return fmt.Errorf("counting records: %w", db.err(err))
	}
	defer rows.Close()
	var (
		r                       register.Record
		f                       register.Facts
		act                     register.Act
		blocking, inCycle, list int
	)
	fields := map[string]*string{}
	for _, c := range register.Columns {
		fields[c.Name] = c.Field(&r)
	}
	dest := make([]any, 0, len(countingColumns)+9)
	for _, c := range countingColumns {
		dest = append(dest, fields[c])
	}
	dest = append(dest, &blocking, &f.ArrivedAt, &inCycle, &f.FixedAt, &act.Number, &act.SignedAt, &act.Method, &act.Signer, &list)
	for rows.Next() {
		if err := rows.Scan(dest...); err != nil {
			return fmt.Errorf("counting records: %w", err)
		}
		f.Blocking, f.InCycle, f.ActListsRecord = blocking != 0, inCycle != 0, list != 0
		f.ActsCovered = len(r.EndDate) >= 7 && covered[r.EndDate[:7]]
		f.CorrectionDue = dues[r.RecordID]
		f.Act = nil
		if act.Number != "" {
			f.Act = &act
		}
		if err := fn(&r, &f); err != nil {
			return err
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("counting records: %w", db.err(err))
	}
	return nil
}

// stringSet runs a query of one text column and returns its values.
func (db *DB) stringSet(ctx context.Context, query string) (map[string]bool, error) {
	rows, err := db.r.QueryContext(ctx, query)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", query, db.err(err))
	}
	defer rows.Close()
	set := map[string]bool{}
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			return nil, fmt.Errorf("%s: %w", query, err)
		}
		set[s] = true
	}
	return set, db.err(rows.Err())
}
