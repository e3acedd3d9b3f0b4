// Package sqlite opens esep's embedded database: one SQLite file through the
// pure-Go modernc.org/sqlite driver, so the binary needs no C library and no
// server. It also carries the SQLite dialect of the migrations.
package sqlite

import (
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"runtime"
	"strings"

	sqlite3 "modernc.org/sqlite"
	sqlite3lib "modernc.org/sqlite/lib"
)

// IdentityColumn is an auto-numbered primary key: in SQLite exactly
// "INTEGER PRIMARY KEY" makes the column the rowid.
const IdentityColumn = "id INTEGER PRIMARY KEY"

// Open opens (creating if needed) the database file at path and returns two
// pools: a writer with a single connection, because SQLite allows one writer
// at a time and a queue in Go is kinder than "database is locked", and a
// reader pool for concurrent reads, which WAL mode lets run beside the
// writer.
func Open(path string) (writer, reader *sql.DB, err error) {
	writer, err = sql.Open("sqlite", dsn(path, true))
	if err != nil {
		return nil, nil, fmt.Errorf("open sqlite %s: %w", path, err)
	}
	writer.SetMaxOpenConns(1)
	if err := writer.Ping(); err != nil {
		writer.Close()
		return nil, nil, fmt.Errorf("open sqlite %s: %w", path, MapError(err))
	}
	reader, err = sql.Open("sqlite", dsn(path, false))
	if err != nil {
		writer.Close()
		return nil, nil, fmt.Errorf("open sqlite %s: %w", path, err)
	}
	// All of them stay open when idle (database/sql keeps two by
	// default): under load a connection closed and opened again costs its
	// pragmas and the statements prepared on it.
	n := max(4, runtime.NumCPU())
	reader.SetMaxOpenConns(n)
	reader.SetMaxIdleConns(n)
	return writer, reader, nil
}

// dsn sets the pragmas on every connection the pool opens. busy_timeout
// comes first so that switching to WAL waits for another process instead of
// failing; immediate transactions take the write lock at BEGIN, so a writer
// never fails half-way through on an upgrade from a read lock.
func dsn(path string, write bool) string {
	q := url.Values{}
	q.Add("_pragma", "busy_timeout(10000)")
	q.Add("_pragma", "journal_mode(WAL)")
	q.Add("_pragma", "foreign_keys(1)")
	q.Add("_pragma", "synchronous(NORMAL)")
	q.Add("_pragma", "cache_size(-65536)")
	q.Add("_pragma", "temp_store(MEMORY)")
	if write {
		q.Set("_txlock", "immediate")
	} else {
		q.Add("_pragma", "query_only(1)")
	}
	return "file:" + escapePath(path) + "?" + q.Encode()
}

func escapePath(p string) string {
	return strings.NewReplacer("?", "%3f", "#", "%23").Replace(p)
}

// ErrConflict is a constraint violation: a unique key or a foreign key.
var ErrConflict = errors.New("sqlite: constraint violation")

// ErrBusy means another process held the database longer than the timeout.
var ErrBusy = errors.New("sqlite: database is busy")

// MapError turns driver errors into the sentinels above, so nothing outside
// this package matches a driver's message text.
func MapError(err error) error {
	var se *sqlite3.Error
	if !errors.As(err, &se) {
		return err
	}
	switch se.Code() & 0xff {
	case sqlite3lib.SQLITE_CONSTRAINT:
		return fmt.Errorf("%w: %v", ErrConflict, err)
	case sqlite3lib.SQLITE_BUSY, sqlite3lib.SQLITE_LOCKED:
		return fmt.Errorf("%w: %v", ErrBusy, err)
	}
	return err
}
