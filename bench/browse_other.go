//go:build !linux

package main

import "errors"

// browseEvict is only written for Linux.
func browseEvict(string) error { return errors.New("cannot drop a file from the page cache here") }
