package pgtest

import "syscall"

// setParentDeathSignal makes the kernel send SIGQUIT (PostgreSQL's immediate
// shutdown) to the server when the test binary dies before it can stop it:
// a panic in a test, a -timeout, a kill. Go applies it after switching user,
// which would otherwise clear it.
func setParentDeathSignal(attr *syscall.SysProcAttr) { attr.Pdeathsig = syscall.SIGQUIT }

// memoryBase returns /dev/shm if it is a tmpfs with room to spare, else "".
// Even with fsync=off, initdb and CREATE DATABASE create and delete many
// files, which costs several times more on a disk than in memory (measured on
// a CI-like VM: initdb 0.45 s vs 1.1-1.4 s, CREATE DATABASE 26 ms vs 230 ms).
// A cluster takes about 40 MB plus about 8 MB per database; the margin keeps
// a small container /dev/shm (Docker's default is 64 MB) out of it.
func memoryBase() string {
	const (
		dir        = "/dev/shm"
		tmpfsMagic = 0x01021994
		minFree    = 2 << 30
	)
	var st syscall.Statfs_t
	if syscall.Statfs(dir, &st) != nil || st.Type != tmpfsMagic || st.Bavail*uint64(st.Bsize) < minFree {
		return ""
	}
	if syscall.Access(dir, 2 /* W_OK */) != nil {
		return ""
	}
	return dir
}
