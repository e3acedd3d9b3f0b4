//go:build !linux

package main

import "os/exec"

// apiDieWithParent has no portable equivalent off Linux: the benchmark stops
// its server itself.
func apiDieWithParent(*exec.Cmd) {}
