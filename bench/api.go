package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"esep/internal/auth"
	"esep/internal/demo"
	"esep/internal/kz"
	"esep/internal/register"
	"esep/internal/store"
)

// The API under load (issue 6, item 4): the real esep binary serving a
// database pre-loaded with e.Rows records on a loopback port, driven by
// wrk for a fixed time. Writes are POST /api/v1/records, each request new
// valid records with record_ids never seen before; dashboard reads are
// the dashboard's figures as the API gives them (GET /api/v1/indicators
// for the year to date, what the dashboard page shows) and, beside them,
// the dashboard page itself for a signed-in analyst.
//
// Each measured run is checked against the server's own counters
// (/metrics) and, for writes, against the database: it must hold exactly
// one new record for every record of every request the server answered
// 2xx, none with a finding, and one import per request — nothing lost,
// nothing written twice. A mismatch fails the phase.

// Targets of issue 6, item 4.
const (
	apiTargetWrites = 2000 // records a second
	apiTargetReads  = 5000 // requests a second
	apiTargetP99    = 50 * time.Millisecond
)

// Load shapes. wrk and the server share the machine's cores, so wrk runs
// in one thread, which keeps it ahead of the server: with two, its second
// thread took the server's cores and tripled the 99th percentile of the
// reads (64–76 ms against 12–31 ms at the same rate, 1M records, load 2–4),
// without writing or reading any faster.
const (
	apiWrkThreads      = 1
	apiWriteConns      = 8  // an operator's system pushing records in parallel
	apiReadConns       = 32 // dashboards open across the country
	apiWriteBatch      = 10 // records a request in the batched write run
	apiWritePoolSize   = 1000
	apiWarmUp          = 2 * time.Second
	apiMeasuredFull    = 20 * time.Second
	apiMeasuredQuick   = 5 * time.Second
	apiReadsPeriod     = "year to date"
	apiWriteRoute      = "POST /api/v1/records"
	apiIndicatorsRoute = "GET /api/v1/indicators"
	apiDashboardRoute  = "GET /{$}"
)

func runAPI(ctx context.Context, e *env) ([]Figure, error) {
	if _, err := apiWrkPath(); err != nil {
		return nil, err
	}
	bin, err := apiBuildEsep(ctx, e.Dir)
	if err != nil {
		return nil, err
	}
	// ESEP_BENCH_API_ENGINE=sqlite or postgres measures one engine, and
	// ESEP_BENCH_API_PG=postgres://… a database of a server of one's own,
	// loaded only if it holds no records, and ESEP_BENCH_API_WRITES_ONLY=1
	// leaves out the reads: a quicker turn when one engine's writes are
	// being worked on.
	only := os.Getenv("ESEP_BENCH_API_ENGINE")
	var figs []Figure
	if only == "" || only == "sqlite" {
		figs, err = apiOnEngine(ctx, e, bin, "SQLite", filepath.Join(e.Dir, "api.db"))
		if err != nil || ctx.Err() != nil {
			return figs, err
		}
	}
	if only != "" && only != "postgres" {
		return figs, nil
	}
	dsn := os.Getenv("ESEP_BENCH_API_PG")
	if dsn == "" {
		if dsn, err = e.pgDatabase(ctx, fmt.Sprintf("api_%d", e.Rows)); err != nil {
			return figs, err
		}
	}
	pg, err := apiOnEngine(ctx, e, bin, "PostgreSQL", dsn)
	return append(figs, pg...), err
}

// apiOnEngine measures the API over the database at dsn, loading the
// register into it first.
func apiOnEngine(ctx context.Context, e *env, bin, engine, dsn string) ([]Figure, error) {
	csv, err := e.registerCSV(e.Rows)
	if err != nil {
		return nil, err
	}
	start := time.Now()
	if n, err := apiTotals(ctx, dsn); err != nil || n.Records == 0 {
		if err := apiEsepCmd(ctx, bin, dsn, "import", csv); err != nil {
			return nil, err
		}
		e.Log.Info("api: register loaded", "engine", engine, "rows", e.Rows, "took", time.Since(start).Round(time.Millisecond))
	}
	cred, err := apiCredentials(ctx, dsn)
	if err != nil {
		return nil, err
	}
	pool, err := apiWritePool(e.Rows)
	if err != nil {
		return nil, err
	}

	logPath := filepath.Join(e.Dir, "api-server-"+strings.ToLower(engine)+".log")
	start = time.Now()
	var extra []string
	// ESEP_BENCH_CPUPROFILE=1 profiles the server of each engine for its
	// whole run (go tool pprof -top -cum <binary> <file>).
	if os.Getenv("ESEP_BENCH_CPUPROFILE") != "" {
		prof := filepath.Join(e.Dir, "api-server-"+strings.ToLower(engine)+".pprof")
		extra = append(extra, "--cpuprofile", prof)
		e.Log.Info("api: profiling the server", "file", prof, "binary", bin)
	}
	srv, err := apiStartServer(ctx, bin, dsn, logPath, extra...)
	if err != nil {
		return nil, err
	}
	// The server answers at once but builds its indicator index in the
	// background; what is measured is the server at work, so the first
	// question about indicators, which waits for the index, comes first.
	if err := apiCheckOK(srv.base+"/api/v1/indicators?from=2026-01-01&to=2026-01-31", "Authorization: Bearer "+cred.viewer); err != nil {
		srv.stop()
		return nil, fmt.Errorf("indicator index: %w", err)
	}
	e.Log.Info("api: server up", "engine", engine, "addr", srv.base, "took", time.Since(start).Round(time.Millisecond), "log", logPath)
	figs, runErr := apiRuns(ctx, e, srv, engine, dsn, cred, pool)
	if err := srv.stop(); err != nil && runErr == nil {
		runErr = fmt.Errorf("esep serve: %w", err)
	}
	return figs, runErr
}

// apiCreds are the secrets the load carries: a machine token of an
// operator with no region limit (she may write every region's records),
// one of a ministry viewer for the indicators, and an analyst's session
// for the dashboard page.
type apiCreds struct {
	writer, viewer, session string
	// tag is "" on a fresh database, else a mark of this run that its
	// logins and record_ids carry, unlike those of the runs before.
	tag string
}

// apiCredentials creates the users and their tokens straight in the
// database, before the server starts, as an administrator would in the
// web application.
func apiCredentials(ctx context.Context, dsn string) (*apiCreds, error) {
	db, err := store.Open(ctx, dsn)
	if err != nil {
		return nil, err
	}
	defer db.Close()
	// Nobody signs in with it, but a user needs a password hash.
	pw, err := auth.NewPassword()
	if err != nil {
		return nil, err
	}
	hash, err := auth.HashPassword(pw)
	if err != nil {
		return nil, err
	}
	// A database used again (ESEP_BENCH_API_PG) has the users of the
	// runs before: these are new.
	c := &apiCreds{}
	if n, err := db.Totals(ctx); err == nil && n.Imports > 1 {
		c.tag = strconv.FormatInt(time.Now().Unix(), 36)
	}
	for _, x := range []struct {
		user  auth.User
		token *string
		sess  bool
	}{
		{auth.User{Login: "bench-operator", Name: "Bench Operator", Role: auth.Operator}, &c.writer, false},
		{auth.User{Login: "bench-viewer", Name: "Bench Viewer", Role: auth.Viewer}, &c.viewer, false},
		{auth.User{Login: "bench-analyst", Name: "Bench Analyst", Role: auth.Analyst}, &c.session, true},
	} {
		u := x.user
		u.Login += c.tag
		if err := db.CreateUser(ctx, &u, hash, "bench"); err != nil {
			return nil, fmt.Errorf("user %s: %w", u.Login, err)
		}
		tok, tokHash, err := auth.NewToken()
		if err != nil {
			return nil, err
		}
		if x.sess {
			err = db.StartSession(ctx, u.ID, tokHash, time.Now().Add(24*time.Hour))
		} else {
			err = db.CreateAPIToken(ctx, u.ID, tokHash, "bench", "bench")
		}
		if err != nil {
			return nil, fmt.Errorf("credentials of %s: %w", u.Login, err)
		}
		*x.token = tok
	}
	return c, nil
}

// apiWritePool returns the JSON of apiWritePoolSize valid records of this
// year, each without its record_id, which the load script puts first. They
// are records of the loaded register itself (the same generator and seed),
// so a write is a returning client's new service: the person is known, and
// written the same way, so a write is accepted without findings — which
// the check after each run verifies.
func apiWritePool(rows int) ([]string, error) {
	today := kz.Today()
	v := &register.Validator{Today: today, Services: register.ServiceSet(register.DefaultServices())}
	yearStart := fmt.Sprintf("%d-01-01", today.Year())
	var pool []string
	var err error
	first := map[string]string{} // client key → the name as the register first spelled it
	demo.Generate(benchOptions(rows), func(r *register.Record) bool {
		register.Normalize(r)
		key, findings := register.ClientKey(r), v.Validate(r)
		if _, ok := first[key]; !ok && !register.HasBlocking(findings) {
			first[key] = r.ClientFullName // what the import keeps in its clients table
		}
		// The generator spells some people two ways, as managers do; the
		// import keeps the first spelling and flags the other.
		if r.StartDate < yearStart || first[key] != r.ClientFullName || len(findings) > 0 {
			return true
		}
		m := map[string]string{}
		for _, c := range register.Columns[1:] {
			if val := c.Get(r); val != "" {
				m[c.Name] = val
			}
		}
		var b []byte
		if b, err = json.Marshal(m); err != nil {
			return false
		}
		pool = append(pool, strings.TrimPrefix(string(b), "{"))
		return len(pool) < apiWritePoolSize
	})
	if err == nil && len(pool) == 0 {
		err = errors.New("no valid record of this year in the register to write again")
	}
	return pool, err
}

// apiRuns runs the measured loads against a running server.
func apiRuns(ctx context.Context, e *env, srv *apiServer, engine, dsn string, cred *apiCreds, pool []string) ([]Figure, error) {
	d := apiMeasuredFull
	if e.Quick {
		d = apiMeasuredQuick
	}
	size := sizeLabel(e.Rows)
	machine := fmt.Sprintf("%s %s; wrk -t%d on the same 2 cores as the server", engine, size, apiWrkThreads)
	if engine == "PostgreSQL" {
		machine = fmt.Sprintf("PostgreSQL %s (throwaway server on loopback, fsync off, on the same cores); wrk -t%d on the same cores", size, apiWrkThreads)
	}
	var figs []Figure
	var failures []error // checks that failed: the phase fails, after every run

	// Writes: one record a request (the figure of the target), then a
	// batch of apiWriteBatch a request.
	for i, batch := range []int{1, apiWriteBatch} {
		prefix := fmt.Sprintf("BENCH%d%s", i+1, cred.tag)
		script := filepath.Join(e.Dir, "api-write-"+prefix+".lua")
		if err := apiWriteScript(script, cred.writer, prefix, batch, pool); err != nil {
			return figs, err
		}
		// The warm-up writes records of its own, so it gets a prefix of its own.
		warm := filepath.Join(e.Dir, "api-write-"+prefix+"W.lua")
		if err := apiWriteScript(warm, cred.writer, prefix+"W", batch, pool); err != nil {
			return figs, err
		}
		if err := apiWarm(ctx, srv, apiLoad{URL: srv.base + "/api/v1/records", Threads: apiWrkThreads, Connections: apiWriteConns, Duration: apiWarmUp, Script: warm}, apiWriteRoute); err != nil {
			return figs, err
		}
		l := apiLoad{URL: srv.base + "/api/v1/records", Threads: apiWrkThreads, Connections: apiWriteConns, Duration: d, Script: script}
		m, err := apiMeasure(ctx, e, srv, dsn, l, apiWriteRoute, batch)
		if err != nil {
			return figs, err
		}
		name := fmt.Sprintf("API writes, %s, %d record a request", engine, batch)
		if batch > 1 {
			name = fmt.Sprintf("API writes, %s, %d records a request", engine, batch)
		}
		recs := m.wrk.RPS * float64(batch)
		note := fmt.Sprintf("%s; %d connections; %.0f requests/s; %s", machine, apiWriteConns, m.wrk.RPS, m.check)
		figs = append(figs,
			Figure{Name: name + ", records/s", Target: fmt.Sprintf("≥ %d records/s", apiTargetWrites), Measured: fmt.Sprintf("%.0f records/s", recs),
				Ratio: fmt.Sprintf("%.2f× target", recs/apiTargetWrites), Met: recs >= apiTargetWrites, Note: note},
			apiLatencyFigure(name, m, machine))
		failures = append(failures, m.err)
	}

	if os.Getenv("ESEP_BENCH_API_WRITES_ONLY") != "" {
		return figs, errors.Join(failures...)
	}

	// Dashboard reads: the dashboard's figures through the API, which is
	// what the target measures; and, beside it for the reader, the
	// dashboard page itself, HTML for a signed-in analyst, with its cycle
	// status and plans.
	today := kz.Today()
	from, to := fmt.Sprintf("%d-01-01", today.Year()), today.Format(time.DateOnly)
	for _, r := range []struct {
		name, url, route, header string
		target                   bool
	}{
		{"API dashboard reads (GET /api/v1/indicators, " + apiReadsPeriod + ")", srv.base + "/api/v1/indicators?from=" + from + "&to=" + to, apiIndicatorsRoute, "Authorization: Bearer " + cred.viewer, true},
		{"dashboard page (GET /, analyst; no target)", srv.base + "/", apiDashboardRoute, "Cookie: esep_session=" + cred.session, false},
	} {
		if err := apiCheckOK(r.url, r.header); err != nil {
			return figs, fmt.Errorf("%s: %w", r.name, err)
		}
		if err := apiWarm(ctx, srv, apiLoad{URL: r.url, Threads: apiWrkThreads, Connections: apiReadConns, Duration: apiWarmUp, Headers: []string{r.header}}, r.route); err != nil {
			return figs, err
		}
		l := apiLoad{URL: r.url, Threads: apiWrkThreads, Connections: apiReadConns, Duration: d, Headers: []string{r.header}}
		m, err := apiMeasure(ctx, e, srv, dsn, l, r.route, 0)
		if err != nil {
			return figs, err
		}
		failures = append(failures, m.err)
		name := r.name + ", " + engine
		if !r.target {
			lat := apiLatencyFigure(name, m, machine)
			figs = append(figs, Figure{Name: name, Measured: fmt.Sprintf("%.0f/s, %s", m.wrk.RPS, lat.Measured),
				Note: fmt.Sprintf("%s; %d connections; %s; %s", machine, apiReadConns, strings.TrimPrefix(lat.Note, machine+"; "), m.check)})
			continue
		}
		figs = append(figs,
			Figure{Name: name + ", requests/s", Target: fmt.Sprintf("≥ %d/s", apiTargetReads), Measured: fmt.Sprintf("%.0f/s", m.wrk.RPS),
				Ratio: fmt.Sprintf("%.2f× target", m.wrk.RPS/apiTargetReads), Met: m.wrk.RPS >= apiTargetReads,
				Note: fmt.Sprintf("%s; %d connections; %s", machine, apiReadConns, m.check)},
			apiLatencyFigure(name, m, machine))
	}
	return figs, errors.Join(failures...)
}

// apiWarm runs l unmeasured, so that connections, caches and the Go heap
// are warm, and waits for the server to finish what wrk left in flight.
func apiWarm(ctx context.Context, srv *apiServer, l apiLoad, route string) error {
	c0, err := srv.counts(route)
	if err != nil {
		return err
	}
	res, err := l.run(ctx)
	if err != nil {
		return err
	}
	_, err = srv.settle(route, c0.total()+float64(res.Requests))
	return err
}

// apiMeasured is one run with its checks.
type apiMeasured struct {
	wrk    *apiWrkResult
	server apiCounts // the server's answers during the run
	errors int       // error lines in the server's log
	locked int       // lines saying "database is locked" or busy
	// abandoned are the requests wrk left in flight when its time was up
	// and closed the connection of: the server counts them as 499.
	abandoned int
	check     string // what the checks found, for the note
	err       error  // a check that failed: the run cannot be trusted
}

// apiMeasure runs l and checks it: the server's counters for route and its
// log, and for a write load (batch > 0) the database.
func apiMeasure(ctx context.Context, e *env, srv *apiServer, dsn string, l apiLoad, route string, batch int) (*apiMeasured, error) {
	var before store.Totals
	if batch > 0 {
		var err error
		if before, err = apiTotals(ctx, dsn); err != nil {
			return nil, err
		}
	}
	c0, err := srv.counts(route)
	if err != nil {
		return nil, err
	}
	logFrom := apiFileSize(srv.logPath)
	res, err := l.run(ctx)
	if err != nil {
		return nil, err
	}
	c1, err := srv.settle(route, c0.total()+float64(res.Requests))
	if err != nil {
		return nil, err
	}
	m := &apiMeasured{wrk: res, server: c1.minus(c0)}
	var first string
	if m.errors, m.locked, m.abandoned, first, err = apiLogTrouble(srv.logPath, logFrom); err != nil {
		return nil, err
	}
	ok2xx := int(m.server["2xx"])
	var checks []string
	checks = append(checks, fmt.Sprintf("server counted %s", m.server))
	if batch > 0 {
		after, err := apiTotals(ctx, dsn)
		if err != nil {
			return nil, err
		}
		dRecords, dImports := after.Records-before.Records, after.Imports-before.Imports
		dFindings, dBlocking := after.RecordFindings-before.RecordFindings, after.Blocking-before.Blocking
		switch {
		case dRecords != ok2xx*batch || dImports != ok2xx:
			m.err = fmt.Errorf("database holds %d new records in %d imports, but the server answered 2xx to %d requests of %d records", dRecords, dImports, ok2xx, batch)
		case dFindings != 0 || dBlocking != 0:
			m.err = fmt.Errorf("the written records have %d findings (%d blocking): the load is not all valid records", dFindings, dBlocking)
		default:
			checks = append(checks, fmt.Sprintf("database +%d records = 2xx × %d, none lost or doubled", dRecords, batch))
		}
	}
	// wrk stops on the clock with up to one request a connection in
	// flight, which the server may have answered after wrk stopped
	// listening.
	answered := ok2xx + m.failed()
	if d := answered - res.Requests; d < 0 || d > l.Connections {
		checks = append(checks, fmt.Sprintf("wrk counted %d responses, the server %d", res.Requests, answered))
	}
	if m.abandoned > 0 {
		checks = append(checks, fmt.Sprintf("%d abandoned by wrk at the end (499, not errors)", m.abandoned))
	}
	checks = append(checks, fmt.Sprintf("%d non-2xx, %d socket errors, %d server failures, %d error lines, %d database-locked", res.Non2xx, res.SocketErrors, m.failed(), m.errors, m.locked))
	if first != "" {
		e.Log.Warn("api: server error", "line", first)
	}
	m.check = strings.Join(checks, "; ")
	e.Log.Info("api: run", "url", l.URL, "requests", res.Requests, "rps", fmt.Sprintf("%.0f", res.RPS), "p50", res.P50, "p99", res.P99, "max", res.Max, "check", m.check)
	return m, nil
}

// failed counts the server's answers other than 2xx, but for the requests
// abandoned by wrk (counted in 4xx).
func (m *apiMeasured) failed() int { return m.server.failed() - min(m.abandoned, int(m.server["4xx"])) }

func apiLatencyFigure(name string, m *apiMeasured, machine string) Figure {
	errs := m.wrk.Non2xx + m.wrk.SocketErrors + m.failed() + m.errors + m.locked
	met := m.wrk.P99 < apiTargetP99 && errs == 0 && m.err == nil
	measuredText := fmt.Sprintf("p99 %s, %d errors", dur(m.wrk.P99), errs)
	if m.wrk.SocketDetail != "" {
		measuredText += " (" + m.wrk.SocketDetail + ")"
	}
	return Figure{Name: name + ", latency and errors", Target: fmt.Sprintf("p99 < %s, no errors", dur(apiTargetP99)), Measured: measuredText,
		Ratio: fmt.Sprintf("%.2f of target", float64(m.wrk.P99)/float64(apiTargetP99)), Met: met,
		Note: fmt.Sprintf("%s; p50 %s, p90 %s, max %s (wrk, closed loop)", machine, dur(m.wrk.P50), dur(m.wrk.P90), dur(m.wrk.Max))}
}

func apiTotals(ctx context.Context, dsn string) (store.Totals, error) {
	db, err := store.Open(ctx, dsn)
	if err != nil {
		return store.Totals{}, err
	}
	defer db.Close()
	return db.Totals(ctx)
}

// apiCheckOK makes sure a read answers 200 before it is loaded: wrk counts a
// redirect (to the login page, say) as a success.
func apiCheckOK(url, header string) error {
	req, err := http.NewRequest(http.MethodGet, url, nil)
	if err != nil {
		return err
	}
	name, value, _ := strings.Cut(header, ": ")
	req.Header.Set(name, value)
	client := &http.Client{Timeout: 5 * time.Minute, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := client.Do(req)
	if err != nil {
		return err
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("GET %s: %s, not 200", strings.SplitN(url, "?", 2)[0], resp.Status)
	}
	return nil
}
