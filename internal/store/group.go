package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
)

// Group is one SQLite write transaction shared by several imports that
// arrived together — API writes, each a few records — committed at once
// (group commit). Each import runs inside a savepoint of its own, so it is
// kept or rolled back whole as if it had its own transaction; none of them
// is visible, or durable, before Commit, and if Commit fails none of them
// happened.
//
// SQLite has one writer at a time. A transaction of its own per API write
// costs a BEGIN, a COMMIT that writes every page it touched to the
// write-ahead log, and the hand-over of the writer's one connection from
// one request's goroutine to the next: most of the time of a small write,
// and the hand-over is slow when the machine is busy. A group pays them
// once for all its imports.
//
// Only the goroutine that began a group may use it, and it must not use
// the database's writer otherwise until the group ends: it holds the
// writer's connection.
type Group struct {
	db     *DB
	w      *writer
	logged bool  // an import of the group wrote to the change log
	broken error // a savepoint that could not be undone: Commit fails
	open   bool  // an import's savepoint is open
}

// GroupCommits reports whether the engine gains from grouping writes:
// SQLite, with its one writer. PostgreSQL runs concurrent transactions
// side by side.
func (db *DB) GroupCommits() bool { return !db.dialect.dollar }

// BeginGroup starts a group of imports.
func (db *DB) BeginGroup(ctx context.Context) (*Group, error) {
	if !db.GroupCommits() {
		return nil, errors.New("begin group: only on SQLite")
	}
	// Before the transaction takes the writer's connection: preparing
	// needs one.
	if err := db.keepWriteStatements(ctx); err != nil {
		return nil, fmt.Errorf("begin group: %w", db.err(err))
	}
	tx, err := db.w.BeginTx(ctx, nil)
	if err != nil {
		return nil, fmt.Errorf("begin group: %w", db.err(err))
	}
	return &Group{db: db, w: newWriter(db, tx)}, nil
}

// BeginImport starts an import in the group; its Commit and Rollback
// release or undo its savepoint. The imports of a group run one after the
// other.
func (g *Group) BeginImport(ctx context.Context, meta ImportMeta) (*ImportTx, error) {
	if g.open {
		return nil, errors.New("begin import: the group's previous import has not ended")
	}
	if err := g.exec(ctx, `SAVEPOINT import`); err != nil {
		return nil, fmt.Errorf("begin import: %w", err)
	}
	g.open = true
	t, err := g.db.startImport(ctx, g.w, meta)
	t.group = g
	if err != nil {
		t.Rollback()
		return nil, err
	}
	return t, nil
}

// release keeps the work of the import in progress.
func (g *Group) release(logged bool) error {
	if err := g.exec(context.Background(), `RELEASE import`); err != nil {
		// Whether the savepoint's work is in the transaction or not is
		// unknown: the group must not commit.
		g.broken = errors.Join(g.broken, err)
		return fmt.Errorf("commit import: %w", err)
	}
	g.open = false
	g.logged = g.logged || logged
	return nil
}

// rollbackTo undoes the work of the import in progress, and only it.
func (g *Group) rollbackTo() error {
	err := g.exec(context.Background(), `ROLLBACK TO import`)
	if err == nil {
		err = g.exec(context.Background(), `RELEASE import`)
	}
	if err != nil {
		g.broken = errors.Join(g.broken, err)
		return err
	}
	g.open = false
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
	if g.open {
		g.broken = errors.Join(g.broken, errors.New("an import of the group has not ended"))
	}
	if g.broken != nil {
		g.w.tx.Rollback()
		return fmt.Errorf("commit group: %w", g.broken)
	}
	if err := g.w.tx.Commit(); err != nil {
		return fmt.Errorf("commit group: %w", g.db.err(err))
	}
	if g.logged {
		g.db.changes.Add(1)
	}
	return nil
}

// Rollback abandons the group: nothing of it is kept.
func (g *Group) Rollback() error {
	err := g.w.tx.Rollback()
	if errors.Is(err, sql.ErrTxDone) {
		return nil
	}
	return err
}
