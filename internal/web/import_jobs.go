package web

import (
	"context"
	"crypto/rand"
	"errors"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"esep/internal/i18n"
	"esep/internal/ingest"
)

// jobState is where an import started from the web stands.
type jobState string

const (
	jobRunning jobState = "running"
	jobDone    jobState = "done"
	jobFailed  jobState = "failed"
)

// job is one import started from the web. It lives in memory only: the
// import itself is one transaction, so a job lost with the process leaves
// the database as it was, and what a finished job wrote is in the imports
// table.
type job struct {
	id      string
	owner   int64 // the user who started it; nobody else may see it
	file    string
	month   string
	reqID   string // the request that started it, for the log
	started time.Time

	done, total atomic.Int64 // bytes of the file read, for the progress bar

	mu     sync.Mutex // guards what follows
	state  jobState
	result *ingest.Result
	err    *jobError
	ended  time.Time
}

// jobError is why an import failed, ready to be said in any language.
type jobError struct {
	// Code is stable, for machines: a tabular.FileError or
	// ingest.HeaderError code, or one of outside_region, interrupted,
	// internal.
	Code string
	text func(lang i18n.Lang) string
}

func (e *jobError) Error() string { return "import failed: " + e.Code }

// Message says what went wrong in lang.
func (e *jobError) Message(lang i18n.Lang) string { return e.text(lang) }

// progress is the import's progress callback: it may be called from the
// import's goroutine while pages read the job.
func (j *job) progress(done, total int64) {
	j.total.Store(total)
	j.done.Store(done)
}

// jobView is a consistent copy of a job, for a page or the API.
type jobView struct {
	ID       string
	File     string
	Month    string
	State    jobState
	Done     int64
	Total    int64
	Percent  int
	Started  time.Time
	Ended    time.Time
	Result   *ingest.Result
	Err      *jobError
	Problems int // findings in all, the sum of the rule counts
}

func (j *job) view() jobView {
	j.mu.Lock()
	defer j.mu.Unlock()
	v := jobView{ID: j.id, File: j.file, Month: j.month, State: j.state, Done: j.done.Load(), Total: j.total.Load(),
		Started: j.started, Ended: j.ended, Result: j.result, Err: j.err}
	if v.State == jobDone {
		v.Done = v.Total
	}
	if v.Total > 0 {
		v.Percent = int(min(v.Done, v.Total) * 100 / v.Total)
	}
	if v.Result != nil {
		for _, n := range v.Result.RuleCounts {
			v.Problems += n
		}
	}
	return v
}

// jobs is the registry of imports started from the web: safe for
// concurrent use. Finished jobs are kept, the last keep of them, so that
// their pages and problem lists stay reachable for a while.
type jobs struct {
	// ctx is the parent of every import's context. It is not a request's:
	// the request that starts an import ends at the redirect. Wait cancels
	// it when the server must stop before the imports are done.
	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup
	keep   int

	mu       sync.Mutex
	byID     map[string]*job
	finished []string // ids in the order they finished, oldest first
	closed   bool
}

func newJobs() *jobs {
	ctx, cancel := context.WithCancel(context.Background())
	return &jobs{ctx: ctx, cancel: cancel, keep: 100, byID: map[string]*job{}}
}

var (
	// errJobRunning: the user already has an import running. One at a time
	// per user bounds the disk the spooled uploads take, and the imports
	// would queue for the database's single writer anyway.
	errJobRunning = errors.New("an import of this user is already running")
	// errImportsClosed: the server is stopping and starts no more imports.
	errImportsClosed = errors.New("the server is stopping")
)

// start runs fn in the background as a new job of owner. fn gets a context
// that Wait cancels, and the job for its progress; its result or error
// become the job's.
func (js *jobs) start(owner int64, file, month, reqID string, fn func(ctx context.Context, j *job) (*ingest.Result, error)) (*job, error) {
	js.mu.Lock()
	defer js.mu.Unlock()
	if js.closed {
		return nil, errImportsClosed
	}
	for _, j := range js.byID {
		if j.owner == owner && j.view().State == jobRunning {
			return nil, errJobRunning
		}
	}
	j := &job{id: rand.Text(), owner: owner, file: file, month: month, reqID: reqID, started: time.Now(), state: jobRunning}
	js.byID[j.id] = j
	js.wg.Add(1) // under mu, before closed can be set: Wait never races an Add
	go func() {
		defer js.wg.Done()
		res, err := fn(js.ctx, j)
		js.finish(j, res, err)
	}()
	return j, nil
}

// finish records the end of j and forgets the oldest finished jobs beyond
// keep. A nil *jobError with a nil result is a failure all the same.
func (js *jobs) finish(j *job, res *ingest.Result, err error) {
	j.mu.Lock()
	j.ended = time.Now()
	j.result = res
	var je *jobError
	switch {
	case errors.As(err, &je):
		j.state, j.err = jobFailed, je
	case err != nil || res == nil:
		j.state, j.err = jobFailed, internalImportError(j.id)
	default:
		j.state = jobDone
	}
	j.mu.Unlock()

	js.mu.Lock()
	defer js.mu.Unlock()
	js.finished = append(js.finished, j.id)
	for len(js.finished) > js.keep {
		delete(js.byID, js.finished[0])
		js.finished = js.finished[1:]
	}
}

// get returns the job id if it belongs to owner. Another user's job is
// reported as missing, not forbidden: its existence is nobody else's
// business.
func (js *jobs) get(id string, owner int64) (*job, bool) {
	js.mu.Lock()
	defer js.mu.Unlock()
	j, ok := js.byID[id]
	if !ok || j.owner != owner {
		return nil, false
	}
	return j, true
}

// list returns owner's jobs, newest first.
func (js *jobs) list(owner int64) []jobView {
	js.mu.Lock()
	var mine []*job
	for _, j := range js.byID {
		if j.owner == owner {
			mine = append(mine, j)
		}
	}
	js.mu.Unlock()
	out := make([]jobView, len(mine))
	for i, j := range mine {
		out[i] = j.view()
	}
	slices.SortFunc(out, func(a, b jobView) int { return b.Started.Compare(a.Started) })
	return out
}

// Wait stops the registry from starting imports and waits for the running
// ones to finish. If ctx ends first, it cancels them and waits for them to
// roll back — each import is one transaction, so a cancelled one leaves
// the database exactly as it was and can simply be run again — and returns
// ctx's error. The server calls it on shutdown (Server.WaitImports), after
// http.Server.Shutdown has stopped new requests.
func (js *jobs) Wait(ctx context.Context) error {
	js.mu.Lock()
	js.closed = true
	js.mu.Unlock()
	done := make(chan struct{})
	go func() {
		js.wg.Wait()
		close(done)
	}()
	select {
	case <-done:
		js.cancel()
		return nil
	case <-ctx.Done():
		js.cancel()
		<-done
		return ctx.Err()
	}
}
