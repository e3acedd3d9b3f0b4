package store

import (
	"context"
	"database/sql"
	"fmt"
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5"

	"esep/internal/register"
)

// Change names a set of records whose counting may have changed: exactly
// one of its fields besides Seq is set (see migration 0008).
type Change struct {
	Seq          int64
	RecordID     string
	EndFrom      string // with EndTo: every record ending in [EndFrom, EndTo]
	EndTo        string
	LetterID     int64
	ActsImportID int64
}

// maxNamedRecords is how many records an import names one by one in the
// change log; past it the import names the range of their end dates, which
// a reader reads whole. A form or an API call writes one record; a monthly
// register, tens of thousands of one month.
const maxNamedRecords = 256

// changeSet is what one transaction changed, logged at its commit.
type changeSet struct {
	ids          []string
	many         bool   // more than maxNamedRecords: log from-to instead
	from, to     string // the end dates of the records written
	months       []string
	letterID     int64
	actsImportID int64
}

// wrote notes a record written.
func (c *changeSet) wrote(r *register.Record) {
	if c.from == "" || r.EndDate < c.from {
		c.from = r.EndDate
	}
	if r.EndDate > c.to {
		c.to = r.EndDate
	}
	if !c.many {
		if len(c.ids) < maxNamedRecords {
			c.ids = append(c.ids, r.RecordID)
		} else {
			c.many, c.ids = true, nil
		}
	}
}

// rows are the rows of the change log for c.
func (c *changeSet) rows() [][]any {
	var rows [][]any
	if c.many {
		rows = append(rows, []any{nil, c.from, c.to, nil, nil})
	}
	for _, id := range c.ids {
		rows = append(rows, []any{id, nil, nil, nil, nil})
	}
	for _, m := range c.months {
		// A month's records end between its first day and its last; "-99"
		// bounds the month as text whatever its length.
		rows = append(rows, []any{nil, m + "-01", m + "-99", nil, nil})
	}
	if c.letterID != 0 {
		rows = append(rows, []any{nil, nil, nil, c.letterID, nil})
	}
	if c.actsImportID != 0 {
		rows = append(rows, []any{nil, nil, nil, nil, c.actsImportID})
	}
	return rows
}

// logChanges appends c to the change log in transaction tx, and reports
// whether it wrote anything. It must be the last statement before COMMIT:
// on PostgreSQL it takes a lock on the log that is held until the commit,
// so that ids become visible in the order they were given — a reader that
// has seen id n has seen every id below it that will ever commit — at the
// cost of serialising the last instant of concurrent write transactions.
// SQLite has one writer at a time and needs no lock. An import in a group
// does not come here: its rows wait for the group's commit (writeLog).
func (db *DB) logChanges(ctx context.Context, tx *sql.Tx, c *changeSet) (bool, error) {
	rows := c.rows()
	if len(rows) == 0 {
		return false, nil
	}
	if db.dialect.dollar {
		if _, err := tx.ExecContext(ctx, `LOCK TABLE changes IN EXCLUSIVE MODE`); err != nil {
			return false, fmt.Errorf("log changes: %w", db.err(err))
		}
	}
	args := make([]any, 0, 5*len(rows))
	for _, r := range rows {
		args = append(args, r...)
	}
	// The one row of an API write's change is kept prepared (see
	// keepWriteStatements): parsing it again was a tenth of the write.
	st, err := db.txStmt(ctx, tx, db.q(insertChanges(len(rows))))
	if err == nil {
		_, err = st.ExecContext(ctx, args...)
	}
	if err != nil {
		return false, fmt.Errorf("log changes: %w", db.err(err))
	}
	return true, nil
}

// writeLog appends rows to the change log in the transaction of w, a
// group's, just before its commit. On PostgreSQL the lock and the rows go
// in one round trip, as a pipeline on the group's connection, so that the
// lock is held for one round trip and the commit's.
func (db *DB) writeLog(ctx context.Context, w *writer, rows [][]any) error {
	if len(rows) == 0 {
		return nil
	}
	if !db.dialect.dollar {
		// In the process, a row at a time through the kept one-row
		// statement costs less than parsing a statement of many.
		for _, r := range rows {
			if err := w.exec(ctx, insertChanges(1), r...); err != nil {
				return fmt.Errorf("log changes: %w", err)
			}
		}
		return nil
	}
	// Columns as arrays: one statement text, prepared once, for any
	// number of rows; unnest gives them in order, and the ids follow it.
	var (
		ids, froms, tos     []*string
		letters, actImports []*int64
	)
	text := func(v any) *string {
		if s, ok := v.(string); ok {
			return &s
		}
		return nil
	}
	number := func(v any) *int64 {
		if n, ok := v.(int64); ok {
			return &n
		}
		return nil
	}
	for _, r := range rows {
		ids, froms, tos = append(ids, text(r[0])), append(froms, text(r[1])), append(tos, text(r[2]))
		letters, actImports = append(letters, number(r[3])), append(actImports, number(r[4]))
	}
	err := withPgx(w.conn, func(c *pgx.Conn) error {
		// By name: prepared by prepareLog, so the INSERT takes its lock
		// on the log after the LOCK, not when it is parsed.
		b := &pgx.Batch{}
		b.Queue(lockChanges)
		b.Queue(insertChangeArrays, ids, froms, tos, letters, actImports)
		return c.SendBatch(ctx, b).Close()
	})
	if err != nil {
		return fmt.Errorf("log changes: %w", db.err(err))
	}
	return nil
}

// The statements of writeLog on PostgreSQL.
const (
	lockChanges        = `LOCK TABLE changes IN EXCLUSIVE MODE`
	insertChangeArrays = `INSERT INTO changes (record_id, end_from, end_to, letter_id, acts_import_id)
		SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::bigint[], $5::bigint[])`
)

// prepareLog prepares the statements of writeLog on conn, a PostgreSQL
// connection, before its transaction begins. Parsing the INSERT locks the
// log (ROW EXCLUSIVE, to the end of the transaction); pgx parses the
// statements of a pipeline it has not seen before any of them runs, so in
// the transaction two groups would each hold that lock and wait for the
// other's to take the EXCLUSIVE one: a deadlock, met in
// TestConcurrentRecordWrites on every new connection.
func prepareLog(ctx context.Context, conn *sql.Conn) error {
	return withPgx(conn, func(c *pgx.Conn) error {
		for _, q := range []string{lockChanges, insertChangeArrays} {
			if _, err := c.Prepare(ctx, q, q); err != nil {
				return err
			}
		}
		return nil
	})
}

// insertChanges is the INSERT of n rows into the change log.
func insertChanges(n int) string {
	return `INSERT INTO changes (record_id, end_from, end_to, letter_id, acts_import_id) VALUES ` + strings.TrimSuffix(strings.Repeat("(?, ?, ?, ?, ?), ", n), ", ")
}

// LocalChanges counts the changes this process has committed: a reader
// that has not seen it move need not ask the database for changes made
// here, only for those of other processes.
func (db *DB) LocalChanges() uint64 { return db.changes.Load() }

// LastChange returns the id of the newest change in the log, 0 when none.
func (db *DB) LastChange(ctx context.Context) (int64, error) {
	var seq sql.NullInt64
	if err := db.r.QueryRowContext(ctx, `SELECT MAX(id) FROM changes`).Scan(&seq); err != nil {
		return 0, fmt.Errorf("last change: %w", db.err(err))
	}
	return seq.Int64, nil
}

// Changes returns up to limit changes after id after, oldest first.
func (db *DB) Changes(ctx context.Context, after int64, limit int) ([]Change, error) {
	rows, err := db.r.QueryContext(ctx, db.q(`SELECT id, COALESCE(record_id, ''), COALESCE(end_from, ''), COALESCE(end_to, ''),
			COALESCE(letter_id, 0), COALESCE(acts_import_id, 0)
		FROM changes WHERE id > ? ORDER BY id LIMIT ?`), after, limit)
	if err != nil {
		return nil, fmt.Errorf("changes after %d: %w", after, db.err(err))
	}
	defer rows.Close()
	var out []Change
	for rows.Next() {
		var c Change
		if err := rows.Scan(&c.Seq, &c.RecordID, &c.EndFrom, &c.EndTo, &c.LetterID, &c.ActsImportID); err != nil {
			return nil, fmt.Errorf("changes after %d: %w", after, err)
		}
		out = append(out, c)
	}
	return out, db.err(rows.Err())
}

// EachChanged gives every record the change names, with its facts.
func (db *DB) EachChanged(ctx context.Context, c Change, fn func(r *register.Record, f *register.Facts) error) error {
	switch {
	case c.RecordID != "":
		return db.eachRecord(ctx, `r.record_id = ?`, []any{c.RecordID}, fn)
	case c.EndFrom != "":
		return db.EachRecord(ctx, c.EndFrom, c.EndTo, fn)
	case c.LetterID != 0:
		return db.eachRecord(ctx, `r.record_id IN (SELECT li.record_id FROM letter_items li WHERE li.letter_id = ?)`, []any{c.LetterID}, fn)
	case c.ActsImportID != 0:
		return db.eachRecord(ctx, `r.act_number IN (SELECT a.act_number FROM acts a WHERE a.import_id = ?)
			OR r.record_id IN (SELECT ar.record_id FROM act_records ar JOIN acts a ON a.act_number = ar.act_number WHERE a.import_id = ?)`,
			[]any{c.ActsImportID, c.ActsImportID}, fn)
	}
	return fmt.Errorf("change %s names no records", strconv.FormatInt(c.Seq, 10))
}
