//go:build unix

package pgtest

import (
	"errors"
	"os"
	"os/user"
	"strconv"
	"syscall"
)

// account is the OS user the server runs as when that is not the current
// user.
type account struct {
	name     string
	uid, gid uint32
}

// serverAccount returns the user to run the server as: nil (the current
// user) unless we are root, which PostgreSQL refuses to run as.
func serverAccount() (*account, error) {
	if os.Geteuid() != 0 {
		return nil, nil
	}
	// "postgres" exists wherever the Debian package is installed; "nobody"
	// is the fallback for binaries installed some other way.
	for _, name := range []string{"postgres", "nobody"} {
		u, err := user.Lookup(name)
		if err != nil {
			continue
		}
		uid, err1 := strconv.ParseUint(u.Uid, 10, 32)
		gid, err2 := strconv.ParseUint(u.Gid, 10, 32)
		if err1 != nil || err2 != nil || uid == 0 {
			continue
		}
		return &account{name: name, uid: uint32(uid), gid: uint32(gid)}, nil
	}
	return nil, errors.New("pgtest: running as root, and there is no postgres or nobody user to run the server as (PostgreSQL refuses to run as root)")
}

// sysProcAttr runs a server program as acct (if not nil), dying with the test
// process where the OS allows. ownGroup puts it in a process group of its
// own, so that a wedged server can be killed along with all its backends,
// and so that a ^C in the terminal reaches only the test binary instead of
// racing it to shut the server down.
func sysProcAttr(acct *account, ownGroup bool) *syscall.SysProcAttr {
	attr := &syscall.SysProcAttr{Setpgid: ownGroup}
	if acct != nil {
		// Groups is empty, not nil: drop root's supplementary groups.
		attr.Credential = &syscall.Credential{Uid: acct.uid, Gid: acct.gid, Groups: []uint32{}}
	}
	setParentDeathSignal(attr)
	return attr
}

// quit asks the postmaster for an immediate shutdown.
func quit(p *os.Process) { p.Signal(syscall.SIGQUIT) }

// killGroup kills p and its process group (the postmaster and its backends).
// p must not have been reaped yet, so that its PID cannot have been reused.
func killGroup(p *os.Process) {
	syscall.Kill(-p.Pid, syscall.SIGKILL)
	p.Kill()
}

// alive reports whether a process exists (EPERM: it does, but is not ours).
func alive(pid int) bool {
	err := syscall.Kill(pid, 0)
	return err == nil || errors.Is(err, syscall.EPERM)
}
