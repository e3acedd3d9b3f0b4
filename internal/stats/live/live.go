// Package live keeps the in-memory indicator index (stats/index) in step
// with the database, so that the dashboard, the API and the reports count
// a period from memory instead of reading it again.
//
// The index is built once, when the server starts, by reading every record
// with the reason it is excluded (store.EachCounting and monitor.Exclusion,
// as monitor.Cycle gives them); questions asked meanwhile wait for it. When
// it cannot be built, or in a program that never builds it, the tables are
// counted from the database as before (stats.Compute), which gives the same
// result more slowly.
//
// After that it is never reloaded: every transaction that changes which
// records count — an import, a form or an API write, an act registry, a
// letter sent — appends to the database's change log (store.Changes) what it
// touched, and the index reads again only those records before it answers.
// The log is in the database rather than in this process because the esep
// command and other servers on the same PostgreSQL write too.
package live

import (
	"context"
	"fmt"
	"log/slog"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"esep/internal/monitor"
	"esep/internal/register"
	"esep/internal/stats"
	"esep/internal/stats/index"
	"esep/internal/store"
)

// Indicators computes the tables of spec §4 from a warm index kept up to
// date with the database. Its methods are safe for concurrent use.
type Indicators struct {
	cycle *monitor.Cycle
	db    *store.DB

	ready   atomic.Pointer[index.Index] // nil until the first load is done
	loading chan struct{}               // closed when Start's load ends

	mu      sync.Mutex // one catch-up at a time
	seen    int64      // the last change applied
	local   uint64     // db.LocalChanges() at the last catch-up
	checked time.Time  // when the log was last read

	cacheMu sync.Mutex
	cache   map[period]result // by period, at an index version

	// OthersEvery is how often the change log is read for changes made by
	// other processes when this one has made none. Changes made through
	// this process's store are seen at once.
	OthersEvery time.Duration
}

type period struct {
	from, to string
	byMonth  bool // the entry is ServicesByMonth's
}

// result is what the index computed for a period, and at which version:
// the dashboard asks the same question thousands of times between two
// writes, and a year of a million records takes tens of milliseconds.
type result struct {
	version uint64
	t       *stats.Tables
	n       *stats.National
	months  []stats.KeyCount
}

// maxCached bounds the cache: the dashboard, the API and reports ask for
// a few periods; anything beyond is dropped wholesale.
const maxCached = 64

// New returns Indicators over the cycle's database; call Load (or Start)
// to build the index. Without either, Compute counts from the database.
func New(c *monitor.Cycle) *Indicators {
	return &Indicators{cycle: c, db: c.DB, OthersEvery: time.Second}
}

// Start loads the index in the background and logs the outcome. Questions
// asked meanwhile wait for it (counting from the database beside the load
// would take longer and slow the load down); if the load fails they are
// counted from the database. Call Start at most once, before serving.
func (l *Indicators) Start(ctx context.Context, log *slog.Logger) {
	l.loading = make(chan struct{})
	go func() {
		defer close(l.loading)
		start := time.Now()
		if err := l.Load(ctx); err != nil {
			if ctx.Err() == nil {
				log.Error("indicator index: not loaded; counting from the database", "err", err)
			}
			return
		}
		log.Info("indicator index loaded", "records", l.ready.Load().Len(), "took", time.Since(start).Round(time.Millisecond).String())
	}()
}

// Load builds the index from every record in the database and makes it the
// one Compute uses.
func (l *Indicators) Load(ctx context.Context) error {
	// The log's position is read before the records: a change committed
	// during the load is then read again at the next catch-up, which does
	// no harm (putting a record again replaces it), whereas reading the
	// position after could skip one.
	seen, err := l.db.LastChange(ctx)
	if err != nil {
		return err
	}
	local := l.db.LocalChanges()
	x := index.New()
	if err := x.Load(ctx, counting{l.db}, "", "\U0010FFFF"); err != nil {
		return err
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	l.seen, l.local, l.checked = seen, local, time.Now()
	l.cacheMu.Lock()
	l.cache = nil // versions of another index
	l.cacheMu.Unlock()
	l.ready.Store(x)
	return nil
}

// DB is the database the index follows.
func (l *Indicators) DB() *store.DB { return l.db }

// Ready reports whether the index is loaded.
func (l *Indicators) Ready() bool { return l.ready.Load() != nil }

// Compute returns the tables of [from, to] and the nationwide figures, as
// stats.Compute over the cycle would, with LateRegisters left empty for the
// caller (see index.Index.Compute).
func (l *Indicators) Compute(ctx context.Context, from, to string) (*stats.Tables, *stats.National, error) {
	x, err := l.current(ctx)
	if err != nil {
		return nil, nil, err
	}
	if x == nil {
		return stats.Compute(ctx, l.cycle, from, to)
	}
	res := l.cached(x, period{from, to, false}, func(r *result) { r.t, r.n = x.Compute(from, to) })
	return res.t.Clone(), res.n.Clone(), nil
}

// ServicesByMonth counts the counted services of [from, to] by month.
func (l *Indicators) ServicesByMonth(ctx context.Context, from, to string) ([]stats.KeyCount, error) {
	x, err := l.current(ctx)
	if err != nil {
		return nil, err
	}
	if x == nil {
		c, err := stats.Count(ctx, l.cycle, from, to)
		if err != nil {
			return nil, err
		}
		return c.ServicesByMonth(), nil
	}
	res := l.cached(x, period{from, to, true}, func(r *result) { r.months = x.ServicesByMonth(from, to) })
	return slices.Clone(res.months), nil
}

// cached returns the result for p at the index's current version, filling
// it with compute when there is none. The version is read before
// computing: a write during the computation makes the entry stale at once,
// never a stale entry look fresh.
func (l *Indicators) cached(x *index.Index, p period, compute func(*result)) result {
	v := x.Version()
	l.cacheMu.Lock()
	res, ok := l.cache[p]
	l.cacheMu.Unlock()
	if ok && res.version == v {
		return res
	}
	res = result{version: v}
	compute(&res)
	l.cacheMu.Lock()
	defer l.cacheMu.Unlock()
	if l.cache == nil || len(l.cache) >= maxCached {
		l.cache = map[period]result{}
	}
	l.cache[p] = res
	return res
}

// current returns the index caught up with the change log, or nil when it
// is not loaded yet.
func (l *Indicators) current(ctx context.Context) (*index.Index, error) {
	x := l.ready.Load()
	if x == nil && l.loading != nil {
		select {
		case <-l.loading:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
		x = l.ready.Load()
	}
	if x == nil {
		return nil, nil
	}
	if err := l.CatchUp(ctx); err != nil {
		return nil, err
	}
	return x, nil
}

// CatchUp applies the changes logged since the last catch-up. It reads the
// log when this process has committed a change since, or when the last
// read is older than OthersEvery; otherwise it costs an atomic load.
func (l *Indicators) CatchUp(ctx context.Context) error {
	x := l.ready.Load()
	if x == nil {
		return nil
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.db.LocalChanges() == l.local && time.Since(l.checked) < l.OthersEvery {
		return nil
	}
	local := l.db.LocalChanges()
	for {
		changes, err := l.db.Changes(ctx, l.seen, 1000)
		if err != nil {
			return fmt.Errorf("indicator index: %w", err)
		}
		for _, c := range changes {
			err := l.db.EachChanged(ctx, c, func(r *register.Record, f *register.Facts) error {
				x.Put(r, monitor.Exclusion(r, f))
				return nil
			})
			if err != nil {
				return fmt.Errorf("indicator index: change %d: %w", c.Seq, err)
			}
			l.seen = c.Seq
		}
		if len(changes) < 1000 {
			break
		}
	}
	l.local, l.checked = local, time.Now()
	return nil
}

// counting is the database as the source of a full load: every record with
// the reason it is excluded, as monitor.Cycle gives them, faster. The
// reading (store.EachCounting: the driver decoding rows) and the deciding
// and indexing run on two goroutines, since they cost about the same; the
// records travel in batches.
type counting struct{ db *store.DB }

type counted struct {
	rec register.Record
	f   register.Facts
	act register.Act
}

func (c counting) EachCounted(ctx context.Context, from, to string, fn func(r *register.Record, excluded string) error) error {
	const batchSize = 1024
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	full, empty := make(chan []counted, 4), make(chan []counted, 4)
	errc := make(chan error, 1)
	go func() {
		defer close(full)
		batch := make([]counted, 0, batchSize)
		err := c.db.EachCounting(ctx, func(r *register.Record, f *register.Facts) error {
			if r.EndDate < from || r.EndDate > to {
				return nil
			}
			batch = append(batch, counted{rec: *r, f: *f})
			if it := &batch[len(batch)-1]; f.Act != nil {
				it.act, it.f.Act = *f.Act, nil
			}
			if len(batch) < batchSize {
				return nil
			}
			select {
			case full <- batch:
			case <-ctx.Done():
				return ctx.Err()
			}
			select {
			case batch = <-empty:
				batch = batch[:0]
			default:
				batch = make([]counted, 0, batchSize)
			}
			return nil
		})
		if err == nil && len(batch) > 0 {
			select {
			case full <- batch:
			case <-ctx.Done():
				err = ctx.Err()
			}
		}
		errc <- err
	}()
	for batch := range full {
		for i := range batch {
			it := &batch[i]
			if it.act.Number != "" {
				it.f.Act = &it.act
			}
			if err := fn(&it.rec, monitor.Exclusion(&it.rec, &it.f)); err != nil {
				cancel()
				for range full { // let the reader stop
				}
				<-errc
				return err
			}
		}
		select {
		case empty <- batch:
		default:
		}
	}
	return <-errc
}
