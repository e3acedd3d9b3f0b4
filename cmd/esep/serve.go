package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"runtime/pprof"
	"time"

	"esep/internal/auth"
	"esep/internal/demo/seed"
	"esep/internal/i18n"
	"esep/internal/kz"
	"esep/internal/monitor"
	"esep/internal/store"
	"esep/internal/web"
)

func cmdServe(e *env, args []string) int {
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	addr := fs.String("addr", envOr("ESEP_ADDR", "127.0.0.1:8080"), "address to listen on (env ESEP_ADDR)")
	secure := fs.Bool("secure-cookies", os.Getenv("ESEP_SECURE_COOKIES") == "1", "mark cookies Secure, when served over TLS (env ESEP_SECURE_COOKIES=1)")
	demoData := fs.Bool("demo", false, "fill an empty database with a year of demo data")
	cpuProfile := fs.String("cpuprofile", "", "write a CPU profile of the server's run to this file when it stops, for go tool pprof")
	pos, ok := e.parse(fs, args)
	if !ok || len(pos) > 0 {
		fmt.Fprintln(e.stderr, i18n.T(e.lang, "cli.usage.serve"))
		return exitUsage
	}
	log := slog.New(slog.NewJSONHandler(e.stderr, &slog.HandlerOptions{Level: slog.LevelInfo}))
	db, err := e.open()
	if err != nil {
		return e.fail(err)
	}
	defer db.Close()
	cal, err := e.calendar()
	if err != nil {
		return e.fail(err)
	}
	if err := e.firstAdmin(db); err != nil {
		return e.fail(err)
	}
	if *demoData {
		if err := e.seedDemo(db, cal); err != nil {
			return e.fail(err)
		}
	}
	// The server's writes wait for one another on SQLite: none of them
	// should also wait for a checkpoint.
	if err := db.CheckpointInBackground(); err != nil {
		return e.fail(err)
	}
	srv, err := web.New(db, cal, log, web.Config{Secure: *secure})
	if err != nil {
		return e.fail(err)
	}
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return e.fail(err)
	}
	srv.StartIndicators(e.ctx)
	if *cpuProfile != "" {
		stop, err := startCPUProfile(*cpuProfile)
		if err != nil {
			return e.fail(err)
		}
		defer stop()
	}
	hs := &http.Server{Handler: srv.Handler(), ReadHeaderTimeout: 10 * time.Second, IdleTimeout: 2 * time.Minute}
	log.Info("serving", "addr", "http://"+ln.Addr().String(), "db", maskDSN(e.dsn), "engine", db.Engine())
	fmt.Fprintln(e.stderr, i18n.T(e.lang, "cli.serve.listening", "url", "http://"+ln.Addr().String()))
	errc := make(chan error, 1)
	go func() { errc <- hs.Serve(ln) }()
	select {
	case err := <-errc:
		return e.fail(err)
	case <-e.ctx.Done():
	}
	// Let running requests (an import in progress) finish; an import that
	// does not finish in time is rolled back whole by its transaction, so it
	// can simply be run again.
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := hs.Shutdown(ctx); err != nil && !errors.Is(err, http.ErrServerClosed) {
		log.Error("shutdown", "err", err)
	}
	if err := srv.WaitImports(ctx); err != nil {
		log.Error("imports cancelled", "err", err)
	}
	log.Info("stopped")
	return exitOK
}

// firstAdmin creates the administrator on the first start and prints its
// one-time password once; it is never stored or logged in clear.
func (e *env) firstAdmin(db *store.DB) error {
	n, err := db.CountUsers(e.ctx)
	if err != nil || n > 0 {
		return err
	}
	password, err := auth.NewPassword()
	if err != nil {
		return err
	}
	hash, err := auth.HashPassword(password)
	if err != nil {
		return err
	}
	u := &auth.User{Login: "admin", Name: "Administrator", Role: auth.Admin, MustChangePassword: true}
	if err := db.CreateUser(e.ctx, u, hash, "system"); err != nil {
		return err
	}
	fmt.Fprintln(e.stderr, i18n.T(e.lang, "cli.serve.first_admin", "login", u.Login, "password", password))
	return nil
}

func envOr(name, def string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return def
}

// seedDemo fills an empty database with a year of demo data and demo users
// for every role.
func (e *env) seedDemo(db *store.DB, cal *kz.Calendar) error {
	if t, err := db.Totals(e.ctx); err != nil || t.Records > 0 {
		return err
	}
	// The users come first: the demo's telephone campaign is worked by
	// the demo agent.
	type created struct {
		login string
		role  auth.Role
		pass  string
	}
	var users []created
	var agent int64
	for _, u := range []auth.User{
		{Login: "analyst", Name: "Әсем Қасымова", Role: auth.Analyst},
		{Login: "manager", Name: "Нұрлан Ахметов", Role: auth.Operator, Region: "430000000"},
		{Login: "agent", Name: "Гүлнар Оспанова", Role: auth.Agent},
		{Login: "ministry", Name: "Ерлан Серікбаев", Role: auth.Viewer},
	} {
		password, err := auth.NewPassword()
		if err != nil {
			return err
		}
		hash, err := auth.HashPassword(password)
		if err != nil {
			return err
		}
		if err := db.CreateUser(e.ctx, &u, hash, "demo"); err != nil {
			if errors.Is(err, store.ErrConflict) {
				continue
			}
			return err
		}
		if u.Role == auth.Agent {
			agent = u.ID
		}
		users = append(users, created{u.Login, u.Role, password})
	}
	res, err := seed.Run(e.ctx, &monitor.Cycle{DB: db, Calendar: cal}, seed.Options{RowsPerMonth: 1500, Today: monitor.Today(), By: "demo", Agent: agent})
	if err != nil || res.Months == 0 {
		return err
	}
	fmt.Fprintln(e.stderr, i18n.T(e.lang, "cli.serve.demo", "months", res.Months, "records", res.Records, "letters", res.Letters, "report", res.Report))
	for _, u := range users {
		fmt.Fprintf(e.stderr, "  %-10s %-10s %s\n", u.login, u.role, u.pass)
	}
	return nil
}

// cmdConfig prints the configuration esep would run with, from flags, then
// the environment, then defaults — with the database password masked.
func cmdConfig(e *env, args []string) int {
	fs := flag.NewFlagSet("config", flag.ContinueOnError)
	if _, ok := e.parse(fs, args); !ok {
		return exitUsage
	}
	cal := e.calendarPath
	if cal == "" {
		cal = "(built-in)"
	}
	for _, kv := range [][2]string{
		{"db (ESEP_DB)", maskDSN(e.dsn)},
		{"lang (ESEP_LANG)", string(e.lang)},
		{"calendar (ESEP_CALENDAR)", cal},
		{"addr (ESEP_ADDR)", envOr("ESEP_ADDR", "127.0.0.1:8080")},
		{"secure-cookies (ESEP_SECURE_COOKIES)", fmt.Sprint(os.Getenv("ESEP_SECURE_COOKIES") == "1")},
	} {
		fmt.Fprintf(e.stdout, "%-38s %s\n", kv[0], kv[1])
	}
	return exitOK
}

// startCPUProfile profiles the server until the returned function is
// called: where a running server spends its time under real load is what
// tells which change would make it faster.
func startCPUProfile(path string) (stop func(), err error) {
	f, err := os.Create(path)
	if err != nil {
		return nil, err
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		f.Close()
		return nil, err
	}
	return func() {
		pprof.StopCPUProfile()
		f.Close()
	}, nil
}
