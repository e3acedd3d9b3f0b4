package report

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"math"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"esep/internal/monitor"
	"esep/internal/stats"
	"esep/internal/store"
)

// ErrNoData means the period has no records and no registers: there is
// nothing to report, and an empty report would look like a real one.
var ErrNoData = errors.New("no data for the period")

// PeriodError is a period that cannot be read.
type PeriodError struct{ Value string }

func (e *PeriodError) Error() string {
	return fmt.Sprintf("period %q: want a quarter such as 2026Q3 or a year such as 2026", e.Value)
}

// Key is the message key of the error.
func (e *PeriodError) Key() string { return "report.error.period" }

// Params are the message's parameters.
func (e *PeriodError) Params() []any { return []any{"value", e.Value} }

var periodRE = regexp.MustCompile(`^(\d{4})(?:Q([1-4]))?$`)

// Period is a reporting period and its deadline (clause 12).
type Period struct {
	Kind     Kind
	Name     string // 2026Q3 or 2026
	From, To string // end dates counted, inclusive
	Due      string
	Year     int
	Quarter  int // 1-4; 0 for a year
}

// ParsePeriod reads "2026Q3" (a quarter, due on the 12th of the month after
// it) or "2026" (the year as of 1 December, due on 10 December).
func ParsePeriod(s string) (Period, error) {
	m := periodRE.FindStringSubmatch(strings.ToUpper(strings.TrimSpace(s)))
	if m == nil {
		return Period{}, &PeriodError{s}
	}
	year, _ := strconv.Atoi(m[1])
	if year < 2000 || year > 2200 {
		return Period{}, &PeriodError{s}
	}
	if m[2] == "" {
		return Period{Kind: Annual, Name: m[1], Year: year,
			From: fmt.Sprintf("%d-01-01", year), To: fmt.Sprintf("%d-11-30", year), Due: fmt.Sprintf("%d-12-10", year)}, nil
	}
	q, _ := strconv.Atoi(m[2])
	first := time.Date(year, time.Month(3*q-2), 1, 0, 0, 0, 0, time.UTC)
	after := first.AddDate(0, 3, 0)
	return Period{Kind: Quarterly, Name: m[1] + "Q" + m[2], Year: year, Quarter: q,
		From: first.Format(time.DateOnly), To: after.AddDate(0, 0, -1).Format(time.DateOnly),
		Due: after.AddDate(0, 0, 11).Format(time.DateOnly)}, nil
}

// Previous is the period before p: the quarter before, or the year before.
func (p Period) Previous() Period {
	if p.Kind == Annual {
		prev, _ := ParsePeriod(strconv.Itoa(p.Year - 1))
		return prev
	}
	y, q := p.Year, p.Quarter-1
	if q == 0 {
		y, q = y-1, 4
	}
	prev, _ := ParsePeriod(fmt.Sprintf("%dQ%d", y, q))
	return prev
}

// months lists the months YYYY-MM the period's end dates fall in.
func (p Period) months() []string {
	var out []string
	from, _ := time.Parse(time.DateOnly, p.From)
	to, _ := time.Parse(time.DateOnly, p.To)
	for m := from; !m.After(to); m = m.AddDate(0, 1, 0) {
		out = append(out, m.Format("2006-01"))
	}
	return out
}

// Builder builds reports from the monitoring cycle.
type Builder struct {
	Cycle *monitor.Cycle
	// Indicators counts the tables; nil means counting Cycle's records
	// (stats.Compute), which gives the same tables more slowly.
	Indicators stats.Engine
	// Now gives the generation time; nil means the clock.
	Now func() time.Time
}

func (b *Builder) compute(ctx context.Context, from, to string) (*stats.Tables, *stats.National, error) {
	if b.Indicators != nil {
		return b.Indicators.Compute(ctx, from, to)
	}
	return stats.Compute(ctx, b.Cycle, from, to)
}

// Build computes the report of period p from the data as it stands.
func (b *Builder) Build(ctx context.Context, p Period) (*Report, error) {
	now := time.Now
	if b.Now != nil {
		now = b.Now
	}
	tables, national, err := b.compute(ctx, p.From, p.To)
	if err != nil {
		return nil, err
	}
	r := &Report{Kind: p.Kind, Period: p.Name, From: p.From, To: p.To, Due: p.Due, Status: Draft,
		GeneratedAt: now().UTC().Truncate(time.Second).Format(time.RFC3339), Tables: tables, National: national}
	if err := b.introduction(ctx, r, p); err != nil {
		return nil, err
	}
	received := slices.ContainsFunc(r.Introduction.Deliveries, func(d Delivery) bool { return d.ReceivedAt != "" })
	if r.Introduction.RecordsReceived == 0 && !received {
		return nil, fmt.Errorf("report %s: %w", p.Name, ErrNoData)
	}
	if err := b.plans(ctx, r, p); err != nil {
		return nil, err
	}
	if err := b.quality(ctx, r, p); err != nil {
		return nil, err
	}
	if err := b.letters(ctx, r, p); err != nil {
		return nil, err
	}
	r.Annexes.Exclusions = tables.Excluded
	r.Annexes.LateRegisters = tables.LateRegisters
	prev := p.Previous()
	pt, pn, err := b.compute(ctx, prev.From, prev.To)
	if err != nil {
		return nil, err
	}
	if pt.ServicesTotal > 0 {
		r.Previous = totals(prev.Name, pt, pn)
	}
	r.Conclusions = conclusions(r, pt)
	return r, nil
}

func totals(period string, t *stats.Tables, n *stats.National) *Totals {
	excluded := 0
	for _, e := range t.Excluded {
		excluded += e.Count
	}
	return &Totals{Period: period, Services: t.ServicesTotal, Online: t.ServicesOnline, Clients: n.Clients, Excluded: excluded}
}

// introduction fills section 1 and the late registers: every month of the
// period with its first delivery.
func (b *Builder) introduction(ctx context.Context, r *Report, p Period) error {
	months := p.months()
	deliveries, err := b.Cycle.DB.Deliveries(ctx, months[0], months[len(months)-1])
	if err != nil {
		return err
	}
	in := &r.Introduction
	in.Deliveries = []Delivery{}
	for _, m := range months {
		d := Delivery{Month: m}
		d.DueDate, _ = monitor.DueDate(m)
		for _, dl := range deliveries {
			if dl.Month != m {
				continue
			}
			if d.ReceivedAt == "" {
				d.ReceivedAt = dl.ReceivedAt
				d.Late = monitor.Late(m, dl.ReceivedAt)
			}
			d.Records += dl.Rows
		}
		in.Deliveries = append(in.Deliveries, d)
		if d.Late {
			r.Tables.LateRegisters = append(r.Tables.LateRegisters, stats.LateRow{Month: m, DueDate: d.DueDate, Delivered: monitor.CivilDate(d.ReceivedAt)})
		}
	}
	in.RecordsCounted = r.Tables.ServicesTotal
	for _, e := range r.Tables.Excluded {
		in.RecordsExcluded += e.Count
	}
	in.RecordsReceived = in.RecordsCounted + in.RecordsExcluded
	return nil
}

// plans compares targets with services counted. The plans of exactly the
// report's period are used; when there are none, those of its quarters,
// then of its months, added up.
func (b *Builder) plans(ctx context.Context, r *Report, p Period) error {
	candidates := [][]string{{p.Name}}
	if p.Kind == Annual {
		candidates = append(candidates, []string{p.Name + "Q1", p.Name + "Q2", p.Name + "Q3", p.Name + "Q4"})
	}
	candidates = append(candidates, p.months())
	var plans []store.Plan
	for _, periods := range candidates {
		var err error
		if plans, err = b.Cycle.DB.Plans(ctx, periods); err != nil {
			return err
		}
		if len(plans) > 0 {
			break
		}
	}
	type key struct{ region, service string }
	target := map[key]int{}
	for _, pl := range plans {
		target[key{pl.Region, pl.ServiceCode}] += pl.Target
	}
	actual := map[key]int{}
	for _, s := range r.Tables.ServicesByRegionService {
		actual[key{s.Region, s.ServiceCode}] += s.Count
		actual[key{s.Region, ""}] += s.Count
	}
	r.Plans = []PlanRow{}
	for k, t := range target {
		row := PlanRow{Region: k.region, ServiceCode: k.service, Plan: t, Actual: actual[k]}
		if t > 0 {
			row.Percent = math.Round(float64(row.Actual)/float64(t)*1000) / 10
		}
		r.Plans = append(r.Plans, row)
	}
	slices.SortFunc(r.Plans, func(a, b PlanRow) int {
		return cmp.Or(cmp.Compare(a.Region, b.Region), cmp.Compare(a.ServiceCode, b.ServiceCode))
	})
	return nil
}

// quality fills section 3 from the questionnaires and the telephone survey
// about services that ended in the period, scaled to the services counted.
func (b *Builder) quality(ctx context.Context, r *Report, p Period) error {
	qs, err := b.Cycle.DB.RatedQuestionnaires(ctx, p.From, p.To)
	if err != nil {
		return fmt.Errorf("report %s: %w", p.Name, err)
	}
	calls, err := b.Cycle.DB.SurveyCalls(ctx, p.From, p.To)
	if err != nil {
		return fmt.Errorf("report %s: %w", p.Name, err)
	}
	r.Quality, err = ComputeQuality(QualityInput{Questionnaires: qs, Survey: calls, Counted: r.Introduction.RecordsCounted})
	if err != nil {
		return fmt.Errorf("report %s: %w", p.Name, err)
	}
	return nil
}

// letters lists the letters about the period's registers with what came of
// them.
func (b *Builder) letters(ctx context.Context, r *Report, p Period) error {
	months := p.months()
	letters, err := b.Cycle.DB.Letters(ctx, months[0], months[len(months)-1])
	if err != nil {
		return err
	}
	r.Annexes.Letters = []LetterOutcome{}
	for _, l := range letters {
		o, err := b.Cycle.DB.LetterOutcomes(ctx, l, func(fixedAt string) bool {
			return l.CorrectionDue == "" || monitor.CivilDate(fixedAt) <= l.CorrectionDue
		})
		if err != nil {
			return err
		}
		r.Annexes.Letters = append(r.Annexes.Letters, LetterOutcome{Number: l.Number(), Date: monitor.CivilDate(l.DraftedAt), Month: l.Month,
			SentAt: l.SentAt, CorrectionDue: l.CorrectionDue, Problems: o.Problems, Corrected: o.Corrected, CorrectedLate: o.CorrectedLate, Outstanding: o.Outstanding})
	}
	return nil
}

// conclusions generates the observations of section 4 from the numbers:
// changes against the previous period, the largest regional change, regions
// above and below plan, the share excluded and why, late registers, and the
// share online. The analyst edits them before the report is sent.
func conclusions(r *Report, prev *stats.Tables) []Conclusion {
	var out []Conclusion
	add := func(key string, params ...string) {
		c := Conclusion{Key: key, Params: map[string]string{}}
		for i := 0; i+1 < len(params); i += 2 {
			c.Params[params[i]] = params[i+1]
		}
		out = append(out, c)
	}
	t := r.Tables
	if r.Previous == nil {
		add("conclusion.no_previous")
	} else {
		add("conclusion.services_change", "previous", r.Previous.Period, "before", strconv.Itoa(r.Previous.Services),
			"after", strconv.Itoa(t.ServicesTotal), "change", percentChange(r.Previous.Services, t.ServicesTotal))
		add("conclusion.clients_change", "previous", r.Previous.Period, "before", strconv.Itoa(r.Previous.Clients),
			"after", strconv.Itoa(r.National.Clients), "change", percentChange(r.Previous.Clients, r.National.Clients))
		now, before := servicesByRegion(t), servicesByRegion(prev)
		best, bestDiff := "", -1
		for _, region := range unionKeys(now, before) {
			if d := abs(now[region] - before[region]); d > bestDiff {
				best, bestDiff = region, d
			}
		}
		if best != "" {
			add("conclusion.largest_region_change", "region", best, "before", strconv.Itoa(before[best]),
				"after", strconv.Itoa(now[best]), "change", percentChange(before[best], now[best]))
		}
	}
	var above, below []string
	for _, p := range r.Plans {
		if p.ServiceCode != "" || p.Plan == 0 {
			continue
		}
		if p.Percent >= 100 {
			above = append(above, p.Region)
		} else {
			below = append(below, p.Region)
		}
	}
	if len(above) > 0 {
		add("conclusion.above_plan", "regions", strings.Join(above, ","))
	}
	if len(below) > 0 {
		add("conclusion.below_plan", "regions", strings.Join(below, ","))
	}
	in := r.Introduction
	if in.RecordsExcluded == 0 {
		add("conclusion.nothing_excluded")
	} else {
		main := slices.MaxFunc(t.Excluded, func(a, b stats.ReasonRow) int {
			return cmp.Or(cmp.Compare(a.Count, b.Count), cmp.Compare(b.Reason, a.Reason))
		})
		add("conclusion.excluded_share", "excluded", strconv.Itoa(in.RecordsExcluded), "share", share(in.RecordsExcluded, in.RecordsReceived),
			"reason", main.Reason, "count", strconv.Itoa(main.Count))
	}
	if len(t.LateRegisters) > 0 {
		var months []string
		for _, l := range t.LateRegisters {
			months = append(months, l.Month)
		}
		add("conclusion.late_registers", "months", strings.Join(months, ", "))
	}
	if t.ServicesTotal > 0 {
		add("conclusion.online_share", "share", share(t.ServicesOnline, t.ServicesTotal))
	}
	return out
}

func servicesByRegion(t *stats.Tables) map[string]int {
	m := map[string]int{}
	for _, s := range t.ServicesByRegionService {
		m[s.Region] += s.Count
	}
	return m
}

func unionKeys(a, b map[string]int) []string {
	var keys []string
	for k := range a {
		keys = append(keys, k)
	}
	for k := range b {
		if _, ok := a[k]; !ok {
			keys = append(keys, k)
		}
	}
	slices.Sort(keys)
	return keys
}

func abs(n int) int {
	if n < 0 {
		return -n
	}
	return n
}

// percentChange is the signed change from a to b in percent, one decimal.
func percentChange(a, b int) string {
	if a == 0 {
		return "—"
	}
	return strconv.FormatFloat(math.Round(float64(b-a)/float64(a)*1000)/10, 'f', 1, 64)
}

func share(part, whole int) string {
	if whole == 0 {
		return "0.0"
	}
	return strconv.FormatFloat(math.Round(float64(part)/float64(whole)*1000)/10, 'f', 1, 64)
}
