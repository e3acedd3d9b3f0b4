// Command esep records the services given to entrepreneurs, checks them,
// and reports them as the methodology of order No. 59 (2019) requires.
//
// This package only wires: it parses flags, opens the database, calls the
// domain packages and prints their results in the user's language.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"esep/internal/i18n"
	"esep/internal/kz"
	"esep/internal/store"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// env is what every command gets: the global settings and the streams.
type env struct {
	ctx            context.Context
	stdout, stderr io.Writer
	stdin          io.Reader
	dsn            string
	lang           i18n.Lang
	calendarPath   string
	log            *slog.Logger
}

// Exit codes: 0 done, 1 the input could not be processed, 2 a usage error.
const (
	exitOK    = 0
	exitFail  = 1
	exitUsage = 2
)

type command struct {
	name string
	run  func(e *env, args []string) int
}

var commands = []command{
	{"import", cmdImport},
	{"validate", cmdValidate},
	{"check-id", cmdCheckID},
	{"calendar", cmdCalendar},
	{"demo", cmdDemo},
	{"report", cmdReport},
	{"kato", cmdKATO},
	{"cycle", cmdCycle},
	{"letter", cmdLetter},
	{"plan", cmdPlan},
	{"acts", cmdActs},
	{"settings", cmdSettings},
	{"serve", cmdServe},
	{"config", cmdConfig},
	{"migrate", cmdMigrate},
	{"signals", cmdSignals},
	{"questionnaires", cmdQuestionnaires},
	{"campaign", cmdCampaign},
}

// run is main without the process: tests drive it directly.
func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	e := &env{ctx: ctx, stdin: stdin, stdout: stdout, stderr: stderr,
		log: slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))}
	fs := flag.NewFlagSet("esep", flag.ContinueOnError)
	fs.SetOutput(stderr)
	e.globalFlags(fs)
	fs.Usage = func() { e.usage() }
	if err := fs.Parse(args); err != nil {
		return exitUsage
	}
	if err := e.resolve(); err != nil {
		fmt.Fprintln(stderr, err)
		return exitUsage
	}
	rest := fs.Args()
	if len(rest) == 0 {
		e.usage()
		return exitUsage
	}
	for _, c := range commands {
		if c.name == rest[0] {
			return c.run(e, rest[1:])
		}
	}
	if rest[0] == "help" {
		e.usage()
		return exitOK
	}
	fmt.Fprintln(stderr, i18n.T(e.lang, "cli.unknown_command", "command", rest[0]))
	e.usage()
	return exitUsage
}

// globalFlags defines the flags every command accepts, before or after its
// name: --db, --lang, --calendar.
func (e *env) globalFlags(fs *flag.FlagSet) {
	fs.StringVar(&e.dsn, "db", e.dsn, "database: a SQLite file path or a postgres:// URL (env ESEP_DB; default esep.db)")
	fs.Func("lang", "language of messages: kk, ru or en (env ESEP_LANG; default kk)", func(s string) error {
		l, ok := i18n.Parse(s)
		if !ok {
			return fmt.Errorf("unknown language %q: use kk, ru or en", s)
		}
		e.lang = l
		return nil
	})
	fs.StringVar(&e.calendarPath, "calendar", e.calendarPath, "working-day calendar file replacing the built-in one (env ESEP_CALENDAR)")
}

// resolve fills what flags left unset from the environment, then defaults.
func (e *env) resolve() error {
	if e.dsn == "" {
		e.dsn = os.Getenv("ESEP_DB")
	}
	if e.dsn == "" {
		e.dsn = "esep.db"
	}
	if e.lang == "" {
		if v := os.Getenv("ESEP_LANG"); v != "" {
			l, ok := i18n.Parse(v)
			if !ok {
				return fmt.Errorf("ESEP_LANG=%q: use kk, ru or en", v)
			}
			e.lang = l
		} else {
			e.lang = i18n.Default
		}
	}
	if e.calendarPath == "" {
		e.calendarPath = os.Getenv("ESEP_CALENDAR")
	}
	return nil
}

func (e *env) usage() {
	fmt.Fprintln(e.stderr, i18n.T(e.lang, "cli.usage"))
}

// parse parses a command's flags, which may stand before, between and after
// its arguments (esep import r.csv --format json), and returns the
// arguments.
func (e *env) parse(fs *flag.FlagSet, args []string) ([]string, bool) {
	fs.SetOutput(e.stderr)
	e.globalFlags(fs)
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, false
		}
		args = fs.Args()
		if len(args) == 0 {
			break
		}
		if args[0] == "--" {
			pos = append(pos, args[1:]...)
			break
		}
		pos = append(pos, args[0])
		args = args[1:]
	}
	if err := e.resolve(); err != nil {
		fmt.Fprintln(e.stderr, err)
		return nil, false
	}
	return pos, true
}

// open opens the database and brings its schema up to date.
func (e *env) open() (*store.DB, error) {
	db, err := store.Open(e.ctx, e.dsn)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", i18n.T(e.lang, "cli.db_open", "db", maskDSN(e.dsn)), err)
	}
	return db, nil
}

// calendar returns the working-day calendar: the built-in one, or the file
// an administrator gave to replace it.
func (e *env) calendar() (*kz.Calendar, error) {
	if e.calendarPath == "" {
		return kz.DefaultCalendar(), nil
	}
	f, err := os.Open(e.calendarPath)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return kz.LoadCalendar(f)
}

// fail prints err for the user, in their language where esep knows the
// error, and returns the exit code.
func (e *env) fail(err error) int {
	fmt.Fprintln(e.stderr, i18n.T(e.lang, "cli.error")+": "+localize(e.lang, err))
	return exitFail
}

func localize(lang i18n.Lang, err error) string {
	if text, ok := i18n.Error(lang, err); ok {
		return text
	}
	if errors.Is(err, store.ErrNotFound) {
		return i18n.T(lang, "cli.not_found", "detail", err.Error())
	}
	return err.Error()
}

// maskDSN hides a password in a postgres:// URL before it is printed.
func maskDSN(dsn string) string {
	if !store.IsPostgres(dsn) {
		return dsn
	}
	at := strings.LastIndex(dsn, "@")
	scheme := strings.Index(dsn, "://") + 3
	if at < 0 {
		return dsn
	}
	creds := dsn[scheme:at]
	if user, _, ok := strings.Cut(creds, ":"); ok {
		return dsn[:scheme] + user + ":***" + dsn[at:]
	}
	return dsn
}
