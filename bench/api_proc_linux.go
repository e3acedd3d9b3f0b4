package main

import (
	"os/exec"
	"syscall"
)

// apiDieWithParent makes the kernel stop the server if the benchmark dies
// without stopping it (a panic, a kill): a forgotten server would go on
// holding a port and the database.
func apiDieWithParent(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
}
