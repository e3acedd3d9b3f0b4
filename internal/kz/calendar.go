package kz

import (
	"bytes"
	_ "embed"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"regexp"
	"slices"
	"sync"
	"time"

	"esep/internal/i18n"
)

// Dates in this file are civil dates: a day of the calendar, not an
// instant. They are time.Time values at 00:00 UTC, and functions that take
// a date look only at its year, month and day in its own location, so a
// time of day or a time zone never moves a deadline by one day.

// Date returns the civil date year-month-day as a time.Time at 00:00 UTC,
// the form every date of this package has. Like time.Date it normalises
// out-of-range values (Date(2026, 1, 32) is 1 February).
func Date(year int, month time.Month, day int) time.Time {
	return time.Date(year, month, day, 0, 0, 0, 0, time.UTC)
}

// civil returns t's year, month and day in t's location as a Date.
func civil(t time.Time) time.Time {
	y, m, d := t.Date()
	return Date(y, m, d)
}

// dayKey identifies a civil date in the calendar's tables.
type dayKey int32

func keyOf(t time.Time) dayKey {
	y, m, d := t.Date()
	return dayKey(y*10000 + int(m)*100 + d)
}

func isWeekend(t time.Time) bool {
	wd := t.Weekday()
	return wd == time.Saturday || wd == time.Sunday
}

// DayOffKind says why a weekday is not worked.
type DayOffKind string

// The reasons a weekday is a day off.
const (
	// DayOffHoliday is a holiday or religious day off that falls on the day.
	DayOffHoliday DayOffKind = "holiday"
	// DayOffSubstitute is the day off given for a holiday that fell on a
	// Saturday or Sunday (Law No. 267-II art. 5).
	DayOffSubstitute DayOffKind = "substitute"
	// DayOffTransfer is a day off moved by the Government from a weekend
	// day, which became a working day (Labour Code art. 85 p.3).
	DayOffTransfer DayOffKind = "transfer"
)

// DayOff is a weekday (Monday to Friday) that is not worked in a 5-day
// working week, and why.
type DayOff struct {
	Date    time.Time  // the day off, 00:00 UTC
	Kind    DayOffKind // holiday, substitute or transfer
	Holiday string     // id of the holiday in calendar.json, for holiday and substitute
	// For is, for a substitute, the weekend date of the holiday it
	// replaces; for a transfer, the day worked instead (a weekend day, or
	// a substitute day as 11.05.2020 was). It is zero for a holiday.
	For time.Time
	// Name says why in three languages: the holiday's name, or a sentence
	// from the kz.dayoff.* messages naming the holiday or the day worked.
	Name Names
}

// Calendar is the working-day calendar of Kazakhstan for a 5-day working
// week: Saturdays and Sundays are days off, and so are holidays, the
// substitutes for holidays on a weekend, and the days the Government moved
// a day off to; weekend days the Government made working are worked. A
// 6-day week has a different calendar, which esep does not keep.
//
// The rules and the per-year data (Kurban Ait dates, transfers) come from
// a JSON file; see DefaultCalendar and LoadCalendar. For a year the file
// has no row for, the calendar still applies the fixed-date holidays and
// their substitutes, but knows no Kurban Ait and no transfers: check
// Covers before trusting a deadline in such a year. A Calendar is safe for
// concurrent use.
type Calendar struct {
	rules    []holidayRule
	years    map[int]*yearRow
	prebuilt map[int]*yearTable
	mu       sync.Mutex
	onDemand map[int]*yearTable // years not prebuilt, built when asked
	rowYears []int              // years with a row, ascending
}

// yearTable is what the calendar knows about one year: the weekdays off,
// and the days a transfer made working (weekend days, or a substitute day
// as 11.05.2020 was).
type yearTable struct {
	off     map[dayKey]DayOff
	working map[dayKey]time.Time
}

// The file format. It is documented in calendar.json's "about" field.
type calendarFile struct {
	About    string        `json:"about"`
	Holidays []holidayRule `json:"holidays"`
	Years    []yearRow     `json:"years"`
}

type holidayRule struct {
	ID         string `json:"id"`
	Date       string `json:"date,omitempty"` // MM-DD; empty for a movable day
	Movable    bool   `json:"movable,omitempty"`
	Days       int    `json:"days,omitempty"` // consecutive days; 0 means 1
	Substitute *bool  `json:"substitute"`     // required: the mistake is costly either way
	From       int    `json:"from,omitempty"` // first year in force; 0 means always
	Until      int    `json:"until,omitempty"`
	Name       Names  `json:"name"`
	Note       string `json:"note,omitempty"`

	month time.Month
	day   int
}

func (r *holidayRule) inForce(year int) bool {
	return (r.From == 0 || year >= r.From) && (r.Until == 0 || year <= r.Until)
}

type yearRow struct {
	Year      int           `json:"year"`
	Confirmed bool          `json:"confirmed"`
	Movable   []movableDate `json:"movable"`
	Transfers []transfer    `json:"transfers"`
	Source    string        `json:"source,omitempty"`
	Note      string        `json:"note,omitempty"`
}

type movableDate struct {
	ID   string `json:"id"`
	Date string `json:"date"`

	date time.Time
}

type transfer struct {
	Work string `json:"work"` // the weekend day (or substitute) that becomes a working day
	Off  string `json:"off"`  // the weekday that becomes a day off
	Note string `json:"note,omitempty"`

	work, off time.Time
}

//go:embed calendar.json
var calendarJSON []byte

// DefaultCalendar returns the calendar built into esep (calendar.json in
// this package; years 2018–2027, of which 2026 and 2027 are marked
// unconfirmed). Every call returns the same Calendar.
func DefaultCalendar() *Calendar { return defaultCalendar() }

var defaultCalendar = sync.OnceValue(func() *Calendar {
	c, err := LoadCalendar(bytes.NewReader(calendarJSON))
	if err != nil {
		panic(err) // embedded: a broken file is a build defect, and a test catches it
	}
	return c
})

var holidayID = regexp.MustCompile(`^[a-z][a-z0-9_]*$`)

// LoadCalendar reads a calendar in the JSON format of the built-in
// calendar.json, so that an administrator can add a year or correct a date
// without a new build. It checks the file thoroughly and returns an error
// naming the line, holiday or year at fault: unknown fields, bad dates,
// overlapping rules, a movable date outside its year, and transfers that
// make no sense (a day off moved onto a day already off, or a working day
// made working).
func LoadCalendar(r io.Reader) (*Calendar, error) {
	data, err := io.ReadAll(r)
	if err != nil {
		return nil, fmt.Errorf("calendar: %w", err)
	}
	var f calendarFile
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&f); err != nil {
		return nil, fmt.Errorf("calendar: %s", jsonErrorAt(data, err))
	}
	if dec.More() {
		return nil, errors.New("calendar: unexpected data after the JSON object")
	}
	c := &Calendar{years: make(map[int]*yearRow), onDemand: make(map[int]*yearTable)}
	if err := c.setRules(f.Holidays); err != nil {
		return nil, err
	}
	if err := c.setYears(f.Years); err != nil {
		return nil, err
	}
	if err := c.prebuild(); err != nil {
		return nil, err
	}
	return c, nil
}

// jsonErrorAt adds the line and column to a decoding error that has an
// offset, because an administrator edits the file by hand.
func jsonErrorAt(data []byte, err error) string {
	var offset int64 = -1
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &syn):
		offset = syn.Offset
	case errors.As(err, &typ):
		offset = typ.Offset
	}
	if offset < 0 || offset > int64(len(data)) {
		return err.Error()
	}
	before := data[:offset]
	line := bytes.Count(before, []byte("\n")) + 1
	col := len(before) - bytes.LastIndexByte(before, '\n')
	return fmt.Sprintf("line %d, column %d: %v", line, col, err)
}

func (c *Calendar) setRules(rules []holidayRule) error {
	if len(rules) == 0 {
		return errors.New("calendar: no holidays")
	}
	for i := range rules {
		r := &rules[i]
		where := fmt.Sprintf("calendar: holidays[%d] %q", i, r.ID)
		if !holidayID.MatchString(r.ID) {
			return fmt.Errorf("%s: id must be lower-case letters, digits and _", where)
		}
		if r.Substitute == nil {
			return fmt.Errorf("%s: say whether a weekend day gives a substitute (\"substitute\": true or false)", where)
		}
		if r.Name.KK == "" || r.Name.RU == "" || r.Name.EN == "" {
			return fmt.Errorf("%s: name needs kk, ru and en", where)
		}
		if r.Days == 0 {
			r.Days = 1
		}
		if r.Days < 1 || r.Days > 7 {
			return fmt.Errorf("%s: days %d not in 1..7", where, r.Days)
		}
		if r.Until != 0 && r.Until < r.From {
			return fmt.Errorf("%s: until %d is before from %d", where, r.Until, r.From)
		}
		switch {
		case r.Movable && r.Date != "":
			return fmt.Errorf("%s: a movable day has no fixed date; give its dates under years", where)
		case !r.Movable:
			d, err := time.Parse("01-02", r.Date)
			if err != nil {
				return fmt.Errorf("%s: date %q is not MM-DD", where, r.Date)
			}
			r.month, r.day = d.Month(), d.Day()
		}
		for _, o := range rules[:i] {
			if o.ID != r.ID {
				continue
			}
			if o.Movable != r.Movable {
				return fmt.Errorf("%s: movable in one entry and fixed in another", where)
			}
			if overlap(o.From, o.Until, r.From, r.Until) {
				return fmt.Errorf("%s: years overlap another entry with the same id", where)
			}
		}
	}
	c.rules = rules
	return nil
}

// overlap reports whether two year ranges (0 = unbounded) share a year.
func overlap(from1, until1, from2, until2 int) bool {
	lo1, hi1 := bound(from1, until1)
	lo2, hi2 := bound(from2, until2)
	return lo1 <= hi2 && lo2 <= hi1
}

func bound(from, until int) (int, int) {
	if until == 0 {
		until = 1 << 30
	}
	return from, until
}

func (c *Calendar) setYears(rows []yearRow) error {
	for i := range rows {
		y := &rows[i]
		where := fmt.Sprintf("calendar: years[%d] (%d)", i, y.Year)
		if y.Year < 1991 || y.Year > 2200 {
			return fmt.Errorf("%s: year out of range", where)
		}
		if _, dup := c.years[y.Year]; dup {
			return fmt.Errorf("%s: year given twice", where)
		}
		for j := range y.Movable {
			m := &y.Movable[j]
			rule := c.movableRule(m.ID, y.Year)
			if rule == nil {
				return fmt.Errorf("%s: movable %q is not a movable holiday in force that year", where, m.ID)
			}
			d, err := time.Parse(time.DateOnly, m.Date)
			if err != nil || d.Year() != y.Year {
				return fmt.Errorf("%s: %s date %q is not a YYYY-MM-DD date in %d", where, m.ID, m.Date, y.Year)
			}
			m.date = d
		}
		for j := range y.Transfers {
			t := &y.Transfers[j]
			w, err1 := time.Parse(time.DateOnly, t.Work)
			o, err2 := time.Parse(time.DateOnly, t.Off)
			switch {
			case err1 != nil || err2 != nil:
				return fmt.Errorf("%s: transfer %s -> %s: dates must be YYYY-MM-DD", where, t.Work, t.Off)
			case o.Year() != y.Year:
				return fmt.Errorf("%s: transfer %s -> %s: the day off must be in %d", where, t.Work, t.Off, y.Year)
			case w.Year() < y.Year-1 || w.Year() > y.Year+1:
				return fmt.Errorf("%s: transfer %s -> %s: the working day must be within a year of %d", where, t.Work, t.Off, y.Year)
			}
			t.work, t.off = w, o
		}
		c.years[y.Year] = y
		c.rowYears = append(c.rowYears, y.Year)
	}
	slices.Sort(c.rowYears)
	return nil
}

func (c *Calendar) movableRule(id string, year int) *holidayRule {
	for i := range c.rules {
		r := &c.rules[i]
		if r.ID == id && r.Movable && r.inForce(year) {
			return r
		}
	}
	return nil
}

// prebuild builds, and so checks, the table of every year with a row and
// of the years next to them, whose tables can hold a row's transfers or
// substitutes. Other years are built on demand.
func (c *Calendar) prebuild() error {
	c.prebuilt = make(map[int]*yearTable)
	if len(c.rowYears) == 0 {
		return nil
	}
	for y := c.rowYears[0] - 1; y <= c.rowYears[len(c.rowYears)-1]+1; y++ {
		t, err := c.build(y)
		if err != nil {
			return err
		}
		c.prebuilt[y] = t
	}
	return nil
}

// table returns the table of year, building it if needed.
func (c *Calendar) table(year int) *yearTable {
	if t, ok := c.prebuilt[year]; ok {
		return t
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if t, ok := c.onDemand[year]; ok {
		return t
	}
	// A year that is not prebuilt is at least a year away from every row,
	// so no transfer touches it and build cannot fail.
	t, _ := c.build(year)
	c.onDemand[year] = t
	return t
}

// occurrence is one day of a holiday.
type occurrence struct {
	date time.Time
	rule *holidayRule
}

// holidays returns the days of the holidays in force in year, in date
// order. Where two holidays share a day, the day is listed once, under the
// one that gives a substitute if either does.
func (c *Calendar) holidays(year int) []occurrence {
	byDay := make(map[dayKey]occurrence)
	add := func(start time.Time, r *holidayRule) {
		for k := 0; k < r.Days; k++ {
			d := start.AddDate(0, 0, k)
			if o, ok := byDay[keyOf(d)]; ok && *o.rule.Substitute {
				continue
			}
			byDay[keyOf(d)] = occurrence{d, r}
		}
	}
	for i := range c.rules {
		r := &c.rules[i]
		if !r.inForce(year) {
			continue
		}
		if !r.Movable {
			add(Date(year, r.month, r.day), r)
			continue
		}
		if row := c.years[year]; row != nil {
			for _, m := range row.Movable {
				if m.ID == r.ID {
					add(m.date, r)
				}
			}
		}
	}
	out := make([]occurrence, 0, len(byDay))
	for _, o := range byDay {
		out = append(out, o)
	}
	slices.SortFunc(out, func(a, b occurrence) int { return a.date.Compare(b.date) })
	return out
}

// build works out one year: the holidays on weekdays, the substitutes for
// holidays on a weekend, then the Government's transfers, which come last
// because a decree can override a substitute (2020: Monday 11.05, the
// substitute for Victory Day, was made a working day and the day off moved
// to Friday 08.05).
func (c *Calendar) build(year int) (*yearTable, error) {
	// Holidays of the year before can put a substitute into this year;
	// those of the year after can stand in a substitute's way.
	var occ []occurrence
	for y := year - 1; y <= year+1; y++ {
		occ = append(occ, c.holidays(y)...)
	}
	holiday := make(map[dayKey]bool, len(occ))
	for _, o := range occ {
		holiday[keyOf(o.date)] = true
	}
	t := &yearTable{off: make(map[dayKey]DayOff), working: make(map[dayKey]time.Time)}
	substituted := make(map[dayKey]bool)
	for _, o := range occ {
		if o.date.Year() == year && !isWeekend(o.date) {
			t.off[keyOf(o.date)] = DayOff{Date: o.date, Kind: DayOffHoliday, Holiday: o.rule.ID, Name: o.rule.Name}
		}
		if !*o.rule.Substitute || !isWeekend(o.date) {
			continue
		}
		// The next day that is not a weekend day, not a holiday and not
		// already another holiday's substitute: so 1–2 January on a weekend
		// give Monday and Tuesday.
		d := o.date.AddDate(0, 0, 1)
		for isWeekend(d) || holiday[keyOf(d)] || substituted[keyOf(d)] {
			d = d.AddDate(0, 0, 1)
		}
		substituted[keyOf(d)] = true
		if d.Year() == year {
			t.off[keyOf(d)] = DayOff{
				Date: d, Kind: DayOffSubstitute, Holiday: o.rule.ID, For: o.date,
				Name: names("kz.dayoff.substitute", func(l i18n.Lang) []any {
					return []any{"holiday", o.rule.Name.In(l), "date", o.date.Format("02.01.2006")}
				}),
			}
		}
	}
	for y := year - 1; y <= year+1; y++ {
		row := c.years[y]
		if row == nil {
			continue
		}
		for _, tr := range row.Transfers {
			if err := t.apply(year, tr, holiday); err != nil {
				return nil, fmt.Errorf("calendar: year %d: transfer %s -> %s: %w", row.Year, tr.Work, tr.Off, err)
			}
		}
	}
	return t, nil
}

// apply puts the part of a transfer that falls in year into the table,
// after checking that it makes sense.
func (t *yearTable) apply(year int, tr transfer, holiday map[dayKey]bool) error {
	if tr.off.Year() == year {
		if isWeekend(tr.off) {
			return fmt.Errorf("the day off %s is a %s, already a day off", tr.Off, tr.off.Weekday())
		}
		if d, ok := t.off[keyOf(tr.off)]; ok {
			return fmt.Errorf("the day off %s is already a day off (%s)", tr.Off, d.Name.EN)
		}
		t.off[keyOf(tr.off)] = DayOff{
			Date: tr.off, Kind: DayOffTransfer, For: tr.work,
			Name: names("kz.dayoff.transfer", func(i18n.Lang) []any {
				return []any{"date", tr.work.Format("02.01.2006")}
			}),
		}
	}
	if tr.work.Year() == year {
		d, isOff := t.off[keyOf(tr.work)]
		switch {
		case holiday[keyOf(tr.work)]:
			return fmt.Errorf("the working day %s is a holiday, which the Government does not move", tr.Work)
		case isOff && d.Kind == DayOffSubstitute:
			delete(t.off, keyOf(tr.work))
		case !isWeekend(tr.work):
			return fmt.Errorf("the working day %s is a %s, already a working day", tr.Work, tr.work.Weekday())
		}
		t.working[keyOf(tr.work)] = tr.work
	}
	return nil
}

// names fills one i18n message in the three languages.
func names(key string, params func(i18n.Lang) []any) Names {
	return Names{
		KK: i18n.T(i18n.KK, key, params(i18n.KK)...),
		RU: i18n.T(i18n.RU, key, params(i18n.RU)...),
		EN: i18n.T(i18n.EN, key, params(i18n.EN)...),
	}
}

// Years returns the years the calendar file has a row for, ascending.
func (c *Calendar) Years() []int { return slices.Clone(c.rowYears) }

// Covers reports whether the calendar has the data of year that cannot be
// computed: a row for the year with the date of every movable holiday (Kurban
// Ait) in force. Transfers cannot be checked for completeness; a row
// means they were entered, possibly as none. For a year not covered,
// IsWorkingDay and the functions built on it still answer, from the
// fixed-date holidays alone; callers that set deadlines should warn.
func (c *Calendar) Covers(year int) bool {
	row := c.years[year]
	if row == nil {
		return false
	}
	for i := range c.rules {
		r := &c.rules[i]
		if !r.Movable || !r.inForce(year) {
			continue
		}
		if !slices.ContainsFunc(row.Movable, func(m movableDate) bool { return m.ID == r.ID }) {
			return false
		}
	}
	return true
}

// Confirmed reports whether year is covered and its row is marked
// confirmed in the file. The built-in file marks 2026 (transfers and the
// Constitution Day change unconfirmed) and 2027 (Kurban Ait estimated, no
// transfers known yet) as unconfirmed.
func (c *Calendar) Confirmed(year int) bool {
	return c.Covers(year) && c.years[year].Confirmed
}

// IsWorkingDay reports whether the civil date of d is a working day in a
// 5-day week: a weekday that is not a holiday, substitute or transferred
// day off, or a weekend day the Government made working.
func (c *Calendar) IsWorkingDay(d time.Time) bool {
	t := c.table(d.Year())
	k := keyOf(d)
	if _, ok := t.working[k]; ok {
		return true
	}
	if _, ok := t.off[k]; ok {
		return false
	}
	return !isWeekend(d)
}

// AddWorkingDays returns the date n working days after d: day 1 is the
// first working day after d, whatever d is, so a deadline of "n working
// days from the event" counts from the day after the event (the rule that
// fixes the first day of a period in days is UNCONFIRMED in
// reference-kz.md §2.1; this is esep's choice). With n = 0 it returns d if
// d is a working day and otherwise the next working day, which is where a
// deadline that ends on a day off moves to. A negative n counts back: the
// |n|-th working day before d. The result is a civil date at 00:00 UTC.
func (c *Calendar) AddWorkingDays(d time.Time, n int) time.Time {
	d = civil(d)
	if n == 0 {
		for !c.IsWorkingDay(d) {
			d = d.AddDate(0, 0, 1)
		}
		return d
	}
	step := 1
	if n < 0 {
		step, n = -1, -n
	}
	for n > 0 {
		d = d.AddDate(0, 0, step)
		if c.IsWorkingDay(d) {
			n--
		}
	}
	return d
}

// WorkingDaysBetween counts the working days after a up to and including
// b, the days (a, b], so that AddWorkingDays(a, n) = b gives
// WorkingDaysBetween(a, b) = n for every n ≥ 1. If b is before a the
// count is negative: -WorkingDaysBetween(b, a).
func (c *Calendar) WorkingDaysBetween(a, b time.Time) int {
	a, b = civil(a), civil(b)
	if b.Before(a) {
		return -c.WorkingDaysBetween(b, a)
	}
	n := 0
	for d := a.AddDate(0, 0, 1); !d.After(b); d = d.AddDate(0, 0, 1) {
		if c.IsWorkingDay(d) {
			n++
		}
	}
	return n
}

// DaysOff returns every weekday (Monday to Friday) of year that is not
// worked, in date order, each with the reason. Weekend days are not
// listed: they are off unless WorkingWeekendDays lists them.
func (c *Calendar) DaysOff(year int) []DayOff {
	t := c.table(year)
	out := make([]DayOff, 0, len(t.off))
	for _, d := range t.off {
		out = append(out, d)
	}
	slices.SortFunc(out, func(a, b DayOff) int { return a.Date.Compare(b.Date) })
	return out
}

// WorkingWeekendDays returns the Saturdays and Sundays of year that the
// Government made working days, in date order.
func (c *Calendar) WorkingWeekendDays(year int) []time.Time {
	t := c.table(year)
	var out []time.Time
	for _, d := range t.working {
		if isWeekend(d) {
			out = append(out, d)
		}
	}
	slices.SortFunc(out, time.Time.Compare)
	return out
}
