package pgtest

import (
	"errors"
	"fmt"
	"net"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
)

func TestMain(m *testing.M) { RunMain(m) }

// start starts a private server, skipping or failing like Shared does when
// PostgreSQL is unavailable.
func start(t *testing.T) *Server {
	t.Helper()
	t0 := time.Now()
	s, err := Start(t.Context())
	if err != nil {
		unavailable(t, err)
	}
	t.Logf("Start took %v", time.Since(t0).Round(time.Millisecond))
	t.Cleanup(func() { s.Stop() })
	return s
}

// query runs one query with psql against dsn and returns its output.
func query(dsn, sql string) (string, error) {
	psql := "psql"
	if dir, err := Available(); err == nil {
		psql = filepath.Join(dir, "psql")
	}
	cmd := exec.Command(psql, "--no-psqlrc", "--tuples-only", "--no-align", "--dbname", dsn, "--command", sql)
	cmd.Env = cleanEnv()
	out, err := cmd.CombinedOutput()
	if err != nil {
		return "", fmt.Errorf("psql %s -c %q: %w: %s", dsn, sql, err, out)
	}
	return strings.TrimSpace(string(out)), nil
}

func mustQuery(t *testing.T, dsn, sql string) string {
	t.Helper()
	out, err := query(dsn, sql)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func TestStartStop(t *testing.T) {
	s := start(t)
	if !strings.HasPrefix(s.DSN, "postgres://postgres@127.0.0.1:") || !strings.HasSuffix(s.DSN, "/postgres?sslmode=disable") {
		t.Errorf("DSN = %q, want postgres://postgres@127.0.0.1:PORT/postgres?sslmode=disable", s.DSN)
	}
	for setting, want := range map[string]string{
		"fsync": "off", "synchronous_commit": "off", "full_page_writes": "off",
		"max_connections": "100", "shared_buffers": "128MB",
		"listen_addresses": "127.0.0.1", "server_encoding": "UTF8", "lc_collate": "C",
	} {
		if got := mustQuery(t, s.DSN, "SHOW "+setting); got != want {
			t.Errorf("SHOW %s = %q, want %q", setting, got, want)
		}
	}

	// The second name needs quoting in SQL and escaping in the URL.
	names := []string{"alpha", `Mixed "Case" db`}
	dsns := map[string]string{}
	for _, name := range names {
		t0 := time.Now()
		dsn, err := s.NewDatabase(t.Context(), name)
		if err != nil {
			t.Fatal(err)
		}
		t.Logf("NewDatabase(%q) took %v: %s", name, time.Since(t0).Round(time.Millisecond), dsn)
		dsns[name] = dsn
	}
	for name, dsn := range dsns {
		if got := mustQuery(t, dsn, "SELECT current_database()"); got != name {
			t.Errorf("psql %s: current_database() = %q, want %q", dsn, got, name)
		}
		if got := mustQuery(t, dsn, "SELECT count(*) FROM pg_class WHERE relnamespace = 'public'::regnamespace"); got != "0" {
			t.Errorf("%s: %s relations in public, want an empty database", name, got)
		}
	}
	// One database's tables are not visible in the other.
	mustQuery(t, dsns["alpha"], "CREATE TABLE only_in_alpha (x int)")
	if got := mustQuery(t, dsns[names[1]], "SELECT count(*) FROM pg_tables WHERE tablename = 'only_in_alpha'"); got != "0" {
		t.Errorf("table created in alpha is visible in %q", names[1])
	}

	if _, err := s.NewDatabase(t.Context(), "alpha"); err == nil || !strings.Contains(err.Error(), "already exists") {
		t.Errorf("creating alpha twice: err = %v, want already exists", err)
	}
	for _, bad := range []string{"", strings.Repeat("x", 64)} {
		if _, err := s.NewDatabase(t.Context(), bad); err == nil {
			t.Errorf("NewDatabase(%q) succeeded, want an error", bad)
		}
	}

	dir, proc, addr := s.dir, s.cmd.Process, strings.TrimPrefix(strings.Split(s.DSN, "/")[2], "postgres@")
	t0 := time.Now()
	if err := s.Stop(); err != nil {
		t.Fatal(err)
	}
	t.Logf("Stop took %v", time.Since(t0).Round(time.Millisecond))
	if _, err := os.Stat(dir); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("after Stop, %s: err = %v, want it gone", dir, err)
	}
	if alive(proc.Pid) {
		t.Errorf("after Stop, postmaster %d still exists", proc.Pid)
	}
	if c, err := net.DialTimeout("tcp", addr, time.Second); err == nil {
		c.Close()
		t.Errorf("after Stop, %s still accepts connections", addr)
	}
	if err := s.Stop(); err != nil {
		t.Errorf("second Stop: %v", err)
	}
}

func TestDatabase(t *testing.T) {
	a, b := Database(t), Database(t)
	if a == b {
		t.Fatalf("Database returned %s twice", a)
	}
	for _, dsn := range []string{a, b} {
		u, err := url.Parse(dsn)
		if err != nil {
			t.Fatal(err)
		}
		name := strings.TrimPrefix(u.Path, "/")
		if !strings.HasPrefix(name, "t_testdatabase_") {
			t.Errorf("database %q is not named after the test", name)
		}
		if got := mustQuery(t, dsn, "SELECT current_database()"); got != name {
			t.Errorf("current_database() = %q, want %q", got, name)
		}
	}
	if first, second := Shared(t), Shared(t); first != second {
		t.Error("Shared returned two servers")
	}
}

func TestDatabaseParallel(t *testing.T) {
	for i := range 8 {
		t.Run(fmt.Sprint(i), func(t *testing.T) {
			t.Parallel()
			mustQuery(t, Database(t), "CREATE TABLE t (x int); INSERT INTO t VALUES (1)")
		})
	}
}

// TestExisting uses a server of ours as if it were named by
// ESEP_TEST_POSTGRES.
func TestExisting(t *testing.T) {
	own := start(t)
	s, err := useExisting(own.DSN)
	if err != nil {
		t.Fatal(err)
	}
	dsn, err := s.NewDatabase(t.Context(), "ext")
	if err != nil {
		t.Fatal(err)
	}
	mustQuery(t, dsn, "SELECT 1")
	if err := s.DropDatabase(t.Context(), "ext"); err != nil {
		t.Fatal(err)
	}
	if _, err := query(dsn, "SELECT 1"); err == nil {
		t.Error("dropped database still accepts connections")
	}
	if err := s.DropDatabase(t.Context(), "ext"); err != nil {
		t.Errorf("dropping a missing database: %v", err)
	}
	if err := s.Stop(); err != nil {
		t.Fatal(err)
	}
	mustQuery(t, own.DSN, "SELECT 1") // Stop leaves an external server alone

	for _, bad := range []string{"mysql://root@localhost/db", "host=localhost dbname=x", "postgres://[::1"} {
		t.Setenv(envExternal, bad)
		_, err := startShared()
		if err == nil {
			t.Errorf("%s=%s: no error", envExternal, bad)
			continue
		}
		if v := decide(err, false); !v.fail {
			t.Errorf("%s=%s: %+v, want a failure even when not required", envExternal, bad, v)
		}
	}
}

func TestBogusBinDir(t *testing.T) {
	empty := t.TempDir()
	notExec := t.TempDir()
	for _, name := range serverBinaries {
		if err := os.WriteFile(filepath.Join(notExec, name), nil, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	for _, dir := range []string{empty, notExec, "/nonexistent/bin"} {
		t.Setenv(envBinDir, dir)
		if got, err := Available(); !errors.Is(err, ErrNotInstalled) {
			t.Errorf("Available() with %s=%s = %q, %v; want ErrNotInstalled", envBinDir, dir, got, err)
		}
		s, err := Start(t.Context())
		if !errors.Is(err, ErrNotInstalled) {
			s.Stop()
			t.Fatalf("Start with %s=%s: err = %v, want ErrNotInstalled", envBinDir, dir, err)
		}
		if v := decide(err, false); v.fail || !strings.HasPrefix(v.msg, "PostgreSQL binaries not found (") || !strings.HasSuffix(v.msg, "): the PostgreSQL suite is skipped") {
			t.Errorf("not required: %+v, want a skip", v)
		}
		if v := decide(err, true); !v.fail {
			t.Errorf("required: %+v, want a failure", v)
		}
	}
}

func TestDecide(t *testing.T) {
	notFound := fmt.Errorf("%w (initdb)", ErrNotInstalled)
	startFailed := errors.New("pgtest: postgres exited during startup")
	external := fmt.Errorf("%w: bad URL", errExternal)
	for _, tc := range []struct {
		err      error
		required bool
		fail     bool
		prefix   string
	}{
		{notFound, false, false, "PostgreSQL binaries not found"},
		{notFound, true, true, "PostgreSQL binaries not found"},
		{startFailed, false, false, "the PostgreSQL test server did not start"},
		{startFailed, true, true, "the PostgreSQL test server did not start"},
		{external, false, true, "the PostgreSQL server in ESEP_TEST_POSTGRES"},
		{external, true, true, "the PostgreSQL server in ESEP_TEST_POSTGRES"},
	} {
		v := decide(tc.err, tc.required)
		if v.fail != tc.fail || !strings.HasPrefix(v.msg, tc.prefix) || !strings.Contains(v.msg, tc.err.Error()) {
			t.Errorf("decide(%v, %v) = %+v, want fail=%v and a message starting %q", tc.err, tc.required, v, tc.fail, tc.prefix)
		}
	}
}

// fakeTB records what unavailable and Shared do to a test.
type fakeTB struct {
	testing.TB
	skipped, failed string
}

func (f *fakeTB) Helper()           {}
func (f *fakeTB) Skip(args ...any)  { f.skipped = fmt.Sprint(args...) }
func (f *fakeTB) Fatal(args ...any) { f.failed = fmt.Sprint(args...) }

func TestUnavailable(t *testing.T) {
	// Capture the banner, so that it does not claim in the test log that
	// PostgreSQL is missing.
	var banner strings.Builder
	bannerOut, bannerOnce = &banner, sync.Once{}
	defer func() { bannerOut, bannerOnce = os.Stderr, sync.Once{} }()

	err := fmt.Errorf("%w (initdb)", ErrNotInstalled)
	for _, tc := range []struct {
		env  string
		fail bool
	}{{"", false}, {"0", false}, {"false", false}, {"1", true}, {"true", true}, {"yes", true}} {
		t.Setenv(envRequire, tc.env)
		var tb fakeTB
		unavailable(&tb, err)
		if tc.fail && (tb.failed == "" || tb.skipped != "") || !tc.fail && (tb.skipped == "" || tb.failed != "") {
			t.Errorf("%s=%q: skipped %q, failed %q; want fail=%v", envRequire, tc.env, tb.skipped, tb.failed, tc.fail)
		}
	}
	if got := banner.String(); strings.Count(got, "SKIPPED") != 1 {
		t.Errorf("banner printed %d times, want once:\n%s", strings.Count(got, "SKIPPED"), got)
	}
}

func TestSharedNeedsRunMain(t *testing.T) {
	runMainActive.Store(false)
	defer runMainActive.Store(true)
	var tb fakeTB
	if s := Shared(&tb); s != nil || !strings.Contains(tb.failed, "RunMain") {
		t.Errorf("Shared without RunMain = %v, failed %q; want a failure naming RunMain", s, tb.failed)
	}
}

func TestDatabaseName(t *testing.T) {
	seen := map[string]bool{}
	for _, test := range []string{"TestX", "TestSave/empty_row#01", strings.Repeat("TestVeryLong/", 20), "Тест/ünïcode"} {
		name := databaseName(test)
		if len(name) > 63 || !strings.HasPrefix(name, "t_") || strings.Trim(name, "abcdefghijklmnopqrstuvwxyz0123456789_") != "" || seen[name] {
			t.Errorf("databaseName(%q) = %q", test, name)
		}
		seen[name] = true
	}
	if got := databaseName("TestSave/empty_row"); !strings.HasPrefix(got, "t_testsave_empty_row_") {
		t.Errorf("databaseName(TestSave/empty_row) = %q", got)
	}
}

func TestWithDatabase(t *testing.T) {
	got, err := withDatabase("postgres://u:p@h:5/postgres?sslmode=disable&x=y", "a b/c")
	if want := "postgres://u:p@h:5/a%20b%2Fc?sslmode=disable&x=y"; err != nil || got != want {
		t.Errorf("withDatabase = %q, %v; want %q", got, err, want)
	}
}

func TestSweepStale(t *testing.T) {
	// A PID that certainly belonged to a process that has exited.
	done := exec.Command(os.Args[0], "-test.run=^$")
	if err := done.Run(); err != nil {
		t.Fatal(err)
	}
	dead, me := fmt.Sprint(done.ProcessState.Pid()), fmt.Sprint(os.Getpid())

	base := t.TempDir()
	mk := func(name, owner, postmaster string) string {
		dir := filepath.Join(base, dirPrefix+name)
		if err := os.MkdirAll(filepath.Join(dir, "data"), 0o700); err != nil {
			t.Fatal(err)
		}
		if owner != "" {
			os.WriteFile(filepath.Join(dir, ownerFile), []byte(owner+"\n"), 0o644)
		}
		if postmaster != "" {
			os.WriteFile(filepath.Join(dir, "data", "postmaster.pid"), []byte(postmaster+"\n/data\n"), 0o644)
		}
		return dir
	}
	gone := mk("dead", dead, "")
	keep := []string{
		mk("mine", me, ""),
		mk("starting", "", ""),       // owner file not written yet
		mk("serving", dead, me),      // its postmaster still runs
		mk("garbled", "x", ""),       // cannot tell
		filepath.Join(base, "other"), // not ours at all
	}
	os.Mkdir(keep[len(keep)-1], 0o700)

	sweepStale(base)
	if _, err := os.Stat(gone); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("%s survived: %v", gone, err)
	}
	for _, dir := range keep {
		if _, err := os.Stat(dir); err != nil {
			t.Errorf("%s was removed", dir)
		}
	}
}

func TestCompareVersions(t *testing.T) {
	dirs := []string{"/usr/lib/postgresql/15/bin", "/usr/lib/postgresql/9.6/bin", "/usr/lib/postgresql/16/bin"}
	slices.SortFunc(dirs, compareVersions)
	want := []string{"/usr/lib/postgresql/9.6/bin", "/usr/lib/postgresql/15/bin", "/usr/lib/postgresql/16/bin"}
	if !slices.Equal(dirs, want) {
		t.Errorf("sorted %v, want %v", dirs, want)
	}
}
