// Package pgtest starts throwaway PostgreSQL servers for tests.
//
// It runs the PostgreSQL server binaries installed on the machine (Debian
// package "postgresql", found in $ESEP_PG_BINDIR, $PATH, pg_config --bindir
// or /usr/lib/postgresql/*/bin) and drives them only through their
// command-line tools (initdb, postgres, psql). It uses the standard library
// only, so it adds no database driver to the packages that import it.
//
// A storage package uses it like this:
//
//	func TestMain(m *testing.M) { pgtest.RunMain(m) } // required: stops the server
//
//	func TestSave(t *testing.T) {
//		dsn := pgtest.Database(t) // fresh, empty database; skips if no PostgreSQL
//		pool, err := pgxpool.New(t.Context(), dsn)
//		...
//	}
//
// One server is started lazily per test binary and shared by its tests,
// because creating a database on a running server (about 20 ms) is much
// cheaper than initdb plus a server start (about half a second). Databases
// are never dropped on that server: it is deleted as a whole at exit.
//
// Environment:
//
//   - ESEP_REQUIRE_POSTGRES=1: a missing or broken PostgreSQL fails the tests
//     instead of skipping them. CI sets it, so the suite cannot pass there
//     without having run.
//   - ESEP_TEST_POSTGRES=postgres://user@host:port/db: use this existing
//     server instead of starting one (only a psql client is needed then).
//     Database creates uniquely named databases on it and drops them when the
//     test ends.
//   - ESEP_PG_BINDIR=/usr/lib/postgresql/15/bin: use the server binaries in
//     this directory instead of searching for them.
//
// The server's files live in /dev/shm when it is a tmpfs with room to spare,
// because that makes initdb and CREATE DATABASE several times faster than on
// a disk; else in $TMPDIR, or /tmp.
//
// Running as root (as CI does): PostgreSQL refuses to run as root, so the
// server runs as the "postgres" system user, or "nobody" if there is none.
//
// Cleanup: RunMain stops the shared server and removes its directory after
// the tests. If the test binary dies without getting there (a panic in a
// test, a -timeout, a signal), the kernel stops postgres on Linux (it is
// started with a parent-death signal) and the next Start removes the
// directory left behind.
package pgtest

import (
	"bytes"
	"cmp"
	"context"
	"errors"
	"fmt"
	"net"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
)

const (
	envBinDir   = "ESEP_PG_BINDIR"
	envExternal = "ESEP_TEST_POSTGRES"
	envRequire  = "ESEP_REQUIRE_POSTGRES"

	// superuser is the role initdb creates. It is fixed rather than taken
	// from the OS user so that DSNs look the same for everyone.
	superuser = "postgres"

	dirPrefix = "esep-pgtest-"
	ownerFile = "owner.pid" // PID of the test process that owns the directory

	readyTimeout = 30 * time.Second
	stopTimeout  = 10 * time.Second
)

// ErrNotInstalled is returned (wrapped) by Available and Start when no
// PostgreSQL server binaries can be found.
var ErrNotInstalled = errors.New("no PostgreSQL server binaries")

// serverBinaries are the programs Start runs. A directory qualifies only if it
// holds all of them, so that a client-only install (psql alone) is not
// mistaken for a server.
var serverBinaries = []string{"initdb", "postgres", "psql"}

// Available reports the directory holding the PostgreSQL server binaries, or
// an error wrapping ErrNotInstalled if there is none.
func Available() (binDir string, err error) {
	if dir := os.Getenv(envBinDir); dir != "" {
		if err := checkBinDir(dir); err != nil {
			return "", fmt.Errorf("%w: %s=%s: %v", ErrNotInstalled, envBinDir, dir, err)
		}
		return dir, nil
	}
	for _, dir := range candidateBinDirs() {
		if checkBinDir(dir) == nil {
			return dir, nil
		}
	}
	return "", fmt.Errorf("%w (%s) in $PATH, pg_config --bindir or /usr/lib/postgresql/*/bin",
		ErrNotInstalled, strings.Join(serverBinaries, ", "))
}

// candidateBinDirs lists where the server binaries may be, best first.
func candidateBinDirs() []string {
	var dirs []string
	// PATH first, so a developer can pick a version. Symlinks are resolved
	// because e.g. /usr/local/bin/initdb -> /usr/lib/postgresql/15/bin/initdb
	// does not bring postgres along into /usr/local/bin.
	if p, err := exec.LookPath("initdb"); err == nil {
		if real, err := filepath.EvalSymlinks(p); err == nil {
			p = real
		}
		dirs = append(dirs, filepath.Dir(p))
	}
	if p, err := exec.LookPath("pg_config"); err == nil {
		if out, err := exec.Command(p, "--bindir").Output(); err == nil {
			dirs = append(dirs, strings.TrimSpace(string(out)))
		}
	}
	// Debian/Ubuntu keep each major version apart and put none of the server
	// binaries in PATH; RHEL does the same under /usr/pgsql-N.
	for _, pattern := range []string{"/usr/lib/postgresql/*/bin", "/usr/pgsql-*/bin"} {
		found, _ := filepath.Glob(pattern)
		slices.SortFunc(found, func(a, b string) int { return compareVersions(b, a) }) // newest first
		dirs = append(dirs, found...)
	}
	return append(dirs, "/usr/local/pgsql/bin") // default prefix of a source build
}

// compareVersions orders paths such as /usr/lib/postgresql/9.6/bin and
// /usr/lib/postgresql/15/bin by the version inside them (9.6 < 15).
func compareVersions(a, b string) int {
	version := func(p string) []int {
		var v []int
		for _, f := range strings.FieldsFunc(p, func(r rune) bool { return r < '0' || r > '9' }) {
			n, _ := strconv.Atoi(f)
			v = append(v, n)
		}
		return v
	}
	if c := slices.Compare(version(a), version(b)); c != 0 {
		return c
	}
	return cmp.Compare(a, b)
}

func checkBinDir(dir string) error {
	for _, name := range serverBinaries {
		fi, err := os.Stat(filepath.Join(dir, name))
		if err != nil {
			return err
		}
		if !fi.Mode().IsRegular() || fi.Mode().Perm()&0o111 == 0 {
			return fmt.Errorf("%s is not an executable file", filepath.Join(dir, name))
		}
	}
	return nil
}

// Server is a running PostgreSQL server: one started by Start, or an existing
// one named by ESEP_TEST_POSTGRES.
type Server struct {
	// DSN is the URL of the server's "postgres" database as a superuser, for
	// example postgres://postgres@127.0.0.1:41234/postgres?sslmode=disable.
	DSN string

	external bool   // not ours: never stopped
	binDir   string // where psql is; "" means $PATH
	dir      string // temporary directory: data/, socket, postgres.log
	acct     *account
	major    int // server major version (15), 0 if unknown

	cmd     *exec.Cmd     // the postmaster
	exited  chan struct{} // closed when the postmaster has exited
	waitErr error         // the postmaster's exit status, once exited is closed

	stopOnce sync.Once
	stopErr  error
}

// Start initialises a new database cluster in a temporary directory and
// starts a server on it. The server listens on 127.0.0.1 on a free port and
// on a unix socket in that directory. It is tuned for speed, not safety
// (fsync=off), and has a single superuser "postgres" that needs no password.
// ctx bounds the startup only; the server runs until Stop.
func Start(ctx context.Context) (*Server, error) {
	binDir, err := Available()
	if err != nil {
		return nil, err
	}
	acct, err := serverAccount()
	if err != nil {
		return nil, err
	}
	base := tempBase(acct)
	// Also where an earlier run as another user, or one without /dev/shm,
	// left its directory.
	for _, b := range slices.Compact([]string{base, os.TempDir(), "/tmp"}) {
		sweepStale(b)
	}
	dir, err := os.MkdirTemp(base, dirPrefix+"*")
	if err != nil {
		return nil, fmt.Errorf("pgtest: %w", err)
	}
	s := &Server{binDir: binDir, dir: dir, acct: acct}
	ok := false
	defer func() {
		if !ok {
			s.Stop()
		}
	}()
	// Marks the directory as ours while we live; see sweepStale.
	if err := os.WriteFile(filepath.Join(dir, ownerFile), []byte(strconv.Itoa(os.Getpid())+"\n"), 0o644); err != nil {
		return nil, fmt.Errorf("pgtest: %w", err)
	}
	if acct != nil {
		if err := os.Chown(dir, int(acct.uid), int(acct.gid)); err != nil {
			return nil, fmt.Errorf("pgtest: handing %s to user %s: %w", dir, acct.name, err)
		}
	}

	initdb := exec.CommandContext(ctx, filepath.Join(binDir, "initdb"),
		"--pgdata", s.dataDir(), "--username", superuser, "--auth=trust",
		"--encoding=UTF8", "--no-locale", "--no-sync")
	if out, err := s.run(initdb); err != nil {
		return nil, fmt.Errorf("pgtest: initdb: %w\n%s", err, out)
	}
	if b, err := os.ReadFile(filepath.Join(s.dataDir(), "PG_VERSION")); err == nil {
		s.major, _ = strconv.Atoi(strings.TrimSpace(string(b)))
	}

	// The port is free when we look, but another process (a parallel test
	// binary) may take it before postgres binds it; then try another.
	for attempt := 1; ; attempt++ {
		err = s.launch(ctx)
		if err == nil {
			break
		}
		if !errors.Is(err, errPortTaken) || attempt == 3 {
			return nil, err
		}
	}
	ok = true
	return s, nil
}

var errPortTaken = errors.New("port already in use")

// launch starts the postmaster on a free port and waits until it accepts
// connections.
func (s *Server) launch(ctx context.Context) error {
	port, err := freePort()
	if err != nil {
		return fmt.Errorf("pgtest: finding a free port: %w", err)
	}
	logFile, err := os.OpenFile(s.logPath(), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return fmt.Errorf("pgtest: %w", err)
	}
	defer logFile.Close() // the postmaster has its own descriptor
	cmd := exec.Command(filepath.Join(s.binDir, "postgres"),
		"-D", s.dataDir(),
		"-p", strconv.Itoa(port),
		"-c", "listen_addresses=127.0.0.1",
		"-c", "unix_socket_directories="+s.dir,
		// Durability is pointless for a throwaway cluster; these make
		// commits and CREATE DATABASE cheap.
		"-c", "fsync=off",
		"-c", "synchronous_commit=off",
		"-c", "full_page_writes=off",
		// The defaults today, pinned so that a packaged postgresql.conf
		// cannot make tests flaky with a tiny pool.
		"-c", "max_connections=100",
		"-c", "shared_buffers=128MB",
	)
	cmd.Stdout, cmd.Stderr = logFile, logFile
	s.prepare(cmd, true)
	if err := startPinned(cmd); err != nil {
		return fmt.Errorf("pgtest: starting postgres: %w", err)
	}
	s.cmd, s.exited = cmd, make(chan struct{})
	go func(exited chan struct{}) {
		s.waitErr = cmd.Wait()
		close(exited)
	}(s.exited)

	u := url.URL{
		Scheme:   "postgres",
		User:     url.User(superuser),
		Host:     net.JoinHostPort("127.0.0.1", strconv.Itoa(port)),
		Path:     "/postgres",
		RawQuery: "sslmode=disable",
	}
	s.DSN = u.String()
	return s.waitReady(ctx, port)
}

// waitReady polls until the postmaster reports itself ready and its TCP port
// answers, it exits, or the time runs out.
func (s *Server) waitReady(ctx context.Context, port int) error {
	deadline := time.NewTimer(readyTimeout)
	defer deadline.Stop()
	tick := time.NewTicker(10 * time.Millisecond)
	defer tick.Stop()
	for {
		select {
		case <-s.exited:
			log := s.logTail()
			if strings.Contains(log, "could not create any TCP/IP sockets") {
				return errPortTaken
			}
			return fmt.Errorf("pgtest: postgres exited during startup (%v); log:\n%s", s.waitErr, log)
		case <-ctx.Done():
			return fmt.Errorf("pgtest: waiting for postgres to start: %w; log:\n%s", ctx.Err(), s.logTail())
		case <-deadline.C:
			return fmt.Errorf("pgtest: postgres not ready after %v; log:\n%s", readyTimeout, s.logTail())
		case <-tick.C:
			if s.ready(port) {
				return nil
			}
		}
	}
}

// ready uses the check pg_ctl -w uses (PostgreSQL 10+): the postmaster writes
// "ready" as the 8th line of postmaster.pid once it accepts connections. The
// dial confirms it is our TCP socket that is up.
func (s *Server) ready(port int) bool {
	b, err := os.ReadFile(filepath.Join(s.dataDir(), "postmaster.pid"))
	if err != nil {
		return false
	}
	lines := strings.Split(string(b), "\n")
	if len(lines) < 8 || strings.TrimSpace(lines[7]) != "ready" {
		return false
	}
	c, err := net.DialTimeout("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(port)), time.Second)
	if err != nil {
		return false
	}
	c.Close()
	return true
}

// Stop stops a server started by Start, without a checkpoint, and removes
// its directory. It does nothing for an external server. It is safe to call
// more than once.
func (s *Server) Stop() error {
	if s == nil || s.external {
		return nil
	}
	s.stopOnce.Do(func() { s.stopErr = s.stop() })
	return s.stopErr
}

func (s *Server) stop() error {
	if s.cmd != nil {
		select {
		case <-s.exited:
		default:
			// SIGQUIT is PostgreSQL's "immediate shutdown": the postmaster
			// makes its backends quit and exits, with no checkpoint. It waits
			// for them, so nothing keeps files open in the directory after.
			quit(s.cmd.Process)
			select {
			case <-s.exited:
			case <-time.After(stopTimeout):
				killGroup(s.cmd.Process) // wedged: take the backends too
				<-s.exited
			}
		}
	}
	if err := os.RemoveAll(s.dir); err != nil {
		return fmt.Errorf("pgtest: removing %s: %w", s.dir, err)
	}
	return nil
}

// NewDatabase creates an empty database (UTF8, C collation, from template0)
// and returns its DSN.
func (s *Server) NewDatabase(ctx context.Context, name string) (dsn string, err error) {
	if err := checkDatabaseName(name); err != nil {
		return "", err
	}
	// template0 rather than template1: it is guaranteed empty, and nobody
	// can be connected to it, so parallel creates never fail with "source
	// database is being accessed by other users". Explicit C collation keeps
	// an external server consistent with ours (initdb --no-locale).
	sql := "CREATE DATABASE " + quoteIdent(name) +
		" TEMPLATE template0 ENCODING 'UTF8' LC_COLLATE 'C' LC_CTYPE 'C'"
	if s.major >= 15 {
		// The default since 15, WAL_LOG, writes the whole template (7 MB)
		// to the WAL: slower than copying the files when fsync is off, and
		// it makes the WAL grow with every test.
		sql += " STRATEGY = FILE_COPY"
	}
	if err := s.psql(ctx, sql); err != nil {
		return "", fmt.Errorf("pgtest: creating database %q: %w", name, err)
	}
	return withDatabase(s.DSN, name)
}

// DropDatabase drops a database, disconnecting any sessions still using it
// (PostgreSQL 13+). Dropping a database that does not exist is not an error.
func (s *Server) DropDatabase(ctx context.Context, name string) error {
	if err := checkDatabaseName(name); err != nil {
		return err
	}
	if err := s.psql(ctx, "DROP DATABASE IF EXISTS "+quoteIdent(name)+" WITH (FORCE)"); err != nil {
		return fmt.Errorf("pgtest: dropping database %q: %w", name, err)
	}
	return nil
}

// psql runs one SQL statement in the server's "postgres" database.
func (s *Server) psql(ctx context.Context, sql string) error {
	bin := "psql"
	if s.binDir != "" {
		bin = filepath.Join(s.binDir, "psql")
	}
	cmd := exec.CommandContext(ctx, bin, "--no-psqlrc", "--quiet",
		"--set", "ON_ERROR_STOP=1", "--dbname", s.DSN, "--command", sql)
	if !s.external {
		// Our server needs nothing from the environment, and stray PG*
		// variables (PGSSLMODE, PGOPTIONS, ...) could only break things. An
		// external server may need PGPASSWORD & co.
		cmd.Env = cleanEnv()
	}
	out, err := cmd.CombinedOutput()
	if err != nil {
		return fmt.Errorf("%w: %s", err, bytes.TrimSpace(out))
	}
	return nil
}

// useExisting wraps an existing server, named by a postgres:// URL.
func useExisting(dsn string) (*Server, error) {
	u, err := url.Parse(dsn)
	if err != nil {
		return nil, err
	}
	if u.Scheme != "postgres" && u.Scheme != "postgresql" {
		return nil, fmt.Errorf("%q is not a postgres:// URL", dsn)
	}
	s := &Server{DSN: dsn, external: true}
	// Prefer the psql that matches the server binaries, if any; otherwise
	// rely on a client in PATH (e.g. Debian's postgresql-client).
	if dir, err := Available(); err == nil {
		s.binDir = dir
	} else if _, err := exec.LookPath("psql"); err != nil {
		return nil, fmt.Errorf("psql is needed to create databases: %w", err)
	}
	return s, nil
}

// withDatabase returns dsn with its database replaced by name.
func withDatabase(dsn, name string) (string, error) {
	u, err := url.Parse(dsn)
	if err != nil {
		return "", fmt.Errorf("pgtest: %w", err)
	}
	// RawPath too, or a "/" in the name would not be escaped.
	u.Path, u.RawPath = "/"+name, "/"+url.PathEscape(name)
	return u.String(), nil
}

func checkDatabaseName(name string) error {
	switch {
	case name == "":
		return errors.New("pgtest: empty database name")
	case len(name) > 63:
		// PostgreSQL would silently truncate it, and the DSN would not match.
		return fmt.Errorf("pgtest: database name %q longer than 63 bytes", name)
	case strings.ContainsRune(name, 0):
		return fmt.Errorf("pgtest: database name %q contains NUL", name)
	}
	return nil
}

func quoteIdent(s string) string {
	return `"` + strings.ReplaceAll(s, `"`, `""`) + `"`
}

func (s *Server) dataDir() string { return filepath.Join(s.dir, "data") }
func (s *Server) logPath() string { return filepath.Join(s.dir, "postgres.log") }

// logTail returns the end of the server log, for error messages.
func (s *Server) logTail() string {
	b, _ := os.ReadFile(s.logPath())
	const limit = 4000
	if len(b) > limit {
		b = b[len(b)-limit:]
	}
	return string(b)
}

// prepare sets up cmd to run as the server account, in the server directory
// (its working directory must be accessible to that account), with a
// predictable environment.
func (s *Server) prepare(cmd *exec.Cmd, ownGroup bool) {
	cmd.Dir = s.dir
	cmd.Env = cleanEnv()
	cmd.SysProcAttr = sysProcAttr(s.acct, ownGroup)
}

// run runs a short-lived server-side program such as initdb.
func (s *Server) run(cmd *exec.Cmd) ([]byte, error) {
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	s.prepare(cmd, false)
	if err := startPinned(cmd); err != nil {
		return nil, err
	}
	err := cmd.Wait()
	return out.Bytes(), err
}

// cleanEnv is the environment minus PG* variables (PGDATA, PGPORT, ...,
// which the tools would otherwise pick up), with messages in English so that
// the log can be matched.
func cleanEnv() []string {
	env := []string{"LC_ALL=C"}
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "PG") && !strings.HasPrefix(kv, "LC_") && !strings.HasPrefix(kv, "LANG") {
			env = append(env, kv)
		}
	}
	return env
}

// tempBase is where server directories go: memory if possible (see
// memoryBase), else the temporary directory. The unix socket lives there, and
// socket paths are limited to about 100 bytes, so a long $TMPDIR (macOS) is
// avoided; so is a $TMPDIR that the server account may not be able to
// traverse when we run as root.
func tempBase(acct *account) string {
	if base := memoryBase(); base != "" {
		return base
	}
	if base := os.TempDir(); acct == nil && len(base) <= 60 {
		return base
	}
	return "/tmp"
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// sweepStale removes server directories whose test process died without
// stopping its server (a panic or a timeout skips RunMain's cleanup). A
// directory is left alone while its owner or its postmaster still runs, or
// if it cannot tell (no owner file yet, or someone else's directory).
func sweepStale(base string) {
	dirs, _ := filepath.Glob(filepath.Join(base, dirPrefix+"*"))
	for _, dir := range dirs {
		owner, ok := readPID(filepath.Join(dir, ownerFile))
		if !ok || owner == os.Getpid() || alive(owner) {
			continue
		}
		if pm, ok := readPID(filepath.Join(dir, "data", "postmaster.pid")); ok && alive(pm) {
			continue
		}
		os.RemoveAll(dir)
	}
}

// readPID reads the PID on the first line of a file.
func readPID(path string) (int, bool) {
	b, err := os.ReadFile(path)
	if err != nil {
		return 0, false
	}
	line, _, _ := strings.Cut(string(b), "\n")
	pid, err := strconv.Atoi(strings.TrimSpace(line))
	return pid, err == nil && pid > 0
}

// spawn carries start requests to a goroutine locked to its own OS thread.
var (
	spawnOnce sync.Once
	spawn     chan func()
)

// startPinned starts cmd from a thread that lives as long as the process.
// Linux sends the parent-death signal when the thread that forked the child
// exits, not the process (go.dev/issue/27505), and Go may end a thread while
// the process lives on, which would kill the server under a running test.
func startPinned(cmd *exec.Cmd) error {
	spawnOnce.Do(func() {
		spawn = make(chan func())
		go func() {
			runtime.LockOSThread() // never unlocked, so the thread never exits
			for f := range spawn {
				f()
			}
		}()
	})
	errc := make(chan error, 1)
	spawn <- func() { errc <- cmd.Start() }
	return <-errc
}
