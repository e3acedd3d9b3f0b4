// Package seed fills an empty database with a living year of demo data, so
// that a newcomer sees the whole system at once: twelve monthly registers
// (one of them late), notification letters sent and answered, corrections
// in time and late, plans, and a quarterly report sent to the ministry.
package seed

import (
	"context"
	"encoding/csv"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"esep/internal/demo"
	"esep/internal/ingest"
	"esep/internal/kz"
	"esep/internal/monitor"
	"esep/internal/register"
	"esep/internal/report"
	"esep/internal/store"
)

// Options shape the demo year.
type Options struct {
	// RowsPerMonth is the size of each monthly register.
	RowsPerMonth int
	// Today ends the year: its twelve months are the ones before it.
	Today time.Time
	By    string
	// Agent is the user id of the call-centre agent who works the demo's
	// telephone campaign; 0 leaves the campaign out.
	Agent int64
	// Force seeds even when the database holds records (for tests that
	// start from a register of their own).
	Force bool
}

// Result says what was made.
type Result struct {
	Months  int
	Records int
	Letters int
	Report  string
}

// Run seeds db. It does nothing when the database already holds records.
func Run(ctx context.Context, c *monitor.Cycle, opts Options) (*Result, error) {
	t, err := c.DB.Totals(ctx)
	if err != nil || t.Records > 0 && !opts.Force {
		return &Result{}, err
	}
	dir, err := os.MkdirTemp("", "esep-demo-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	first := firstMonth(opts.Today)
	res := &Result{}
	for i := 0; i < 12; i++ {
		m := first.AddDate(0, i, 0)
		month := m.Format("2006-01")
		path := filepath.Join(dir, month+".csv")
		if err := writeMonth(path, m, i, opts.RowsPerMonth); err != nil {
			return nil, err
		}
		// Registers arrive on the first working morning of the next month;
		// the fifth month's arrives two days late.
		arrive := m.AddDate(0, 1, 0)
		if i == 4 {
			arrive = arrive.AddDate(0, 0, 2)
		}
		received := arrive.Add(10 * time.Hour).Add(-5 * time.Hour).Format(time.RFC3339)
		r, letter, err := c.ImportRegister(ctx, path, monitor.Delivery{Month: month, ReceivedAt: received, By: opts.By}, ingest.Options{Today: arrive})
		if err != nil {
			return nil, fmt.Errorf("demo %s: %w", month, err)
		}
		res.Months++
		res.Records += r.Summary.RowsRead
		if letter == nil {
			continue
		}
		res.Letters++
		// The letter goes out the next working day; the operator fixes what
		// it lists, in time for most months and late for one.
		sent := c.Calendar.AddWorkingDays(arrive, 1).Add(4 * time.Hour).Format(time.RFC3339)
		sl, err := c.SendLetter(ctx, letter.Number(), sent, sent, opts.By)
		if err != nil {
			return nil, err
		}
		if i == 11 {
			continue // the last month's corrections are still outstanding
		}
		due, _ := time.Parse(time.DateOnly, sl.CorrectionDue)
		fixAt := due.Add(-2 * time.Hour)
		if i == 7 {
			fixAt = due.AddDate(0, 0, 3)
		}
		if err := fixMonth(ctx, c, path, month, fixAt.Format(time.RFC3339), opts.By); err != nil {
			return nil, err
		}
	}
	if err := plans(ctx, c.DB, first, opts.By); err != nil {
		return nil, err
	}
	p, err := lastQuarter(opts.Today)
	if err != nil {
		return nil, err
	}
	if err := qualityWork(ctx, c, p, opts.Agent, opts.By); err != nil {
		return nil, err
	}
	if err := sendReport(ctx, c, p, opts.By); err != nil {
		return nil, err
	}
	res.Report = p.Name
	return res, nil
}

func writeMonth(path string, m time.Time, i, rows int) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	defer f.Close()
	if err := demo.WriteCSV(f, monthOptions(m, i, rows)); err != nil {
		return err
	}
	return f.Close()
}

// firstMonth is the first of the twelve months before today's.
func firstMonth(today time.Time) time.Time {
	return time.Date(today.Year(), today.Month(), 1, 0, 0, 0, 0, time.UTC).AddDate(-1, 0, 0)
}

// monthOptions shape the register of month m, the i-th of the year. Each
// month has a seed of its own, so each month's register holds people of its
// own.
func monthOptions(m time.Time, i, rows int) demo.Options {
	return demo.Options{Rows: rows, Seed: uint64(100 + i), From: m, To: m.AddDate(0, 1, -1), ErrorRate: 0.03,
		IDPrefix: "R" + m.Format("0601")}
}

// fixMonth re-delivers the month's broken rows, repaired.
func fixMonth(ctx context.Context, c *monitor.Cycle, path, month, at, by string) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	rows, err := csv.NewReader(f).ReadAll()
	f.Close()
	if err != nil {
		return err
	}
	v := &register.Validator{}
	out := [][]string{rows[0]}
	for _, row := range rows[1:] {
		var r register.Record
		for i, col := range register.Columns {
			col.Set(&r, row[i])
		}
		if !register.HasBlocking(v.Validate(&r)) {
			continue
		}
		if r.EndDate < r.StartDate {
			r.EndDate = r.StartDate
		}
		for k := 0; k < 10; k++ {
			if _, err := kz.ParseID(r.EnterpriseID); err == nil {
				break
			}
			r.EnterpriseID = r.EnterpriseID[:11] + fmt.Sprint((r.EnterpriseID[11]-'0'+9)%10)
		}
		out = append(out, r.Values())
	}
	if len(out) == 1 {
		return nil
	}
	fixed := path + ".fix.csv"
	w, err := os.Create(fixed)
	if err != nil {
		return err
	}
	cw := csv.NewWriter(w)
	cw.WriteAll(out)
	w.Close()
	_, _, err = c.ImportRegister(ctx, fixed, monitor.Delivery{Month: month, ReceivedAt: at, By: by}, ingest.Options{})
	return err
}

// plans sets a quarterly target per region, a little above or below what
// the demo delivers, so the report has regions on both sides of plan.
func plans(ctx context.Context, db *store.DB, first time.Time, by string) error {
	var ps []store.Plan
	for q := 0; q < 4; q++ {
		m := first.AddDate(0, 3*q, 0)
		period := fmt.Sprintf("%dQ%d", m.Year(), (int(m.Month())-1)/3+1)
		for i, r := range kz.Regions() {
			ps = append(ps, store.Plan{Period: period, Region: r.Code, Target: 120 + 15*(i%7)})
		}
	}
	return db.PutPlans(ctx, ps, by, "demo")
}

// lastQuarter is the last complete quarter before today: the one the demo
// reports.
func lastQuarter(today time.Time) (report.Period, error) {
	q := (int(today.Month())-1)/3 + 1
	y := today.Year()
	if q--; q == 0 {
		y, q = y-1, 4
	}
	return report.ParsePeriod(fmt.Sprintf("%dQ%d", y, q))
}

// sendReport saves and sends the report of the quarter p.
func sendReport(ctx context.Context, c *monitor.Cycle, p report.Period, by string) error {
	r, err := (&report.Builder{Cycle: c}).Build(ctx, p)
	if err != nil {
		return err
	}
	r.Status, r.SentAt = report.Sent, time.Now().UTC().Truncate(time.Second).Format(time.RFC3339)
	snap, err := report.Snapshot(r)
	if err != nil {
		return err
	}
	sr := &store.StoredReport{Kind: string(r.Kind), Period: r.Period, Status: string(report.Draft), GeneratedAt: r.GeneratedAt, Snapshot: snap}
	if err := c.DB.SaveReport(ctx, sr, by); err != nil {
		return err
	}
	if err := c.DB.MarkReportSent(ctx, sr.ID, r.SentAt, snap, by); err != nil {
		return err
	}
	return nil
}
