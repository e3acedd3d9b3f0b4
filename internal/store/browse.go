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
//
// The cursor is compared as a row value, (end_date, record_id) < (?, ?),
// which both engines turn into one range of the index that also gives the
// order; spelt out as end_date < ? OR (end_date = ? AND record_id < ?) it
// is the same set, but the planners read the OR as a filter to test on
// every index entry from the start of the range.
func (db *DB) ListRecords(ctx context.Context, f RecordFilter, cursor string, limit int) ([]Listed, string, error) {
	cmp, order := "<", "DESC"
	if f.Oldest {
		cmp, order = ">", "ASC"
	}
	var end, id string
	if cursor != "" {
		var ok bool
		if end, id, ok = strings.Cut(cursor, "|"); !ok {
			return nil, "", fmt.Errorf("list records: bad cursor %q", cursor)
		}
		// The cursor bounds the page on the side it is read from, tighter
		// than the period does: leave the period's bound out, or SQLite
		// starts the range there and tests every entry up to the cursor.
		if !f.Oldest && f.To != "" && end <= f.To {
			f.To = ""
		}
		if f.Oldest && f.From != "" && end >= f.From {
			f.From = ""
		}
	}
	where, args := f.where()
	if cursor != "" {
		where = append(where, "(end_date, record_id) "+cmp+" (?, ?)")
		args = append(args, end, id)
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

// CountRecords counts the records matching f, but stops at limit: it
// returns the count, and whether it is exact — false means there are more
// than limit. An exact count of a wide filter would read millions of index
// entries on every page; a bounded one reads at most limit matches, and a
// narrow filter (a region, a service and a period) is counted exactly from
// the index the page itself is read from.
func (db *DB) CountRecords(ctx context.Context, f RecordFilter, limit int) (n int, exact bool, err error) {
	where, args := f.where()
	q := `SELECT 1 FROM records`
	if len(where) > 0 {
		q += ` WHERE ` + strings.Join(where, " AND ")
	}
	q = `SELECT count(*) FROM (` + q + ` LIMIT ?) AS matching`
	if err := db.r.QueryRowContext(ctx, db.q(q), append(args, limit+1)...).Scan(&n); err != nil {
		return 0, false, fmt.Errorf("count records: %w", db.err(err))
	}
	if n > limit {
		return limit, false, nil
	}
	return n, true, nil
}

// where is the filter as SQL conditions on records and their arguments.
func (f RecordFilter) where() (where []string, args []any) {
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
	return where, args
}
