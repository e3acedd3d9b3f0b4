package store

import (
	"context"
	"fmt"

	"esep/internal/register"
)

// ImportInfo is one committed delivery of records, as the import page lists
// it.
type ImportInfo struct {
	ID         int64
	FileName   string
	Kind       string // "history" or "monthly"
	Month      string // the register month of a monthly register
	By         string
	StartedAt  string // RFC 3339
	FinishedAt string // RFC 3339
	Summary    ImportSummary
}

// RecentImports returns the latest loads of register records (history and
// monthly registers, newest first), at most limit of them; by, when not
// empty, keeps only those made by that actor.
func (db *DB) RecentImports(ctx context.Context, by string, limit int) ([]ImportInfo, error) {
	query := `SELECT id, file_name, kind, register_month, imported_by, started_at, finished_at,
		rows_read, accepted, warned, rejected, unchanged, corrected
		FROM imports WHERE kind IN ('history', 'monthly')`
	args := []any{}
	if by != "" {
		query += ` AND imported_by = ?`
		args = append(args, by)
	}
	query += ` ORDER BY id DESC LIMIT ?`
	args = append(args, limit)
	rows, err := db.r.QueryContext(ctx, db.q(query), args...)
	if err != nil {
		return nil, fmt.Errorf("recent imports: %w", db.err(err))
	}
	defer rows.Close()
	var out []ImportInfo
	for rows.Next() {
		var i ImportInfo
		s := &i.Summary
		if err := rows.Scan(&i.ID, &i.FileName, &i.Kind, &i.Month, &i.By, &i.StartedAt, &i.FinishedAt,
			&s.RowsRead, &s.Accepted, &s.Warned, &s.Rejected, &s.Unchanged, &s.Corrected); err != nil {
			return nil, fmt.Errorf("recent imports: %w", db.err(err))
		}
		out = append(out, i)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("recent imports: %w", db.err(err))
	}
	return out, nil
}

// ImportFinding is one finding of an import, located in its file.
type ImportFinding struct {
	Row      int // 1-based data row of the file
	RecordID string
	register.Finding
}

// EachImportFinding calls fn for every finding of the import importID, in
// row order, reading them as it goes: an import of a million rows can have
// more findings than are worth holding in memory. It stops at fn's first
// error and returns it. An unknown import simply has no findings.
func (db *DB) EachImportFinding(ctx context.Context, importID int64, fn func(*ImportFinding) error) error {
	rows, err := db.r.QueryContext(ctx, db.q(`SELECT row_num, record_id, rule, severity, column_name, value, detail
		FROM import_findings WHERE import_id = ? ORDER BY row_num`), importID)
	if err != nil {
		return fmt.Errorf("findings of import %d: %w", importID, db.err(err))
	}
	defer rows.Close()
	var f ImportFinding
	for rows.Next() {
		var severity string
		if err := rows.Scan(&f.Row, &f.RecordID, &f.Rule, &severity, &f.Column, &f.Value, &f.Detail); err != nil {
			return fmt.Errorf("findings of import %d: %w", importID, db.err(err))
		}
		f.Severity = register.Severity(severity)
		if err := fn(&f); err != nil {
			return err
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("findings of import %d: %w", importID, db.err(err))
	}
	return nil
}
