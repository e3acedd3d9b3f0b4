package store

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"

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
	// ThisImport means the import asking wrote this version, for an
	// earlier row of its file: the store, not the importer's memory, is
	// what tells a repeated record_id (see ingest).
	ThisImport bool
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
	// ClientKey is register.ClientKey of Record when the importer has
	// computed it already; "" means Put computes it.
	ClientKey string
	// KnownClient means the person's key is already in the clients table —
	// stored before, or written for an earlier row of this import — so Put
	// need not write the spelling again (the first one stays in any case).
	KnownClient bool
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
	sha256   string
	// hadRecords and hadClients: the tables held rows when the import
	// began. When they did not, nothing stored can match a row of the file
	// but what the import itself wrote.
	hadRecords, hadClients bool
	// changed is what the import wrote, for the change log.
	changed changeSet
	// group is the shared transaction the import is part of, if it is
	// (see Group): then its commit and rollback are those of a savepoint.
	group *Group
	// row is the buffer of a new record's values on SQLite, used again for
	// every row.
	row []any
	// begun: on SQLite, Put has set the import's page cache and, into
	// an empty register, dropped the indexes of records to build them once
	// it has written the rows (see deferIndexes); rebuild holds their
	// definitions until then.
	begun   bool
	rebuild []string
	// restore are the statements that set the connection's pragmas back
	// as they were before the import.
	restore []string
}

// writer runs the statements of one transaction, each prepared once:
// parsing the SQL again for every row costs more than executing it.
type writer struct {
	db    *DB
	tx    *sql.Tx
	stmts map[string]*sql.Stmt
	// conn is the connection the transaction runs on, when the writer holds
	// one of its own (an import): Put writes through the driver's own
	// connection — COPY on PostgreSQL, statements without database/sql's
	// per-call work on SQLite — and database/sql gives it only through a
	// *sql.Conn.
	conn *sql.Conn
}

func newWriter(db *DB, tx *sql.Tx) *writer {
	return &writer{db: db, tx: tx, stmts: map[string]*sql.Stmt{}}
}

// BeginImport starts an import transaction and records the delivery.
func (db *DB) BeginImport(ctx context.Context, meta ImportMeta) (*ImportTx, error) {
	var (
		conn *sql.Conn
		tx   *sql.Tx
		err  error
	)
	// Before the transaction takes the writer's connection: preparing
	// needs one.
	if err := db.keepWriteStatements(ctx); err != nil {
		return nil, fmt.Errorf("begin import: %w", db.err(err))
	}
	// A connection of its own, so that Put can use the driver's.
	if conn, err = db.w.Conn(ctx); err == nil {
		if tx, err = conn.BeginTx(ctx, nil); err != nil {
			conn.Close()
		}
	}
	if err != nil {
		return nil, fmt.Errorf("begin import: %w", db.err(err))
	}
	w := newWriter(db, tx)
	w.conn = conn
	t, err := db.startImport(ctx, w, meta)
	if err != nil {
		t.Rollback()
		return nil, err
	}
	return t, nil
}

// startImport records the delivery in the transaction of w.
func (db *DB) startImport(ctx context.Context, w *writer, meta ImportMeta) (*ImportTx, error) {
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
	t := &ImportTx{writer: w, now: now, by: meta.By, received: meta.ReceivedAt, sha256: meta.SHA256}
	args := []any{meta.FileName, meta.SHA256, meta.Kind, now, now, meta.By, meta.Month, meta.ReceivedAt, meta.DueDate}
	var err error
	if db.dialect.dollar {
		var st *sql.Stmt
		if st, err = t.stmt(ctx, insertImport+` RETURNING id`); err == nil {
			err = st.QueryRowContext(ctx, args...).Scan(&t.id)
		}
	} else {
		// SQLite gives the new row's id without RETURNING, which costs it
		// a temporary table for the one row.
		var st *sql.Stmt
		var res sql.Result
		if st, err = t.stmt(ctx, insertImport); err == nil {
			if res, err = st.ExecContext(ctx, args...); err == nil {
				t.id, err = res.LastInsertId()
			}
		}
	}
	if err == nil {
		t.hadRecords, t.hadClients, err = db.tablesHaveRows(ctx, t)
	}
	if err != nil {
		return t, fmt.Errorf("begin import: %w", db.err(err))
	}
	if meta.Month != "" {
		t.inCycle = 1
	}
	return t, nil
}

// EmptyAtStart reports whether the records and the clients tables were
// empty when the import began. Then Existing and ClientNames can only find
// what this import wrote, which an importer that remembers its own rows
// need not look up.
func (t *ImportTx) EmptyAtStart() (records, clients bool) { return !t.hadRecords, !t.hadClients }

// SetSHA256 sets the digest of the delivered file, recorded at Commit: an
// importer that hashes the file while reading it knows it only at the end.
func (t *ImportTx) SetSHA256(sum string) { t.sha256 = sum }

func (t *writer) exec(ctx context.Context, query string, args ...any) error {
	st, err := t.stmt(ctx, query)
	if err != nil {
		return err
	}
	_, err = st.ExecContext(ctx, args...)
	return t.db.err(err)
}

// stmt returns query prepared in the transaction, preparing it the first
// time (or binding the statement the database keeps prepared).
func (t *writer) stmt(ctx context.Context, query string) (*sql.Stmt, error) {
	st, ok := t.stmts[query]
	if !ok {
		var err error
		if st, err = t.db.txStmt(ctx, t.tx, t.db.q(query)); err != nil {
			return nil, t.db.err(err)
		}
		t.stmts[query] = st
	}
	return st, nil
}

// ID is the import's number.
func (t *ImportTx) ID() int64 { return t.id }

// Existing returns the stored versions of the records with the given ids.
func (t *ImportTx) Existing(ctx context.Context, ids []string) (map[string]*Stored, error) {
	out := make(map[string]*Stored, len(ids))
	for chunk := range chunks(ids, lookupChunk) {
		st, err := t.stmt(ctx, existingRecords(len(chunk)))
		if err != nil {
			return nil, fmt.Errorf("existing records: %w", err)
		}
		rows, err := st.QueryContext(ctx, padded(chunk)...)
		if err != nil {
			return nil, fmt.Errorf("existing records: %w", t.db.err(err))
		}
		for rows.Next() {
			s := &Stored{}
			var blocking int
			var last int64
			if err := rows.Scan(append(recordDest(&s.Record), &blocking, &s.Version, &last)...); err != nil {
				rows.Close()
				return nil, fmt.Errorf("existing records: %w", err)
			}
			s.Blocking, s.ThisImport = blocking != 0, last == t.id
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
	for chunk := range chunks(keys, lookupChunk) {
		st, err := t.stmt(ctx, clientNames(len(chunk)))
		if err != nil {
			return nil, fmt.Errorf("client names: %w", err)
		}
		rows, err := st.QueryContext(ctx, padded(chunk)...)
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

// The tables Put writes, with their columns.
var (
	importFindingColumns = []string{"import_id", "row_num", "record_id", "rule", "severity", "column_name", "value", "detail"}
	newRecordColumns     = append(register.ColumnNames(), "client_key", "blocking", "first_import_id", "last_import_id", "first_seen_at", "updated_at", "arrived_at", "in_cycle")
	recordFindingColumns = []string{"record_id", "rule", "severity", "column_name", "value", "detail"}
)

// Put writes a batch of rows: new and corrected records with their findings
// and correction history, new client spellings, and every row's findings
// in the import's problem list.
//
// How rows go in is what an import's speed depends on, and the engines want
// opposite things. SQLite runs in the process: a single-row INSERT prepared
// once costs no round trip, and unlike a multi-row INSERT it needs no
// statement journal (SQLite keeps one for every statement that changes
// several rows inside a transaction, in case it fails half-way), so each
// row is executed as it comes. PostgreSQL is across a socket: new records
// and findings go in with COPY, the bulk-load protocol, one per batch and
// table, and the few other statements are multi-row.
func (t *ImportTx) Put(ctx context.Context, batch []Write) error {
	if t.db.dialect.dollar {
		return t.putCopy(ctx, batch)
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	// The rows are executed with a context that cannot be cancelled: for
	// one that can, the driver starts a goroutine per statement to watch
	// it, which cost more than many of the INSERTs. A cancelled import
	// stops at the end of the batch.
	ctx = context.WithoutCancel(ctx)
	if t.conn == nil {
		// An import of a group (a few records of an API write): through
		// the statements the writer keeps prepared.
		return t.putRows(ctx, t.exec, batch)
	}
	if !t.begun {
		if err := t.begin(ctx); err != nil {
			return err
		}
	}
	return t.db.err(t.conn.Raw(func(dc any) error {
		x, err := newRawExec(dc)
		if err != nil {
			return err
		}
		defer x.close()
		return t.putRows(ctx, x.exec, batch)
	}))
}

// putRows writes a batch on SQLite, one statement at a time, each run by
// exec.
func (t *ImportTx) putRows(ctx context.Context, exec func(ctx context.Context, query string, args ...any) error, batch []Write) error {
	for i := range batch {
		w := &batch[i]
		if err := t.putRow(ctx, exec, w); err != nil {
			return fmt.Errorf("row %d: %w", w.Row, err)
		}
	}
	return nil
}

// deferIndexes drops the indexes of records, but its primary key, for
// Commit to build again once every row is in. An import into an empty
// register is the first load of a deployment's history, its largest:
// inserting a million rows into each index one by one, in no order, costs
// far more than building the index once from the finished table (SQLite
// sorts the keys), and the more so as the indexes outgrow the page cache.
// The drop is part of the import's transaction, so a failed import leaves
// the indexes as they were; readers go on seeing the register as it was,
// indexes and all, until Commit. Only on SQLite: on PostgreSQL dropping an
// index locks the table against every reader until the commit.
func (t *ImportTx) deferIndexes(ctx context.Context) error {
	rows, err := t.tx.QueryContext(ctx, `SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = 'records' AND sql IS NOT NULL ORDER BY name`)
	if err != nil {
		return fmt.Errorf("defer indexes: %w", t.db.err(err))
	}
	var names []string
	for rows.Next() {
		var name, def string
		if err := rows.Scan(&name, &def); err != nil {
			rows.Close()
			return fmt.Errorf("defer indexes: %w", err)
		}
		names, t.rebuild = append(names, name), append(t.rebuild, def)
	}
	if err := rows.Close(); err != nil {
		return fmt.Errorf("defer indexes: %w", t.db.err(err))
	}
	for _, name := range names {
		if _, err := t.tx.ExecContext(ctx, `DROP INDEX "`+name+`"`); err != nil {
			return fmt.Errorf("defer indexes: %w", t.db.err(err))
		}
	}
	return nil
}

// begin readies the import's connection on SQLite for its first rows.
// Into an empty register: a small page cache, and the indexes deferred.
// Into one with records the connection keeps its own cache (64 MB): every
// row goes into the indexes at places all over them. A 1M-row file into a
// register of 1M (2026-12-07, load about 3): with the cache at 1% of the
// file (16 MB) 127 s and 121 s of processor, 75 MB peak; at 64 MB 107 s
// and 103 s, 185 MB; at 128 MB no faster (109 s, 103 s) and 312 MB.
func (t *ImportTx) begin(ctx context.Context) error {
	t.begun = true
	if t.hadRecords {
		return nil
	}
	if err := t.setPragma(ctx, "cache_size", strconv.Itoa(importCacheSize)); err != nil {
		return fmt.Errorf("import page cache: %w", err)
	}
	return t.deferIndexes(ctx)
}

// buildIndexes builds the indexes deferIndexes dropped. SQLite sorts the
// keys of each in temporary files, which the connection keeps in memory
// (temp_store): a million records' keys would take hundreds of megabytes
// there, so for the build they go to disk.
func (t *ImportTx) buildIndexes(ctx context.Context) error {
	if len(t.rebuild) == 0 {
		return nil
	}
	if err := t.setPragma(ctx, "temp_store", "FILE"); err != nil {
		return err
	}
	for _, def := range t.rebuild {
		if _, err := t.tx.ExecContext(ctx, def); err != nil {
			return fmt.Errorf("build index: %w", err)
		}
	}
	return nil
}

// importCacheSize is the page cache of an import into an empty register
// on SQLite, in KiB (negative, as PRAGMA cache_size takes it). The
// connection keeps 64 MB for queries, and the driver's allocator gives
// each 4 KiB page 8 KiB: that cache cost an import 130 MB. Into an empty
// register rows go to the end of the table and the indexes are built by
// sorting: measured on a million rows, 8 MB imports as fast as 64 MB.
const importCacheSize = -8192

// setPragma sets a pragma of the import's connection for the rest of the
// import; release sets it back to what it was.
func (t *ImportTx) setPragma(ctx context.Context, name, value string) error {
	var was string
	if err := t.tx.QueryRowContext(ctx, `PRAGMA `+name).Scan(&was); err != nil {
		return err
	}
	if _, err := t.tx.ExecContext(ctx, `PRAGMA `+name+` = `+value); err != nil {
		return err
	}
	t.restore = append(t.restore, `PRAGMA `+name+` = `+was)
	return nil
}

// The single-row INSERTs of putRow, the same text as the writer keeps
// prepared (keepWriteStatements).
var (
	insertImportFinding = insertRow("import_findings", importFindingColumns, "")
	insertRecord        = insertRow("records", newRecordColumns, "")
	insertRecordFinding = insertRow("record_findings", recordFindingColumns, "")
	insertClient        = insertRow("clients", clientColumns, clientSuffix)
)

// putRow writes one row on SQLite.
func (t *ImportTx) putRow(ctx context.Context, exec func(ctx context.Context, query string, args ...any) error, w *Write) error {
	r := &w.Record
	for _, f := range w.Findings {
		if err := exec(ctx, insertImportFinding, t.id, w.Row, r.RecordID, f.Rule, string(f.Severity), f.Column, f.Value, f.Detail); err != nil {
			return fmt.Errorf("write import_findings: %w", err)
		}
	}
	if !w.Store {
		return nil
	}
	t.changed.wrote(r)
	key, blocking := w.key(), w.blocking()
	if w.Prev == nil {
		t.row = t.newRecordRow(t.row[:0], r, key, blocking)
		if err := exec(ctx, insertRecord, t.row...); err != nil {
			return fmt.Errorf("write records: %w", err)
		}
	} else if err := t.update(ctx, exec, w, key, blocking); err != nil {
		return err
	}
	for _, f := range w.Findings {
		if err := exec(ctx, insertRecordFinding, r.RecordID, f.Rule, string(f.Severity), f.Column, f.Value, f.Detail); err != nil {
			return fmt.Errorf("write record_findings: %w", err)
		}
	}
	if blocking == 0 && !w.KnownClient {
		if err := exec(ctx, insertClient, key, r.ClientFullName); err != nil {
			return fmt.Errorf("write clients: %w", err)
		}
	}
	return nil
}

// rawExec runs statements on the driver's connection of an import on
// SQLite, inside its transaction. Going around database/sql saves what it
// does on every call — find the connection, lock it, copy and check every
// argument into a new slice — a few percent of an import's time and a
// third of its allocations; the statements are prepared once per batch,
// and the arguments' slice is used again for every statement.
type rawExec struct {
	conn  driver.ConnPrepareContext
	stmts map[string]driver.Stmt
	args  []driver.NamedValue
}

func newRawExec(dc any) (*rawExec, error) {
	conn, ok := dc.(driver.ConnPrepareContext)
	if !ok {
		return nil, fmt.Errorf("store: driver connection %T cannot prepare statements", dc)
	}
	return &rawExec{conn: conn, stmts: map[string]driver.Stmt{}}, nil
}

// exec runs query with args: strings, int64, or int (which database/sql
// would convert, and the driver does not take).
func (x *rawExec) exec(ctx context.Context, query string, args ...any) error {
	st, ok := x.stmts[query]
	if !ok {
		var err error
		if st, err = x.conn.PrepareContext(ctx, query); err != nil {
			return err
		}
		x.stmts[query] = st
	}
	x.args = x.args[:0]
	for i, a := range args {
		if n, ok := a.(int); ok {
			a = int64(n)
		}
		x.args = append(x.args, driver.NamedValue{Ordinal: i + 1, Value: a})
	}
	_, err := st.(driver.StmtExecContext).ExecContext(ctx, x.args)
	return err
}

func (x *rawExec) close() {
	for _, st := range x.stmts {
		st.Close()
	}
}

// newRecordRow appends the row of newRecordColumns for a new record to
// row.
func (t *ImportTx) newRecordRow(row []any, r *register.Record, key string, blocking int) []any {
	for _, c := range register.Columns {
		row = append(row, c.Get(r))
	}
	return append(row, key, blocking, t.id, t.id, t.now, t.now, t.received, t.inCycle)
}

// putCopy writes a batch on PostgreSQL: COPY for the new records and the
// findings, which are nearly all of the rows.
func (t *ImportTx) putCopy(ctx context.Context, batch []Write) error {
	var importFindings, newRecords, recordFindings, clients [][]any
	for i := range batch {
		w := &batch[i]
		r := &w.Record
		for _, f := range w.Findings {
			importFindings = append(importFindings, []any{t.id, w.Row, r.RecordID, f.Rule, string(f.Severity), f.Column, f.Value, f.Detail})
		}
		if !w.Store {
			continue
		}
		t.changed.wrote(r)
		key, blocking := w.key(), w.blocking()
		if w.Prev == nil {
			newRecords = append(newRecords, t.newRecordRow(make([]any, 0, len(newRecordColumns)), r, key, blocking))
		} else if err := t.update(ctx, t.exec, w, key, blocking); err != nil {
			return fmt.Errorf("row %d: %w", w.Row, err)
		}
		for _, f := range w.Findings {
			recordFindings = append(recordFindings, []any{r.RecordID, f.Rule, string(f.Severity), f.Column, f.Value, f.Detail})
		}
		if blocking == 0 && !w.KnownClient {
			clients = append(clients, []any{key, r.ClientFullName})
		}
	}
	// Records before their findings, which refer to them.
	for _, c := range []struct {
		table string
		cols  []string
		rows  [][]any
	}{
		{"import_findings", importFindingColumns, importFindings},
		{"records", newRecordColumns, newRecords},
		{"record_findings", recordFindingColumns, recordFindings},
	} {
		if err := t.loadRows(ctx, c.table, c.cols, c.rows); err != nil {
			return fmt.Errorf("write %s: %w", c.table, err)
		}
	}
	// COPY cannot skip a person already known; a multi-row INSERT can.
	if err := t.insertMany(ctx, "clients", "client_key, full_name", clientSuffix, clients); err != nil {
		return fmt.Errorf("write clients: %w", err)
	}
	return nil
}

// loadRows loads rows into table on the transaction's connection: with
// COPY, the bulk-load protocol, but a single row (an API write of one
// record) with the one-row INSERT the writer keeps prepared, which is one
// round trip where COPY takes two (the statement, then the data).
func (t *writer) loadRows(ctx context.Context, table string, cols []string, rows [][]any) error {
	switch len(rows) {
	case 0:
		return nil
	case 1:
		return t.insertMany(ctx, table, strings.Join(cols, ", "), "", rows)
	}
	return t.db.err(withPgx(t.conn, func(c *pgx.Conn) error {
		_, err := c.CopyFrom(ctx, pgx.Identifier{table}, cols, pgx.CopyFromRows(rows))
		return err
	}))
}

// withPgx runs fn with the pgx connection under conn, for what
// database/sql cannot say: COPY, pipelines, statements prepared by name.
func withPgx(conn *sql.Conn, fn func(*pgx.Conn) error) error {
	return conn.Raw(func(dc any) error {
		c, ok := dc.(*stdlib.Conn)
		if !ok {
			return fmt.Errorf("a PostgreSQL connection through pgx is needed, not %T", dc)
		}
		return fn(c.Conn())
	})
}

func (w *Write) key() string {
	if w.ClientKey != "" {
		return w.ClientKey
	}
	return register.ClientKey(&w.Record)
}

func (w *Write) blocking() int {
	if register.HasBlocking(w.Findings) {
		return 1
	}
	return 0
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
	for chunk := range chunks(rows, per) {
		query := insertValues(table, cols, suffix, len(rows[0]), len(chunk))
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
// changed column, with exec running each statement.
func (t *ImportTx) update(ctx context.Context, exec func(ctx context.Context, query string, args ...any) error, w *Write, key string, blocking int) error {
	r := &w.Record
	version := w.Prev.Version + 1
	// A blocking record made valid is fixed when the correction arrived:
	// whether that was within the correction window decides if it counts.
	fixed := ""
	if w.Prev.Blocking && blocking == 0 {
		fixed = t.received
	}
	args := append(anys(r.Values()[1:]), key, blocking, version, t.id, t.now, fixed, fixed, r.RecordID)
	if err := exec(ctx, updateRecord, args...); err != nil {
		return err
	}
	for _, c := range r.Diff(&w.Prev.Record) {
		if err := exec(ctx, insertCorrection,
			r.RecordID, t.id, version, c.Column, c.Old, c.New, t.now, t.by); err != nil {
			return err
		}
	}
	return exec(ctx, deleteRecordFindings, r.RecordID)
}

// Commit records the summary and makes the import visible.
func (t *ImportTx) Commit(ctx context.Context, s ImportSummary) error {
	if err := t.buildIndexes(ctx); err != nil {
		t.Rollback()
		return fmt.Errorf("commit import: %w", t.db.err(err))
	}
	err := t.exec(ctx, finishImport,
		time.Now().UTC().Format(time.RFC3339Nano), t.sha256, s.RowsRead, s.Accepted, s.Warned, s.Rejected, s.Unchanged, s.Corrected, t.id)
	if err == nil && t.group != nil {
		// The group logs the changes of all its imports at its commit.
		t.group.log = append(t.group.log, t.changed.rows()...)
		return t.group.release()
	}
	var logged bool
	if err == nil {
		logged, err = t.db.logChanges(ctx, t.tx, &t.changed)
	}
	if err != nil {
		t.Rollback()
		return fmt.Errorf("commit import: %w", t.db.err(err))
	}
	err = t.tx.Commit()
	t.release()
	if err == nil && logged {
		t.db.changes.Add(1)
	}
	return t.db.err(err)
}

// Rollback abandons the import: the database is left as it was.
func (t *ImportTx) Rollback() error {
	if t.group != nil {
		return t.group.rollbackTo()
	}
	err := t.tx.Rollback()
	t.release()
	return err
}

// release returns the import's own connection, if it has one, to the pool,
// with the pragmas the import changed set back.
func (t *ImportTx) release() {
	if t.conn != nil {
		for _, q := range t.restore {
			// Should this fail, the connection keeps the import's cache
			// size or temporary files: slower queries, not wrong ones.
			t.conn.ExecContext(context.Background(), q)
		}
		t.conn.Close()
	}
}

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
