package pgtest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// The server shared by the tests of one test binary.
var (
	sharedOnce sync.Once
	sharedSrv  *Server
	sharedErr  error

	runMainActive atomic.Bool

	bannerOnce sync.Once
	bannerOut  io.Writer = os.Stderr // a variable for tests
)

// RunMain runs the tests and then stops the shared server. Every package that
// uses Shared or Database must call it from TestMain:
//
//	func TestMain(m *testing.M) { pgtest.RunMain(m) }
//
// Without it nothing would stop the server at exit; Shared fails the test
// rather than leak it.
func RunMain(m *testing.M) {
	runMainActive.Store(true)
	code := m.Run()
	if err := stopShared(); err != nil {
		fmt.Fprintf(os.Stderr, "pgtest: stopping the shared PostgreSQL server: %v\n", err)
	}
	os.Exit(code)
}

func stopShared() error {
	if sharedSrv == nil {
		return nil
	}
	return sharedSrv.Stop()
}

// Shared returns the server shared by all tests of the test binary, starting
// it on first use (or connecting to ESEP_TEST_POSTGRES). If PostgreSQL is not
// available it skips the test, loudly, or fails it under
// ESEP_REQUIRE_POSTGRES=1.
func Shared(tb testing.TB) *Server {
	tb.Helper()
	if !runMainActive.Load() {
		tb.Fatal("pgtest: TestMain must call pgtest.RunMain(m), which stops the shared PostgreSQL server after the tests")
		return nil
	}
	sharedOnce.Do(func() { sharedSrv, sharedErr = startShared() })
	if sharedErr != nil {
		unavailable(tb, sharedErr)
		return nil
	}
	return sharedSrv
}

// errExternal marks a failure to use the server named by ESEP_TEST_POSTGRES.
var errExternal = errors.New(envExternal)

func startShared() (*Server, error) {
	if dsn := os.Getenv(envExternal); dsn != "" {
		s, err := useExisting(dsn)
		if err != nil {
			return nil, fmt.Errorf("%w: %v", errExternal, err)
		}
		return s, nil
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	return Start(ctx)
}

// Database creates a fresh, empty database on the shared server and returns
// its DSN. The name is derived from the test's name, plus a random suffix so
// that parallel runs against one external server do not collide. On an
// external server the database is dropped when the test ends.
func Database(tb testing.TB) string {
	tb.Helper()
	s := Shared(tb)
	if s == nil {
		return "" // only reached with a testing.TB whose Skip/Fatal return
	}
	name := databaseName(tb.Name())
	dsn, err := s.NewDatabase(tb.Context(), name)
	if err != nil {
		tb.Fatal(err)
	}
	if s.external {
		tb.Cleanup(func() {
			// tb.Context is already canceled when cleanups run.
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			if err := s.DropDatabase(ctx, name); err != nil {
				tb.Errorf("pgtest: %v", err)
			}
		})
	}
	return dsn
}

var dbSeq atomic.Int64

// databaseName turns a test name such as "TestSave/empty_row" into a database
// name such as "t_testsave_empty_row_3_9f2c01ab": lower case (unquoted SQL
// and psql users expect it) and short enough for PostgreSQL's 63 bytes.
func databaseName(testName string) string {
	var b strings.Builder
	b.WriteString("t_")
	underscore := true
	for _, r := range strings.ToLower(testName) {
		if b.Len() >= 40 {
			break
		}
		switch {
		case r >= 'a' && r <= 'z' || r >= '0' && r <= '9':
			b.WriteRune(r)
			underscore = false
		case !underscore:
			b.WriteByte('_')
			underscore = true
		}
	}
	if !underscore {
		b.WriteByte('_')
	}
	var rnd [4]byte
	rand.Read(rnd[:])
	return b.String() + strconv.FormatInt(dbSeq.Add(1), 10) + "_" + hex.EncodeToString(rnd[:])
}

// verdict is what a test does when the shared server is unavailable.
type verdict struct {
	fail bool
	msg  string
}

// decide turns the reason the server is unavailable into a skip or a
// failure. Missing binaries and a server that will not start skip, so that
// the rest of the suite runs on a machine without PostgreSQL, unless
// required (CI). A bad ESEP_TEST_POSTGRES always fails: someone asked for
// that server explicitly.
func decide(err error, required bool) verdict {
	var what string
	switch {
	case errors.Is(err, errExternal):
		return verdict{fail: true, msg: fmt.Sprintf("the PostgreSQL server in %s is unusable (%v)", envExternal, err)}
	case errors.Is(err, ErrNotInstalled):
		what = fmt.Sprintf("PostgreSQL binaries not found (%v)", err)
	default:
		what = fmt.Sprintf("the PostgreSQL test server did not start (%v)", err)
	}
	if required {
		return verdict{fail: true, msg: what + ": a failure because " + envRequire + " is set"}
	}
	return verdict{msg: what + ": the PostgreSQL suite is skipped"}
}

// required reports whether ESEP_REQUIRE_POSTGRES asks for PostgreSQL. Any
// value but "" and the false ones ("0", "false", ...) does: a typo should not
// turn a required suite into a skipped one.
func required() bool {
	v := os.Getenv(envRequire)
	if v == "" {
		return false
	}
	b, err := strconv.ParseBool(v)
	return b || err != nil
}

// unavailable skips or fails tb because the shared server is unavailable.
func unavailable(tb testing.TB, err error) {
	tb.Helper()
	v := decide(err, required())
	if v.fail {
		tb.Fatal(v.msg)
		return
	}
	// Skips are listed only by go test -v. The banner, once per test binary,
	// also shows in a plain go test run in the package directory, and in
	// the output of a package that fails.
	bannerOnce.Do(func() {
		fmt.Fprintf(bannerOut, "\n*** pgtest: %s.\n*** pgtest: PostgreSQL tests are SKIPPED. Install the Debian package postgresql, or set %s=postgres://...; %s=1 makes this a failure.\n\n",
			v.msg, envExternal, envRequire)
	})
	tb.Skip(v.msg)
}
