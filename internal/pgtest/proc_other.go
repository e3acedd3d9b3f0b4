//go:build !unix

package pgtest

import (
	"errors"
	"os"
	"syscall"
)

// Non-unix systems only get enough to compile: Start fails there, and the
// PostgreSQL tests skip (or fail under ESEP_REQUIRE_POSTGRES).

type account struct {
	name     string
	uid, gid uint32
}

func serverAccount() (*account, error) {
	return nil, errors.New("pgtest: starting a server is only supported on unix systems; set ESEP_TEST_POSTGRES")
}

func sysProcAttr(*account, bool) *syscall.SysProcAttr { return nil }
func quit(p *os.Process)                              { p.Kill() }
func killGroup(p *os.Process)                         { p.Kill() }
func alive(int) bool                                  { return true } // never sweep: cannot tell

func memoryBase() string { return "" }
