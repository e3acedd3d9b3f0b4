// Package postgres opens esep's production database, a PostgreSQL server,
// through pgx's database/sql driver, so that the same SQL code serves both
// engines. It also carries the PostgreSQL dialect of the migrations.
package postgres

import (
	"database/sql"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5/pgconn"
	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" driver
)

// IdentityColumn is an auto-numbered primary key.
const IdentityColumn = "id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY"

// Open connects to the server at url (postgres://...) and checks that it
// answers.
func Open(url string) (*sql.DB, error) {
	db, err := sql.Open("pgx", url)
	if err != nil {
		return nil, fmt.Errorf("open postgres: %w", err)
	}
	db.SetMaxOpenConns(20)
	// Idle connections stay open (database/sql keeps two by default): a
	// new connection costs a round trip of authentication and the
	// statements pgx had prepared on the old one.
	db.SetMaxIdleConns(20)
	if err := db.Ping(); err != nil {
		db.Close()
		return nil, fmt.Errorf("open postgres: %w", err)
	}
	return db, nil
}

// ErrConflict is a constraint violation: a unique key or a foreign key.
var ErrConflict = errors.New("postgres: constraint violation")

// MapError turns driver errors into the sentinels above.
func MapError(err error) error {
	var pe *pgconn.PgError
	if errors.As(err, &pe) && len(pe.Code) == 5 && pe.Code[:2] == "23" { // class 23: integrity constraint violation
		return fmt.Errorf("%w: %v", ErrConflict, err)
	}
	return err
}
