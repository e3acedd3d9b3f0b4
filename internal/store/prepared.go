package store

import (
	"context"
	"database/sql"
	"strings"
	"sync"
)

// prepared keeps statements prepared for the life of a pool. Parsing and
// planning the SQL cost more than running it for the small statements of a
// request (a token's user, the few rows of one API write): under load a
// third of the server's time went to SQLite parsing the same statements
// again. database/sql prepares a kept statement on each connection that
// runs it, the first time it does.
type prepared struct {
	pool  *sql.DB
	mu    sync.Mutex
	stmts map[string]*sql.Stmt
}

func newPrepared(pool *sql.DB) *prepared {
	return &prepared{pool: pool, stmts: map[string]*sql.Stmt{}}
}

// kept returns the kept statement of query, or nil.
func (p *prepared) kept(query string) *sql.Stmt {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.stmts[query]
}

// keep prepares the queries not kept yet. It takes a connection of the
// pool to do so, so it must not be called by a goroutine that holds one
// (in a transaction on SQLite's single writer connection it would wait for
// itself); the lock is not held meanwhile, for the same reason.
func (p *prepared) keep(ctx context.Context, queries ...string) error {
	for _, q := range queries {
		if p.kept(q) != nil {
			continue
		}
		st, err := p.pool.PrepareContext(ctx, q)
		if err != nil {
			return err
		}
		p.mu.Lock()
		if p.stmts[q] == nil {
			p.stmts[q] = st
			st = nil
		}
		p.mu.Unlock()
		if st != nil { // another goroutine kept it first
			st.Close()
		}
	}
	return nil
}

// close closes the kept statements.
func (p *prepared) close() {
	p.mu.Lock()
	defer p.mu.Unlock()
	for q, st := range p.stmts {
		st.Close()
		delete(p.stmts, q)
	}
}

// queryRow runs a query of one row on the reader pool through its kept
// statement, preparing it the first time.
func (db *DB) queryRow(ctx context.Context, query string, args ...any) *sql.Row {
	query = db.q(query)
	if err := db.rstmts.keep(ctx, query); err != nil {
		// A statement that cannot be prepared fails the same way when
		// run, and Scan reports it.
		return db.r.QueryRowContext(ctx, query, args...)
	}
	return db.rstmts.kept(query).QueryRowContext(ctx, args...)
}

// txStmt returns query (already rewritten for the engine) for use in tx:
// the writer pool's kept statement bound to the transaction if there is
// one, else a statement prepared for this transaction alone. database/sql
// closes either when the transaction ends; closing a bound one leaves the
// kept statement prepared on its connection.
func (db *DB) txStmt(ctx context.Context, tx *sql.Tx, query string) (*sql.Stmt, error) {
	if st := db.wstmts.kept(query); st != nil {
		return tx.StmtContext(ctx, st), nil
	}
	return tx.PrepareContext(ctx, query)
}

// The statements of an import that the writer keeps prepared: all of an
// API write's, which are the same for every request.
const (
	insertImport = `INSERT INTO imports (file_name, file_sha256, kind, started_at, finished_at, imported_by, register_month, received_at, due_date)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`
	tablesEmpty = `SELECT CASE WHEN EXISTS (SELECT 1 FROM records) THEN 1 ELSE 0 END,
			CASE WHEN EXISTS (SELECT 1 FROM clients) THEN 1 ELSE 0 END`
	finishImport         = `UPDATE imports SET finished_at = ?, file_sha256 = ?, rows_read = ?, accepted = ?, warned = ?, rejected = ?, unchanged = ?, corrected = ? WHERE id = ?`
	insertCorrection     = `INSERT INTO corrections (record_id, import_id, version, column_name, old_value, new_value, changed_at, changed_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`
	deleteRecordFindings = `DELETE FROM record_findings WHERE record_id = ?`
	clientSuffix         = " ON CONFLICT (client_key) DO NOTHING"
)

var clientColumns = []string{"client_key", "full_name"}

// insertRow is the single-row INSERT into table.
func insertRow(table string, cols []string, suffix string) string {
	return insertValues(table, strings.Join(cols, ", "), suffix, len(cols), 1)
}

// insertValues is the INSERT of n rows of width values into table. The
// one-row text is insertRow's, so that insertMany of one row runs the
// statement the writer keeps prepared.
func insertValues(table, cols, suffix string, width, n int) string {
	one := "(" + marks(width) + ")"
	return `INSERT INTO ` + table + ` (` + cols + `) VALUES ` + strings.TrimSuffix(strings.Repeat(one+", ", n), ", ") + suffix
}

// lookupChunk is how many keys one look-up of an import asks for at most.
// A look-up of n keys is padded to the next power of two (repeating the
// last key, which IN does not mind), so that ten statements serve every n
// and can be kept prepared.
const lookupChunk = 512

func lookupSize(n int) int {
	size := 1
	for size < n {
		size *= 2
	}
	return size
}

func padded(keys []string) []any {
	out := make([]any, lookupSize(len(keys)))
	for i := range out {
		out[i] = keys[min(i, len(keys)-1)]
	}
	return out
}

func existingRecords(n int) string {
	return `SELECT ` + recordColumns + `, blocking, version, last_import_id FROM records WHERE record_id IN (` + marks(lookupSize(n)) + `)`
}

func clientNames(n int) string {
	return `SELECT client_key, full_name FROM clients WHERE client_key IN (` + marks(lookupSize(n)) + `)`
}

// keepWriteStatements prepares the import's statements on the writer the
// first time an import begins; it must run before the import takes the
// writer's connection.
func (db *DB) keepWriteStatements(ctx context.Context) error {
	if db.writeKept.Load() {
		return nil
	}
	queries := []string{insertImport, insertImport + ` RETURNING id`, tablesEmpty, finishImport, insertCorrection, deleteRecordFindings, updateRecord, insertChanges(1),
		insertRow("import_findings", importFindingColumns, ""),
		insertRow("records", newRecordColumns, ""),
		insertRow("record_findings", recordFindingColumns, ""),
		insertRow("clients", clientColumns, clientSuffix)}
	for n := 1; n <= lookupChunk; n *= 2 {
		queries = append(queries, existingRecords(n), clientNames(n))
	}
	for i, q := range queries {
		queries[i] = db.q(q)
	}
	if err := db.wstmts.keep(ctx, queries...); err != nil {
		return err
	}
	db.writeKept.Store(true)
	return nil
}

// tablesHaveRows reports whether the records and the clients tables held
// rows when the import t began (see ImportTx.EmptyAtStart). Once both have
// been seen to hold rows they are taken to, without asking again: esep
// never empties them, and if something did, an import would only look up
// rows it need not have looked up.
func (db *DB) tablesHaveRows(ctx context.Context, t *ImportTx) (records, clients bool, err error) {
	if db.tablesFilled.Load() {
		return true, true, nil
	}
	st, err := t.stmt(ctx, tablesEmpty)
	if err != nil {
		return false, false, err
	}
	var r, c int
	if err := st.QueryRowContext(ctx).Scan(&r, &c); err != nil {
		return false, false, err
	}
	if r != 0 && c != 0 {
		db.tablesFilled.Store(true)
	}
	return r != 0, c != 0, nil
}
