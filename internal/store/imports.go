package store

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"

	"esep/internal/register"
)

// ImportMeta describes a delivery of records.
type ImportMeta struct {
	FileName string
	SHA256   string
	Kind     string // "history" for a load outside the monthly cycle, "monthly" for a register
	By       string // who imported it
	// Month is the register month (YYYY-MM) of a monthly register; "" for
	// a load outside the cycle.
	Month string
	// ReceivedAt is when the register arrived (RFC 3339); zero means now.
	ReceivedAt string
	// DueDate is the day the register was due (YYYY-MM-DD), for a monthly
	// register.
	DueDate string
}

// ImportSummary is what an import did, counted by row.
type ImportSummary struct {
	RowsRead  int `json:"rows_read"`
	Accepted  int `json:"accepted"`               // rows stored without findings
	Warned    int `json:"accepted_with_warnings"` // rows stored with warnings only
	Rejected  int `json:"rejected"`               // rows with blocking findings
	Unchanged int `json:"unchanged"`              // rows identical to the stored record
	Corrected int `json:"corrected"`              // rows that changed a stored record
}

// Stored is the current version of a record as the store holds it.
type Stored struct {
	Record   register.Record
	Blocking bool
	Version  int
}

// Write is one row's effect on the store, decided by the importer.
type Write struct {
	Row      int // 1-based data row of the file
	Record   register.Record
	Findings []register.Finding
	// Store is false for a row that must not change the stored record: an
	// unchanged re-delivery, or a version with blocking findings that would
	// replace a valid one. Its findings are still reported.
	Store bool
	// Prev is the version being replaced, nil for a new record.
	Prev *Stored
}

// ImportTx is an import in progress: everything it writes becomes visible
// at Commit, or not at all. It has one clock reading, taken at the start, so
// every row it writes carries the same time.
type ImportTx struct {
	*writer
	id       int64
	now      string
	by       string
	received string
	inCycle  int
}

// writer runs the statements of one transaction, each prepared once:
// parsing the SQL again for every row costs more than executing it.
type writer struct {
	db    *DB
	tx    *sql.Tx
	stmts map[string]*sql.Stmt
}

func newWriter(db *DB, tx *sql.Tx) *writer {
	return &writer{db: db, tx: tx, stmts: map[string]*sql.Stmt{}}
}

// BeginImport starts an import transaction and records the delivery.
func (db *DB) BeginImport(ctx context.Context, meta ImportMeta) (*ImportTx, error) {
	tx, err := db.w.BeginTx(ctx, nil)
	if err != nil {
		return nil, fmt.Errorf("begin import: %w", db.err(err))
	}
	if meta.Kind == "" {
		meta.Kind = "history"
		if meta.Month != "" {
			meta.Kind = "monthly"
		}
	}
	now := time.Now().UTC().Format(time.RFC3339Nano)
	if meta.ReceivedAt == "" {
		meta.ReceivedAt = now
	}
	var id int64
	err = tx.QueryRowContext(ctx, db.q(`INSERT INTO imports (file_name, file_sha256, kind, started_at, finished_at, imported_by, register_month, received_at, due_date)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`), meta.FileName, meta.SHA256, meta.Kind, now, now, meta.By, meta.Month, meta.ReceivedAt, meta.DueDate).Scan(&id)
	if err != nil {
		tx.Rollback()
		return nil, fmt.Errorf("begin import: %w", db.err(err))
	}
	inCycle := 0
	if meta.Month != "" {
		inCycle = 1
	}
	return &ImportTx{writer: newWriter(db, tx), id: id, now: now, by: meta.By, received: meta.ReceivedAt, inCycle: inCycle}, nil
}

func (t *writer) exec(ctx context.Context, query string, args ...any) error {
	st, ok := t.stmts[query]
	if !ok {
		var err error
		if st, err = t.tx.PrepareContext(ctx, t.db.q(query)); err != nil {
			return t.db.err(err)
		}
		t.stmts[query] = st
	}
	_, err := st.ExecContext(ctx, args...)
	return t.db.err(err)
}

// ID is the import's number.
func (t *ImportTx) ID() int64 { return t.id }

// Existing returns the stored versions of the records with the given ids.
func (t *ImportTx) Existing(ctx context.Context, ids []string) (map[string]*Stored, error) {
	out := make(map[string]*Stored, len(ids))
	for chunk := range chunks(ids, 500) {
		rows, err := t.tx.QueryContext(ctx, t.db.q(`SELECT `+recordColumns+`, blocking, version FROM records WHERE record_id IN (`+marks(len(chunk))+`)`), anys(chunk)...)
		if err != nil {
			return nil, fmt.Errorf("existing records: %w", t.db.err(err))
		}
		for rows.Next() {
			s := &Stored{}
			var blocking int
			if err := rows.Scan(append(recordDest(&s.Record), &blocking, &s.Version)...); err != nil {
				rows.Close()
				return nil, fmt.Errorf("existing records: %w", err)
			}
			s.Blocking = blocking != 0
			out[s.Record.RecordID] = s
		}
		if err := rows.Close(); err != nil {
			return nil, fmt.Errorf("existing records: %w", t.db.err(err))
		}
	}
	return out, nil
}

// ClientNames returns the first spelling stored for each client key.
func (t *ImportTx) ClientNames(ctx context.Context, keys []string) (map[string]string, error) {
	out := make(map[string]string, len(keys))
	for chunk := range chunks(keys, 500) {
		rows, err := t.tx.QueryContext(ctx, t.db.q(`SELECT client_key, full_name FROM clients WHERE client_key IN (`+marks(len(chunk))+`)`), anys(chunk)...)
		if err != nil {
			return nil, fmt.Errorf("client names: %w", t.db.err(err))
		}
		for rows.Next() {
			var k, n string
			if err := rows.Scan(&k, &n); err != nil {
				rows.Close()
				return nil, err
			}
			out[k] = n
		}
		if err := rows.Close(); err != nil {
			return nil, fmt.Errorf("client names: %w", t.db.err(err))
		}
	}
	return out, nil
}

// Put writes a batch of rows: new and corrected records with their findings
// and correction history, new client spellings, and every row's findings
// in the import's problem list. New rows go in as multi-row INSERTs: one
// round trip per few hundred rows instead of several per row, which is what
// PostgreSQL over a network needs.
func (t *ImportTx) Put(ctx context.Context, batch []Write) error {
	var (
		importFindings [][]any
		newRecords     [][]any
		recordFindings [][]any
		clients        [][]any
	)
	for i := range batch {
		w := &batch[i]
		for _, f := range w.Findings {
			importFindings = append(importFindings, []any{t.id, w.Row, w.Record.RecordID, f.Rule, string(f.Severity), f.Column, f.Value, f.Detail})
		}
		if !w.Store {
			continue
		}
		r := &w.Record
		blocking := 0
		if register.HasBlocking(w.Findings) {
			blocking = 1
		}
		key := register.ClientKey(r)
		if w.Prev == nil {
			newRecords = append(newRecords, append(anys(r.Values()), key, blocking, t.id, t.id, t.now, t.now, t.received, t.inCycle))
		} else if err := t.update(ctx, w, key, blocking); err != nil {
			return fmt.Errorf("row %d: %w", w.Row, err)
		}
		for _, f := range w.Findings {
			recordFindings = append(recordFindings, []any{r.RecordID, f.Rule, string(f.Severity), f.Column, f.Value, f.Detail})
		}
		if blocking == 0 {
			clients = append(clients, []any{key, r.ClientFullName})
		}
	}
	for _, ins := range []struct {
		table, cols, suffix string
		rows                [][]any
	}{
		{"import_findings", "import_id, row_num, record_id, rule, severity, column_name, value, detail", "", importFindings},
		{"records", recordColumns + ", client_key, blocking, first_import_id, last_import_id, first_seen_at, updated_at, arrived_at, in_cycle", "", newRecords},
		{"record_findings", "record_id, rule, severity, column_name, value, detail", "", recordFindings},
		{"clients", "client_key, full_name", " ON CONFLICT (client_key) DO NOTHING", clients},
	} {
		if err := t.insertMany(ctx, ins.table, ins.cols, ins.suffix, ins.rows); err != nil {
			return fmt.Errorf("write %s: %w", ins.table, err)
		}
	}
	return nil
}

// maxParams keeps a statement under SQLite's limit of 32,766 parameters
// (PostgreSQL allows 65,535).
const maxParams = 30000

// insertMany inserts rows into table in as few statements as the parameter
// limit allows.
func (t *writer) insertMany(ctx context.Context, table, cols, suffix string, rows [][]any) error {
	if len(rows) == 0 {
		return nil
	}
	per := max(1, maxParams/len(rows[0]))
	one := "(" + marks(len(rows[0])) + ")"
	for chunk := range chunks(rows, per) {
		query := `INSERT INTO ` + table + ` (` + cols + `) VALUES ` + strings.TrimSuffix(strings.Repeat(one+", ", len(chunk)), ", ") + suffix
		args := make([]any, 0, len(chunk)*len(rows[0]))
		for _, r := range chunk {
			args = append(args, r...)
		}
		if err := t.exec(ctx, query, args...); err != nil {
			return err
		}
	}
	return nil
}

// update replaces a stored record by its new version, recording each
// changed column.
func (t *ImportTx) update(ctx context.Context, w *Write, key string, blocking int) error {
	r := &w.Record
	version := w.Prev.Version + 1
	// A blocking record made valid is fixed when the correction arrived:
	// whether that was within the correction window decides if it counts.
	fixed := ""
	if w.Prev.Blocking && blocking == 0 {
		fixed = t.received
	}
	args := append(anys(r.Values()[1:]), key, blocking, version, t.id, t.now, fixed, fixed, r.RecordID)
	if err := t.exec(ctx, updateRecord, args...); err != nil {
		return err
	}
	for _, c := range r.Diff(&w.Prev.Record) {
		if err := t.exec(ctx, `INSERT INTO corrections (record_id, import_id, version, column_name, old_value, new_value, changed_at, changed_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
			r.RecordID, t.id, version, c.Column, c.Old, c.New, t.now, t.by); err != nil {
			return err
		}
	}
	return t.exec(ctx, `DELETE FROM record_findings WHERE record_id = ?`, r.RecordID)
}

// Commit records the summary and makes the import visible.
func (t *ImportTx) Commit(ctx context.Context, s ImportSummary) error {
	_, err := t.tx.ExecContext(ctx, t.db.q(`UPDATE imports SET finished_at = ?, rows_read = ?, accepted = ?, warned = ?, rejected = ?, unchanged = ?, corrected = ? WHERE id = ?`),
		time.Now().UTC().Format(time.RFC3339Nano), s.RowsRead, s.Accepted, s.Warned, s.Rejected, s.Unchanged, s.Corrected, t.id)
	if err != nil {
		t.tx.Rollback()
		return fmt.Errorf("commit import: %w", t.db.err(err))
	}
	return t.db.err(t.tx.Commit())
}

// Rollback abandons the import: the database is left as it was.
func (t *ImportTx) Rollback() error { return t.tx.Rollback() }

var (
	recordColumns = strings.Join(register.ColumnNames(), ", ")
	updateRecord  = func() string {
		var set []string
		for _, c := range register.Columns[1:] {
			set = append(set, c.Name+" = ?")
		}
		return `UPDATE records SET ` + strings.Join(set, ", ") + `, client_key = ?, blocking = ?, version = ?, last_import_id = ?, updated_at = ?,
			fixed_at = CASE WHEN ? <> '' THEN ? ELSE fixed_at END WHERE record_id = ?`
	}()
)

func recordDest(r *register.Record) []any {
	d := make([]any, len(register.Columns))
	for i, c := range register.Columns {
		d[i] = c.Field(r)
	}
	return d
}

func marks(n int) string { return strings.TrimSuffix(strings.Repeat("?, ", n), ", ") }

func anys[T any](xs []T) []any {
	out := make([]any, len(xs))
	for i, x := range xs {
		out[i] = x
	}
	return out
}

func chunks[T any](xs []T, n int) func(func([]T) bool) {
	return func(yield func([]T) bool) {
		for len(xs) > 0 {
			k := min(n, len(xs))
			if !yield(xs[:k]) {
				return
			}
			xs = xs[k:]
		}
	}
}
