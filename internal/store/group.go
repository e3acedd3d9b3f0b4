package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
)

// Group is one write transaction shared by several imports that arrived
// together — API writes, each a few records — committed at once (group
// commit). Each import runs inside a savepoint of its own, so it is kept or
// rolled back whole as if it had its own transaction; none of them is
// visible, or durable, before Commit, and if Commit fails none of them
// happened.
//
// SQLite has one writer at a time. A transaction of its own per API write
// costs a BEGIN, a COMMIT that writes every page it touched to the
// write-ahead log, and the hand-over of the writer's one connection from
// one request's goroutine to the next: most of the time of a small write,
// and the hand-over is slow when the machine is busy. A group pays them
// once for all its imports.
//
// PostgreSQL runs transactions side by side, but every write that names
// records in the change log takes the log's lock at its end and holds it
// through its commit (see logChanges): one write at a time there, three
// round trips each (LOCK, INSERT, COMMIT), which bounded API writes to
// about 1,400 a second. A group logs the changes of all its imports at its
// commit, taking the lock once.
//
// Only the goroutine that began a group may use it, and it must not use
// the database's writer otherwise until the group ends: on SQLite it holds
// the writer's connection.
type Group struct {
	db     *DB
	w      *writer
	broken error // a savepoint that could not be undone: Commit fails
	open   bool  // an import's savepoint is open
	// On PostgreSQL every statement is a round trip, so savepoints are
	// spared where they can be. kept: the savepoint of the last import
	// kept is released with the next import's SAVEPOINT, in one round
	// trip, or by the commit. empty: the transaction holds no import yet,
	// so the next one runs without a savepoint (bare): should it fail,
	// the transaction is begun again, at no loss — under light load most
	// groups are of one import.
	kept, empty, bare bool
	// log is the change log of the imports kept, written at Commit; mark
	// is its length when the open import began.
	log  [][]any
	mark int
}

// BeginGroup starts a group of imports.
func (db *DB) BeginGroup(ctx context.Context) (*Group, error) {
	// Before the transaction takes the writer's connection: preparing
	// needs one.
	if err := db.keepWriteStatements(ctx); err != nil {
		return nil, fmt.Errorf("begin group: %w", db.err(err))
	}
	var (
		conn *sql.Conn
		tx   *sql.Tx
		err  error
	)
	if db.dialect.dollar {
		// A connection of its own: an import's Put loads new records with
		// COPY, which needs the driver's connection.
		if conn, err = db.w.Conn(ctx); err == nil {
			if err = prepareLog(ctx, conn); err == nil {
				tx, err = conn.BeginTx(ctx, nil)
			}
			if err != nil {
				conn.Close()
			}
		}
	} else {
		// Not on SQLite, where an import with a connection of its own
		// writes through the driver's and may drop the indexes of an empty
		// register (see ImportTx.Put): the savepoints' statements go
		// through the writer's kept ones.
		tx, err = db.w.BeginTx(ctx, nil)
	}
	if err != nil {
		return nil, fmt.Errorf("begin group: %w", db.err(err))
	}
	g := &Group{db: db, w: newWriter(db, tx), empty: conn != nil}
	g.w.conn = conn
	return g, nil
}

// BeginImport starts an import in the group; its Commit and Rollback
// release or undo its savepoint. The imports of a group run one after the
// other.
func (g *Group) BeginImport(ctx context.Context, meta ImportMeta) (*ImportTx, error) {
	if g.open {
		return nil, errors.New("begin import: the group's previous import has not ended")
	}
	if g.broken != nil {
		return nil, fmt.Errorf("begin import: %w", g.broken)
	}
	g.bare = g.empty
	if !g.bare {
		q := `SAVEPOINT import`
		if g.kept {
			q = `RELEASE import; SAVEPOINT import`
		}
		if err := g.exec(ctx, q); err != nil {
			if g.kept {
				g.broken = errors.Join(g.broken, err)
			}
			return nil, fmt.Errorf("begin import: %w", err)
		}
	}
	g.open, g.kept, g.mark = true, false, len(g.log)
	t, err := g.db.startImport(ctx, g.w, meta)
	t.group = g
	if err != nil {
		t.Rollback()
		return nil, err
	}
	return t, nil
}

// release keeps the work of the import in progress; its change log rows
// are in g.log already.
func (g *Group) release() error {
	if g.db.dialect.dollar {
		// A round trip saved: RELEASE goes with the next SAVEPOINT, and
		// COMMIT releases the last one.
		g.open, g.kept, g.empty, g.bare = false, !g.bare, false, false
		return nil
	}
	if err := g.exec(context.Background(), `RELEASE import`); err != nil {
		// Whether the savepoint's work is in the transaction or not is
		// unknown: the group must not commit.
		g.broken = errors.Join(g.broken, err)
		return fmt.Errorf("commit import: %w", err)
	}
	g.open = false
	return nil
}

// rollbackTo undoes the work of the import in progress, and only it.
func (g *Group) rollbackTo() error {
	g.log = g.log[:g.mark]
	var err error
	if g.bare {
		err = g.restart()
	} else if g.db.dialect.dollar {
		err = g.exec(context.Background(), `ROLLBACK TO import; RELEASE import`)
	} else if err = g.exec(context.Background(), `ROLLBACK TO import`); err == nil {
		err = g.exec(context.Background(), `RELEASE import`)
	}
	if err != nil {
		g.broken = errors.Join(g.broken, err)
		return err
	}
	g.open = false
	return nil
}

// restart undoes a bare import (see Group.bare) with the transaction it
// was the first of, and begins the group's transaction again on the same
// connection.
func (g *Group) restart() error {
	g.bare = false
	err := g.w.tx.Rollback()
	var tx *sql.Tx
	if err == nil {
		tx, err = g.w.conn.BeginTx(context.Background(), nil)
	}
	if err != nil {
		return fmt.Errorf("begin the group again: %w", g.db.err(err))
	}
	// The statements bound to the old transaction ended with it.
	g.w.tx, g.w.stmts = tx, map[string]*sql.Stmt{}
	return nil
}

// exec runs a savepoint statement. They run without the caller's context:
// SQLite answers an interrupted statement inside a transaction by rolling
// back the whole transaction — every import of the group.
func (g *Group) exec(ctx context.Context, query string) error {
	_, err := g.w.tx.ExecContext(ctx, query)
	return g.db.err(err)
}

// Commit commits the imports the group kept. It fails, and nothing of the
// group is kept, if an import's savepoint could not be released or undone,
// or if one is still open.
func (g *Group) Commit() error {
	defer g.end()
	if g.open {
		g.broken = errors.Join(g.broken, errors.New("an import of the group has not ended"))
	}
	if g.broken != nil {
		g.w.tx.Rollback()
		return fmt.Errorf("commit group: %w", g.broken)
	}
	ctx := context.Background()
	if err := g.db.writeLog(ctx, g.w, g.log); err != nil {
		g.w.tx.Rollback()
		return fmt.Errorf("commit group: %w", err)
	}
	if err := g.w.tx.Commit(); err != nil {
		return fmt.Errorf("commit group: %w", g.db.err(err))
	}
	if len(g.log) > 0 {
		g.db.changes.Add(1)
	}
	return nil
}

// Rollback abandons the group: nothing of it is kept.
func (g *Group) Rollback() error {
	defer g.end()
	err := g.w.tx.Rollback()
	if errors.Is(err, sql.ErrTxDone) {
		return nil
	}
	return err
}

// end forgets the group and returns its connection, if it has one.
func (g *Group) end() {
	if g.w.conn != nil {
		g.w.conn.Close()
		g.w.conn = nil
	}
}
