package web

import (
	"context"
	"fmt"
	"runtime"
	"sync"
	"sync/atomic"

	"esep/internal/ingest"
	"esep/internal/register"
	"esep/internal/store"
)

// writeQueue commits the API's record writes in groups (group commit, see
// store.Group): a committer takes the writes waiting, runs each as an
// import of its own inside one transaction, commits them together, then
// answers them all. Each request has normalised and validated its records
// before it queues (ingest.CheckRecords), so the committer does only the
// writing.
//
// On SQLite there is one committer, the one writer: without it every
// write was a transaction of its own, and the writer's one connection went
// from one request's goroutine to the next: under load a write spent
// longer waiting for the hand-over than writing. On PostgreSQL a write is
// a chain of round trips to the server, and one committer would leave the
// cores idle while it waits for each: several commit side by side, each
// its own group.
type writeQueue struct {
	db         *store.DB
	jobs       chan *writeJob
	committers int
	start      sync.Once
}

// pgCommitters is how many groups are written at once on PostgreSQL: one
// more than the cores. A committer spends much of a group waiting on round
// trips, so one per core would leave cores idle; many more only split the
// queue into groups of one write, each paying its own BEGIN, COMMIT and
// turn at the change log's lock, and the server's cores go on that. One-
// record writes on 2 cores, 8 connections, PostgreSQL on the same cores
// (2026-12-07, shared host, runs interleaved): 8 committers 1,419-1,833
// a second (mean 1,684 of 7 runs), 3 committers 1,622-2,216 (mean 1,904
// of 5).
func pgCommitters() int { return runtime.GOMAXPROCS(0) + 1 }

const maxGroup = 64

// The states of a job: waiting in the queue, taken by the committer, or
// given up by its request before that (the client went away).
const (
	jobQueued int32 = iota
	jobTaken
	jobAbandoned
)

type writeJob struct {
	ctx   context.Context
	run   func(ctx context.Context, g *store.Group) error
	state atomic.Int32
	err   error      // run's error, set by the committer
	done  chan error // the outcome: run's error, or the group's commit's
}

func newWriteQueue(db *store.DB) *writeQueue {
	q := &writeQueue{db: db, jobs: make(chan *writeJob, 1024), committers: 1}
	if db.Engine() == "postgres" {
		q.committers = pgCommitters()
	}
	return q
}

// do runs run inside a group and returns when the group is committed (or
// failed). A request whose client goes away while its job waits is
// dropped from the queue; once taken, the job is carried out and do waits
// for it, so that what the server counts as answered is what the database
// holds.
func (q *writeQueue) do(ctx context.Context, run func(ctx context.Context, g *store.Group) error) error {
	q.start.Do(func() {
		for range q.committers {
			go q.loop()
		}
	})
	j := &writeJob{ctx: ctx, run: run, done: make(chan error, 1)}
	select {
	case q.jobs <- j:
	case <-ctx.Done():
		return ctx.Err()
	}
	select {
	case err := <-j.done:
		return err
	case <-ctx.Done():
		if j.state.CompareAndSwap(jobQueued, jobAbandoned) {
			return ctx.Err()
		}
		return <-j.done
	}
}

// loop is a committer: it runs for the life of the process.
func (q *writeQueue) loop() {
	for first := range q.jobs {
		if first.state.Load() == jobAbandoned {
			continue
		}
		g, err := q.db.BeginGroup(context.Background())
		if err != nil {
			// The writer is not to be had (another process has held it
			// past the busy timeout): this write fails, the ones behind
			// it try again.
			if first.state.CompareAndSwap(jobQueued, jobTaken) {
				first.done <- err
			}
			continue
		}
		batch := q.run(g, first, nil)
	more:
		for len(batch) < maxGroup {
			select {
			case j := <-q.jobs:
				batch = q.run(g, j, batch)
			default:
				break more
			}
		}
		err = g.Commit()
		for _, j := range batch {
			if j.err != nil {
				j.done <- j.err
			} else {
				j.done <- err
			}
		}
	}
}

// run carries out j in g, unless its request has given it up, and
// appends it to batch.
func (q *writeQueue) run(g *store.Group, j *writeJob, batch []*writeJob) []*writeJob {
	if !j.state.CompareAndSwap(jobQueued, jobTaken) {
		return batch
	}
	func() {
		defer func() {
			// A panic must not stop the committer: it fails this write,
			// and with its savepoint left open, the group (Commit refuses
			// it), rather than every write to come.
			if v := recover(); v != nil {
				j.err = fmt.Errorf("write panicked: %v", v)
			}
		}()
		j.err = j.run(j.ctx, g)
	}()
	return append(batch, j)
}

// importRecords is ingest.ImportRecords through the group commit.
func (s *Server) importRecords(ctx context.Context, recs []register.Record, meta store.ImportMeta, opts ingest.Options) (*ingest.Result, error) {
	checked := ingest.CheckRecords(recs, meta, opts)
	var res *ingest.Result
	err := s.writes.do(ctx, func(ctx context.Context, g *store.Group) (err error) {
		res, err = checked.ImportIn(ctx, g)
		return err
	})
	return res, err
}
