//go:build unix && !linux

package pgtest

import "syscall"

// setParentDeathSignal does nothing: there is no parent-death signal here, so
// a server whose test binary dies keeps running until killed; its directory
// is still swept by the next Start once it is gone.
func setParentDeathSignal(*syscall.SysProcAttr) {}

// memoryBase returns "": no known memory file system to prefer.
func memoryBase() string { return "" }
