package store

import (
	"context"
	"fmt"
	"strings"

	"esep/internal/register"
)

// RecordFilter narrows the register for browsing.
type RecordFilter struct {
	Region  string // KATO of a region; "" for all
	From    string // end_date from, YYYY-MM-DD
	To      string // end_date to
	Service string // service_code
	Status  string // "blocking" or "valid"; "" for both
	Query   string // a record_id, or the start of one
	Manager string // manager_full_name, exactly
	Finding string // a rule code the current version breaks
	// Oldest pages from the oldest end_date up; the default is newest
	// first.
	Oldest bool
}

// Listed is a record as a list shows it.
type Listed struct {
	register.Record
	Blocking bool
	Version  int
}

// ListRecords returns up to limit records matching f, newest end_date
// first, after the cursor of the previous page, and the cursor of the next
// page ("" at the end). Keyset pagination: a page costs the same wherever it
// is in a register of millions, unlike OFFSET.
func (db *DB) ListRecords(ctx context.Context, f RecordFilter, cursor string, limit int) ([]Listed, string, error) {
	var where []string
	var args []any
	add := func(cond string, v ...any) { where = append(where, cond); args = append(args, v...) }
	if f.Region != "" {
		add("region_kato = ?", f.Region)
	}
	if f.From != "" {
		add("end_date >= ?", f.From)
	}
	if f.To != "" {
		add("end_date <= ?", f.To)
	}
	if f.Service != "" {
		add("service_code = ?", f.Service)
	}
	switch f.Status {
	case "blocking":
		add("blocking <> 0")
	case "valid":
		add("blocking = 0")
	}
	if f.Query != "" {
		add("record_id >= ? AND record_id < ?", f.Query, f.Query+"\U0010FFFF")
	}
	if f.Manager != "" {
		add("manager_full_name = ?", f.Manager)
	}
	if f.Finding != "" {
		add("record_id IN (SELECT record_id FROM record_findings WHERE rule = ?)", f.Finding)
	}
	cmp, order := "<", "DESC"
	if f.Oldest {
		cmp, order = ">", "ASC"
	}
	if cursor != "" {
		end, id, ok := strings.Cut(cursor, "|")
		if !ok {
			return nil, "", fmt.Errorf("list records: bad cursor %q", cursor)
		}
		add("(end_date "+cmp+" ? OR (end_date = ? AND record_id "+cmp+" ?))", end, end, id)
	}
	q := `SELECT ` + recordColumns + `, blocking, version FROM records`
	if len(where) > 0 {
		q += ` WHERE ` + strings.Join(where, " AND ")
	}
	q += ` ORDER BY end_date ` + order + `, record_id ` + order + ` LIMIT ?`
	args = append(args, limit+1)
	rows, err := db.r.QueryContext(ctx, db.q(q), args...)
	if err != nil {
		return nil, "", fmt.Errorf("list records: %w", db.err(err))
	}
	defer rows.Close()
	var out []Listed
	for rows.Next() {
		var l Listed
		var blocking int
		if err := rows.Scan(append(recordDest(&l.Record), &blocking, &l.Version)...); err != nil {
			return nil, "", err
		}
		l.Blocking = blocking != 0
		out = append(out, l)
	}
	if err := rows.Err(); err != nil {
		return nil, "", db.err(err)
	}
	next := ""
	if len(out) > limit {
		out = out[:limit]
		last := out[len(out)-1]
		next = last.EndDate + "|" + last.RecordID
	}
	return out, next, nil
}
