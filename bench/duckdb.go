package main

import (
	"cmp"
	"context"
	"database/sql"
	"database/sql/driver"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/duckdb/duckdb-go/v2"

	"esep/internal/register"
	"esep/internal/stats"
)

// duck is the baseline of the indicators phase: an in-memory DuckDB
// database holding one row per record with the columns the tables of spec
// §4 need, and the tables computed from it in plain SQL. Only this module
// depends on DuckDB; esep itself never does.
//
// The row is what the index keeps of a record, in DuckDB's natural types:
// the client key (register.ClientKey) and the exclusion reason are worked
// out in Go at load, as the index works them out at insertion, and so is
// the age band, which the index also keeps per record (it depends only on
// the record's own birth date, age and start date). What is left to the SQL
// is the counting itself: the period, distinct clients and enterprises, and
// the first counted service of each person.
type duck struct {
	connector *duckdb.Connector
	db        *sql.DB
	threads   string // DuckDB's own setting, as it chose it
	version   string
}

const duckSchema = `CREATE TABLE services (
	record_id    VARCHAR NOT NULL, -- the tie-break of a person's first service
	start_date   DATE NOT NULL,
	end_date     DATE NOT NULL,    -- the period a record belongs to
	region       VARCHAR NOT NULL,
	oked_section VARCHAR NOT NULL,
	legal_form   VARCHAR NOT NULL,
	category     VARCHAR NOT NULL,
	gender       VARCHAR NOT NULL,
	age_band     VARCHAR NOT NULL,
	service_code VARCHAR NOT NULL,
	online       BOOLEAN NOT NULL,
	client_key   VARCHAR NOT NULL,
	enterprise   VARCHAR NOT NULL,
	reason       VARCHAR NOT NULL  -- '' when the record counts
)`

// openDuck creates an empty in-memory database with DuckDB's defaults
// (threads: the machine's cores) and the services table.
func openDuck(ctx context.Context) (*duck, error) {
	c, err := duckdb.NewConnector("", nil)
	if err != nil {
		return nil, fmt.Errorf("duckdb: open in-memory database: %w", err)
	}
	d := &duck{connector: c, db: sql.OpenDB(c)}
	if _, err := d.db.ExecContext(ctx, duckSchema); err != nil {
		d.Close()
		return nil, fmt.Errorf("duckdb: create table: %w", err)
	}
	if err := d.db.QueryRowContext(ctx, `SELECT current_setting('threads')::VARCHAR, version()`).Scan(&d.threads, &d.version); err != nil {
		d.Close()
		return nil, fmt.Errorf("duckdb: read settings: %w", err)
	}
	return d, nil
}

// Close closes the database (sql.DB closes the connector).
func (d *duck) Close() error { return d.db.Close() }

// duckLoader appends records to the services table through DuckDB's
// Appender, the fastest way in from Go short of Arrow.
type duckLoader struct {
	conn driver.Conn
	app  *duckdb.Appender
	took time.Duration // time spent appending
	n    int
}

func (d *duck) loader(ctx context.Context) (*duckLoader, error) {
	conn, err := d.connector.Connect(ctx)
	if err != nil {
		return nil, fmt.Errorf("duckdb: connect for appending: %w", err)
	}
	app, err := duckdb.NewAppenderFromConn(conn, "", "services")
	if err != nil {
		conn.Close()
		return nil, fmt.Errorf("duckdb: appender: %w", err)
	}
	return &duckLoader{conn: conn, app: app}, nil
}

// append adds records with their exclusion reasons.
func (l *duckLoader) append(recs []register.Record, reasons []string) error {
	start := time.Now()
	for i := range recs {
		r := &recs[i]
		startDate, err := time.Parse(time.DateOnly, r.StartDate)
		if err != nil {
			return fmt.Errorf("duckdb: record %s: start_date: %w", r.RecordID, err)
		}
		endDate, err := time.Parse(time.DateOnly, r.EndDate)
		if err != nil {
			return fmt.Errorf("duckdb: record %s: end_date: %w", r.RecordID, err)
		}
		err = l.app.AppendRow(r.RecordID, startDate, endDate, r.RegionKATO, r.OKEDSection, r.LegalForm, r.Category,
			r.ClientGender, register.AgeBand(r), r.ServiceCode, r.DeliveryMode == "online",
			register.ClientKey(r), r.EnterpriseID, reasons[i])
		if err != nil {
			return fmt.Errorf("duckdb: append record %s: %w", r.RecordID, err)
		}
	}
	l.n += len(recs)
	l.took += time.Since(start)
	return nil
}

// Close flushes what is appended and closes the appender's connection.
func (l *duckLoader) Close() error {
	start := time.Now()
	err := l.app.Close()
	l.took += time.Since(start)
	if cerr := l.conn.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("duckdb: close appender after %d rows: %w", l.n, err)
	}
	return nil
}

// duckTables is the SQL of the tables of spec §4: one query, as an analyst
// would write it, each table a plain GROUP BY over the counted records of
// the period, the tables tagged and put one after the other. $1 and $2 are
// the period's bounds: a record belongs to the period of its end_date and
// counts when it has no reason (spec §2). It is one query rather than one
// per table so that what several tables share (the counted records, each
// person's first service, the regions each person was served in) is
// written once and DuckDB can compute it once; run as nine queries it
// took more processor time. {table} is the table's name.
const duckTables = `WITH counted AS (
	SELECT * FROM {table} WHERE end_date BETWEEN $1::DATE AND $2::DATE AND reason = ''
),
-- A person's gender and age band are those of their first counted service
-- of the period: earliest start_date, then record_id.
first AS (
	SELECT client_key, arg_min((gender, age_band), (start_date, record_id)) AS f FROM counted GROUP BY client_key
),
served AS (SELECT DISTINCT client_key, region FROM counted)
SELECT 'clients_by_region', region::VARCHAR, NULL, count(*) FROM served GROUP BY region
UNION ALL
SELECT 'clients_by_region_sector', region::VARCHAR, oked_section::VARCHAR, count(DISTINCT client_key) FROM counted GROUP BY region, oked_section
UNION ALL
SELECT 'enterprises_by_region_legal_form', region::VARCHAR, legal_form::VARCHAR, count(DISTINCT enterprise) FROM counted GROUP BY region, legal_form
UNION ALL
SELECT 'clients_by_region_gender', served.region::VARCHAR, first.f[1]::VARCHAR, count(*) FROM served JOIN first USING (client_key) GROUP BY served.region, first.f[1]
UNION ALL
SELECT 'clients_by_age_band', f[2]::VARCHAR, NULL, count(*) FROM first GROUP BY f[2]
UNION ALL
SELECT 'clients_by_region_category', region::VARCHAR, category::VARCHAR, count(DISTINCT client_key) FROM counted GROUP BY region, category
UNION ALL
SELECT 'services_by_region_service', region::VARCHAR, service_code::VARCHAR, count(*) FROM counted GROUP BY region, service_code
UNION ALL
SELECT 'services_total', NULL, NULL, count(*) FROM counted
UNION ALL
SELECT 'services_online', NULL, NULL, count(*) FROM counted WHERE online
UNION ALL
SELECT 'excluded', reason::VARCHAR, NULL, count(*) FROM {table} WHERE end_date BETWEEN $1::DATE AND $2::DATE AND reason <> '' GROUP BY reason`

// compute counts the tables of [from, to] (YYYY-MM-DD) from table and
// returns them as stats.Tables, sorted as the index and stats.Counter sort
// them, so that the three can be compared as values.
func (d *duck) compute(ctx context.Context, table, from, to string) (*stats.Tables, error) {
	t := &stats.Tables{From: from, To: to,
		ClientsByRegion: []stats.RegionRow{}, ClientsByRegionSector: []stats.SectorRow{},
		EnterprisesByRegionLegalForm: []stats.FormRow{}, ClientsByRegionGender: []stats.GenderRow{},
		ClientsByAgeBand: []stats.AgeRow{}, ClientsByRegionCategory: []stats.CatRow{},
		ServicesByRegionService: []stats.ServiceRow{}, Excluded: []stats.ReasonRow{}, LateRegisters: []stats.LateRow{}}
	rows, err := d.db.QueryContext(ctx, strings.ReplaceAll(duckTables, "{table}", table), from, to)
	if err != nil {
		return nil, fmt.Errorf("duckdb: tables of %s %s..%s: %w", table, from, to, err)
	}
	defer rows.Close()
	for rows.Next() {
		var name string
		var a, b sql.NullString
		var n int
		if err := rows.Scan(&name, &a, &b, &n); err != nil {
			return nil, fmt.Errorf("duckdb: tables of %s %s..%s: %w", table, from, to, err)
		}
		switch name {
		case "clients_by_region":
			t.ClientsByRegion = append(t.ClientsByRegion, stats.RegionRow{Region: a.String, Count: n})
		case "clients_by_region_sector":
			t.ClientsByRegionSector = append(t.ClientsByRegionSector, stats.SectorRow{Region: a.String, OKEDSection: b.String, Count: n})
		case "enterprises_by_region_legal_form":
			t.EnterprisesByRegionLegalForm = append(t.EnterprisesByRegionLegalForm, stats.FormRow{Region: a.String, LegalForm: b.String, Count: n})
		case "clients_by_region_gender":
			t.ClientsByRegionGender = append(t.ClientsByRegionGender, stats.GenderRow{Region: a.String, Gender: b.String, Count: n})
		case "clients_by_age_band":
			t.ClientsByAgeBand = append(t.ClientsByAgeBand, stats.AgeRow{AgeBand: a.String, Count: n})
		case "clients_by_region_category":
			t.ClientsByRegionCategory = append(t.ClientsByRegionCategory, stats.CatRow{Region: a.String, Category: b.String, Count: n})
		case "services_by_region_service":
			t.ServicesByRegionService = append(t.ServicesByRegionService, stats.ServiceRow{Region: a.String, ServiceCode: b.String, Count: n})
		case "services_total":
			t.ServicesTotal = n
		case "services_online":
			t.ServicesOnline = n
		case "excluded":
			t.Excluded = append(t.Excluded, stats.ReasonRow{Reason: a.String, Count: n})
		default:
			return nil, fmt.Errorf("duckdb: tables of %s %s..%s: unknown table %q", table, from, to, name)
		}
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("duckdb: tables of %s %s..%s: %w", table, from, to, err)
	}
	sortTables(t)
	return t, nil
}

// sortTables sorts the rows by their key columns, as spec §4 asks and as
// stats.Tables are sorted (bytewise, as Go compares strings).
func sortTables(t *stats.Tables) {
	slices.SortFunc(t.ClientsByRegion, func(a, b stats.RegionRow) int { return cmp.Compare(a.Region, b.Region) })
	slices.SortFunc(t.ClientsByRegionSector, func(a, b stats.SectorRow) int {
		return cmp.Or(cmp.Compare(a.Region, b.Region), cmp.Compare(a.OKEDSection, b.OKEDSection))
	})
	slices.SortFunc(t.EnterprisesByRegionLegalForm, func(a, b stats.FormRow) int {
		return cmp.Or(cmp.Compare(a.Region, b.Region), cmp.Compare(a.LegalForm, b.LegalForm))
	})
	slices.SortFunc(t.ClientsByRegionGender, func(a, b stats.GenderRow) int {
		return cmp.Or(cmp.Compare(a.Region, b.Region), cmp.Compare(a.Gender, b.Gender))
	})
	slices.SortFunc(t.ClientsByAgeBand, func(a, b stats.AgeRow) int { return cmp.Compare(a.AgeBand, b.AgeBand) })
	slices.SortFunc(t.ClientsByRegionCategory, func(a, b stats.CatRow) int {
		return cmp.Or(cmp.Compare(a.Region, b.Region), cmp.Compare(a.Category, b.Category))
	})
	slices.SortFunc(t.ServicesByRegionService, func(a, b stats.ServiceRow) int {
		return cmp.Or(cmp.Compare(a.Region, b.Region), cmp.Compare(a.ServiceCode, b.ServiceCode))
	})
	slices.SortFunc(t.Excluded, func(a, b stats.ReasonRow) int { return cmp.Compare(a.Reason, b.Reason) })
}

// bytesPerRecord is the memory DuckDB holds, over the records: the
// counterpart of the index's bytes per record.
func (d *duck) bytesPerRecord(ctx context.Context, rows int) (float64, error) {
	var n int64
	if err := d.db.QueryRowContext(ctx, `SELECT sum(memory_usage_bytes)::BIGINT FROM duckdb_memory()`).Scan(&n); err != nil {
		return 0, fmt.Errorf("duckdb: memory in use: %w", err)
	}
	return float64(n) / float64(rows), nil
}

// duckCodes are the columns of few values, which the typed table keeps as
// ENUMs.
var duckCodes = []string{"region", "oked_section", "legal_form", "category", "gender", "age_band", "service_code", "reason"}

// typed makes services_typed from services and drops services: the same
// rows in the index's own shape, clients and enterprises as dense integers
// (numbered, as the index numbers them, once, before any period is
// counted) and the columns of few values as ENUMs (one byte, as the
// index's codes). It is DuckDB given every advantage the index gives
// itself, so that the ratio against it is not won by string hashing alone.
// record_id stays text: the first service's tie-break compares it as text
// in both engines.
func (d *duck) typed(ctx context.Context) error {
	cols := []string{"record_id", "start_date", "end_date", "online",
		"dense_rank() OVER (ORDER BY client_key)::UINTEGER AS client_key",
		"dense_rank() OVER (ORDER BY enterprise)::UINTEGER AS enterprise"}
	for _, c := range duckCodes {
		q := fmt.Sprintf(`CREATE TYPE %[1]s_code AS ENUM (SELECT DISTINCT %[1]s FROM services ORDER BY ALL)`, c)
		if _, err := d.db.ExecContext(ctx, q); err != nil {
			return fmt.Errorf("duckdb: ENUM of %s: %w", c, err)
		}
		cols = append(cols, fmt.Sprintf("%[1]s::%[1]s_code AS %[1]s", c))
	}
	q := `CREATE TABLE services_typed AS SELECT ` + strings.Join(cols, ", ") + ` FROM services`
	if _, err := d.db.ExecContext(ctx, q); err != nil {
		return fmt.Errorf("duckdb: make the typed table: %w", err)
	}
	if _, err := d.db.ExecContext(ctx, `DROP TABLE services`); err != nil {
		return fmt.Errorf("duckdb: drop the text table: %w", err)
	}
	return nil
}
