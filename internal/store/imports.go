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
	Kind     string // "history" for a load outside the monthly cycle
	By       string // who imported it
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
	db  *DB
	tx  *sql.Tx
	id  int64
	now string
	by  string
}

// BeginImport starts an import transaction and records the delivery.
func (db *DB) BeginImport(ctx context.Context, meta ImportMeta) (*ImportTx, error) {
	tx, err := db.w.BeginTx(ctx, nil)
	if err != nil {
		return nil, fmt.Errorf("begin import: %w", db.err(err))
	}
	if meta.Kind == "" {
		meta.Kind = "history"
	}
	now := time.Now().UTC().Format(time.RFC3339Nano)
	var id int64
	err = tx.QueryRowContext(ctx, db.q(`INSERT INTO imports (file_name, file_sha256, kind, started_at, finished_at, imported_by)
		VALUES (?, ?, ?, ?, ?, ?) RETURNING id`), meta.FileName, meta.SHA256, meta.Kind, now, now, meta.By).Scan(&id)
	if err != nil {
		tx.Rollback()
		return nil, fmt.Errorf("begin import: %w", db.err(err))
	}
	return &ImportTx{db: db, tx: tx, id: id, now: now, by: meta.By}, nil
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
// in the import's problem list.
func (t *ImportTx) Put(ctx context.Context, batch []Write) error {
	for i := range batch {
		w := &batch[i]
		if err := t.put(ctx, w); err != nil {
			return fmt.Errorf("row %d: %w", w.Row, err)
		}
	}
	return nil
}

func (t *ImportTx) put(ctx context.Context, w *Write) error {
	db := t.db
	for _, f := range w.Findings {
		if _, err := t.tx.ExecContext(ctx, db.q(`INSERT INTO import_findings (import_id, row_num, record_id, rule, severity, column_name, value, detail) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`),
			t.id, w.Row, w.Record.RecordID, f.Rule, string(f.Severity), f.Column, f.Value, f.Detail); err != nil {
			return db.err(err)
		}
	}
	if !w.Store {
		return nil
	}
	r := &w.Record
	blocking := 0
	if register.HasBlocking(w.Findings) {
		blocking = 1
	}
	key := register.ClientKey(r)
	if w.Prev == nil {
		args := append(anys(r.Values()), key, blocking, t.id, t.id, t.now, t.now)
		if _, err := t.tx.ExecContext(ctx, db.q(insertRecord), args...); err != nil {
			return db.err(err)
		}
	} else {
		version := w.Prev.Version + 1
		args := append(anys(r.Values()[1:]), key, blocking, version, t.id, t.now, r.RecordID)
		if _, err := t.tx.ExecContext(ctx, db.q(updateRecord), args...); err != nil {
			return db.err(err)
		}
		for _, c := range r.Diff(&w.Prev.Record) {
			if _, err := t.tx.ExecContext(ctx, db.q(`INSERT INTO corrections (record_id, import_id, version, column_name, old_value, new_value, changed_at, changed_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`),
				r.RecordID, t.id, version, c.Column, c.Old, c.New, t.now, t.by); err != nil {
				return db.err(err)
			}
		}
		if _, err := t.tx.ExecContext(ctx, db.q(`DELETE FROM record_findings WHERE record_id = ?`), r.RecordID); err != nil {
			return db.err(err)
		}
	}
	for _, f := range w.Findings {
		if _, err := t.tx.ExecContext(ctx, db.q(`INSERT INTO record_findings (record_id, rule, severity, column_name, value, detail) VALUES (?, ?, ?, ?, ?, ?)`),
			r.RecordID, f.Rule, string(f.Severity), f.Column, f.Value, f.Detail); err != nil {
			return db.err(err)
		}
	}
	if blocking == 0 {
		if _, err := t.tx.ExecContext(ctx, db.q(`INSERT INTO clients (client_key, full_name) VALUES (?, ?) ON CONFLICT (client_key) DO NOTHING`), key, r.ClientFullName); err != nil {
			return db.err(err)
		}
	}
	return nil
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
	insertRecord  = `INSERT INTO records (` + recordColumns + `, client_key, blocking, first_import_id, last_import_id, first_seen_at, updated_at) VALUES (` + marks(len(register.Columns)+6) + `)`
	updateRecord  = func() string {
		var set []string
		for _, c := range register.Columns[1:] {
			set = append(set, c.Name+" = ?")
		}
		return `UPDATE records SET ` + strings.Join(set, ", ") + `, client_key = ?, blocking = ?, version = ?, last_import_id = ?, updated_at = ? WHERE record_id = ?`
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
