package store

import (
	"context"
	"errors"
	"fmt"
	"sync/atomic"
	"time"
)

// SQLite writes each transaction to its write-ahead log and copies the
// log back into the database file now and then (a checkpoint). By default
// the commit that takes the log past 1000 pages does the copy and waits
// for the disk (fsync) before its caller gets an answer, holding the one
// writer meanwhile. On a register of a million records an API write
// touches pages all over the file, the log fills every few hundred writes,
// and those checkpoints held every write behind them: under load they cost
// the server 40% of its write rate and put its 99th percentile at 200 ms.
//
// A server therefore checkpoints in the background: a goroutine copies
// what the log holds a few times a second (PASSIVE: it never waits for,
// or blocks, the writer or a reader), and the writer's own checkpoint,
// which also lets SQLite start the log again from its beginning, comes
// only every checkpointPages pages, when the background one has left it
// little to copy.
const (
	checkpointEvery = 250 * time.Millisecond
	// checkpointPages: at 64k pages (256 MiB) the writer's checkpoint came
	// every two seconds under one-record API writes on a register of 1M,
	// each holding every connection's request (write p99 46 ms); at 128k
	// pages, 20 ms (2026-12-07, writes only, 1M register).
	checkpointPages = 131072 // 512 MiB of log at 4 KiB pages
	// walSizeLimit is what the log file is cut back to when SQLite starts
	// it again: above the size the writer's checkpoint lets it reach, so
	// that under steady writes the file is written over, never cut and
	// grown again. Cut to 64 MiB, the log went 64 → 270 → 64 MB every two
	// seconds of one-record API writes, and each cut held the writer: all
	// eight connections' requests at once took 30-140 ms, and the writes'
	// 99th percentile was 54-65 ms; cut to 320 MiB (above 256 MiB), 17 and
	// 26 ms (100k register, writes only, 2026-12-07). After a burst the
	// file stays at most this large on disk.
	walSizeLimit = 640 << 20
)

// CheckpointInBackground moves the checkpoints of a SQLite database off
// its writer, for the life of db (Close stops it). It is for a server,
// whose writes wait for each other; a command's one import may as well
// checkpoint as it commits. It does nothing on PostgreSQL.
func (db *DB) CheckpointInBackground() error {
	if db.dialect.dollar || db.checkpoints != nil {
		return nil
	}
	ctx := context.Background()
	// The writer has one connection, so these settings stay with it. If
	// it were ever opened again it would checkpoint as SQLite does by
	// default: more slowly, never wrongly.
	for _, pragma := range []string{
		fmt.Sprintf("PRAGMA wal_autocheckpoint = %d", checkpointPages),
		fmt.Sprintf("PRAGMA journal_size_limit = %d", walSizeLimit),
	} {
		if _, err := db.w.ExecContext(ctx, pragma); err != nil {
			return fmt.Errorf("checkpoint in background: %w", db.err(err))
		}
	}
	stop, done := make(chan struct{}), make(chan struct{})
	db.checkpoints = &checkpointer{stop: stop, done: done}
	go func() {
		defer close(done)
		tick := time.NewTicker(checkpointEvery)
		defer tick.Stop()
		for {
			select {
			case <-stop:
				return
			case <-tick.C:
			}
			// On a reader connection: a checkpoint writes the database
			// file, but changes nothing in the database, which query_only
			// allows. A failure (the disk) is met again by the writer's
			// own checkpoints and reported to the writes.
			var busy, log, copied int
			if err := db.r.QueryRowContext(ctx, `PRAGMA wal_checkpoint(PASSIVE)`).Scan(&busy, &log, &copied); err != nil && !errors.Is(err, context.Canceled) {
				db.checkpoints.err.Store(&err)
			}
		}
	}()
	return nil
}

// checkpointer is the background checkpoint of a SQLite database.
type checkpointer struct {
	stop chan struct{}
	done chan struct{}
	err  atomic.Pointer[error] // the last failure, for diagnosis
}

// stopCheckpoints stops the background checkpoints and waits for the one
// in progress.
func (db *DB) stopCheckpoints() {
	if c := db.checkpoints; c != nil {
		close(c.stop)
		<-c.done
		db.checkpoints = nil
	}
}
