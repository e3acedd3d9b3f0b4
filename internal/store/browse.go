package store

import (
	"context"
	"database/sql"
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
	return listPage(ctx, db, f, cursor, limit, recordColumns+`, blocking, version`, func(rows *sql.Rows) (l Listed, err error) {
		var blocking int
		err = rows.Scan(append(recordDest(&l.Record), &blocking, &l.Version)...)
		l.Blocking = blocking != 0
		return l, err
	})
}

// Brief is a record as the register page lists it.
type Brief struct {
	RecordID       string
	EndDate        string
	RegionKATO     string
	ServiceCode    string
	ClientFullName string
	Blocking       bool
}

// ListBrief is ListRecords with only the columns the register page shows.
// The index of the page's main filter (records_region_service_end) holds
// them all, so a page of a region and a service is read from the index
// alone: the full rows of a page are fifty reads scattered over the whole
// table, which wait on the disk once the table is larger than the memory
// the machine spares for it (10M records are 8 GB in SQLite).
func (db *DB) ListBrief(ctx context.Context, f RecordFilter, cursor string, limit int) ([]Brief, string, error) {
	return listPage(ctx, db, f, cursor, limit, `record_id, end_date, region_kato, service_code, client_full_name, blocking`, func(rows *sql.Rows) (b Brief, err error) {
		var blocking int
		err = rows.Scan(&b.RecordID, &b.EndDate, &b.RegionKATO, &b.ServiceCode, &b.ClientFullName, &blocking)
		b.Blocking = blocking != 0
		return b, err
	})
}

// listPage runs the page query of ListRecords and ListBrief: columns of
// the records matching f after cursor, in the page's order, limit+1 of them
// (the one more tells whether there is a next page), each read by scan. It
// returns the page and the next page's cursor.
//
// The cursor is compared as a row value, (end_date, record_id) < (?, ?),
// which both engines turn into one range of the index that also gives the
// order; spelt out as end_date < ? OR (end_date = ? AND record_id < ?) it
// is the same set, but the planners read the OR as a filter to test on
// every index entry from the start of the range.
func listPage[T paged](ctx context.Context, db *DB, f RecordFilter, cursor string, limit int, columns string, scan func(*sql.Rows) (T, error)) ([]T, string, error) {
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
	q := `SELECT ` + columns + ` FROM records`
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
	var out []T
	for rows.Next() {
		v, err := scan(rows)
		if err != nil {
			return nil, "", fmt.Errorf("list records: %w", err)
		}
		out = append(out, v)
	}
	if err := rows.Err(); err != nil {
		return nil, "", db.err(err)
	}
	next := ""
	if len(out) > limit {
		out = out[:limit]
		next = out[limit-1].cursor()
	}
	return out, next, nil
}

// paged is a row of a register page: it gives the cursor of the page after
// it.
type paged interface{ cursor() string }

func (l Listed) cursor() string { return l.EndDate + "|" + l.RecordID }
func (b Brief) cursor() string  { return b.EndDate + "|" + b.RecordID }

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
