package signals

import (
	"cmp"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"esep/internal/kz"
	"esep/internal/register"
)

// noDay and noMinute mark a date or time that is missing or unreadable.
const (
	noDay    = math.MinInt32
	noMinute = math.MinInt32
)

// item is a record with what the detectors group it by, read once.
type item struct {
	rec        *register.Record
	start, end int32 // civil days since 1970-01-01, or noDay
	endMonth   int32 // year*12 + month-1 of the end date, valid when end is
	minute     int32 // act_signed_at in whole minutes since the Unix epoch, or noMinute
	manager    int32 // folded manager name, or -1 when there is none
	center     int32 // region and folded service place, or -1 when there is no place
	client     int32 // the person's identity as register.ClientKey gives it
	person     int32 // folded full name with birth date, whether or not there is an IIN
	online     bool  // delivery_mode online
}

// data is the prepared input of every detector. It is read-only once built,
// so the detectors run side by side.
type data struct {
	items          []item
	cal            *kz.Calendar
	clients        int   // number of client numbers (item.client is below it)
	managers       int   // number of manager numbers (item.manager is below it)
	firstEnd, last int32 // earliest and latest end date, the span the register covers
}

// interner gives each distinct string a small number.
type interner map[string]int32

func (in interner) id(s string) int32 { return intern(in, s) }

type civilDate struct {
	day   int32
	month int32
}

// prepare reads every record once. Parsed dates and folded names are
// cached by their text as written, because a register repeats them a great
// deal.
func prepare(records []register.Record, cal *kz.Calendar) *data {
	d := &data{items: make([]item, len(records)), cal: cal, firstEnd: math.MaxInt32, last: noDay}
	dates := map[string]civilDate{}
	date := func(s string) civilDate {
		c, ok := dates[s]
		if !ok {
			c = parseDate(s)
			dates[s] = c
		}
		return c
	}
	managers, centers, persons := newFolded(true), newFolded(true), newFolded(false)
	iins := interner{}
	for i := range records {
		r := &records[i]
		it := item{rec: r, minute: noMinute, center: -1, online: r.DeliveryMode == "online"}
		it.start = date(r.StartDate).day
		e := date(r.EndDate)
		it.end, it.endMonth = e.day, e.month
		if it.end != noDay {
			d.firstEnd = min(d.firstEnd, it.end)
			d.last = max(d.last, it.end)
		}
		if r.ActSignedAt != "" {
			if t, err := time.Parse(time.RFC3339, r.ActSignedAt); err == nil {
				if m := floorDiv(t.Unix(), 60); m > noMinute && m <= math.MaxInt32 {
					it.minute = int32(m)
				}
			}
		}
		it.manager = managers.id("", r.ManagerFullName)
		if r.PlaceKind != "online" {
			it.center = centers.id(r.RegionKATO, r.ServicePlace)
		}
		// The identity of register.ClientKey (spec §3): the IIN when there
		// is one, else the folded name with the birth date. Numbering the
		// parts rather than the joined key saves building a string per
		// record; TestClientIdentity holds the two together.
		it.person = persons.id(r.ClientBirthDate, r.ClientFullName)
		if r.ClientIIN != "" {
			it.client = iins.id(r.ClientIIN)
		} else {
			it.client = -2 - it.person // numbered after the IINs, below
		}
		d.items[i] = it
	}
	for i := range d.items {
		if c := d.items[i].client; c < 0 {
			d.items[i].client = int32(len(iins)) + (-2 - c)
		}
	}
	d.clients = len(iins) + len(persons.norm)
	d.managers = len(managers.norm)
	return d
}

// folded numbers texts by their folded form (kz.FoldName) within a context
// (a region, a birth date); with dropEmpty, a text that folds to nothing
// gets -1. The text as written is looked up first, so each spelling is
// folded once.
type folded struct {
	raw, norm map[[2]string]int32
	dropEmpty bool
}

func newFolded(dropEmpty bool) *folded {
	return &folded{raw: map[[2]string]int32{}, norm: map[[2]string]int32{}, dropEmpty: dropEmpty}
}

func (f *folded) id(context, s string) int32 {
	k := [2]string{context, s}
	if n, ok := f.raw[k]; ok {
		return n
	}
	n := int32(-1)
	if folded := kz.FoldName(s); folded != "" || !f.dropEmpty {
		n = intern(f.norm, [2]string{context, folded})
	}
	f.raw[k] = n
	return n
}

func intern[K comparable](m map[K]int32, k K) int32 {
	if n, ok := m[k]; ok {
		return n
	}
	n := int32(len(m))
	m[k] = n
	return n
}

func floorDiv(a, b int64) int64 {
	q := a / b
	if a%b != 0 && (a < 0) != (b < 0) {
		q--
	}
	return q
}

// parseDate reads a canonical YYYY-MM-DD date.
func parseDate(s string) civilDate {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		return civilDate{day: noDay}
	}
	return civilDate{day: dayOf(t), month: int32(t.Year()*12 + int(t.Month()) - 1)}
}

// dayOf returns the civil date of t (in t's location) as days since
// 1970-01-01.
func dayOf(t time.Time) int32 {
	y, m, dd := t.Date()
	return int32(kz.Date(y, m, dd).Unix() / 86400)
}

// dateOf is the inverse of dayOf: the civil date at 00:00 UTC.
func dateOf(day int32) time.Time { return time.Unix(int64(day)*86400, 0).UTC() }

// weekday returns the day of the week of a day number (1970-01-01 was a
// Thursday).
func weekday(day int32) time.Weekday { return time.Weekday(((day+4)%7 + 7) % 7) }

// countWeekdays counts the days of the week wd from a to b inclusive.
func countWeekdays(a, b int32, wd time.Weekday) int {
	if a > b {
		return 0
	}
	firstWD := a + int32((int(wd)-int(weekday(a))+7)%7)
	if firstWD > b {
		return 0
	}
	return int((b-firstWD)/7) + 1
}

func dayString(day int32) string { return dateOf(day).Format(time.DateOnly) }

func (d *data) working(day int32) bool { return d.cal.IsWorkingDay(dateOf(day)) }

// key places record i in group g of some grouping; pair makes g of two
// numbers (a manager and a day, say).
type key struct {
	g uint64
	i int32
}

func pair(a, b int32) uint64 { return uint64(uint32(a))<<32 | uint64(uint32(b)) }

// left and right return a and b of pair(a, b).
func left(g uint64) int32  { return int32(uint32(g >> 32)) }
func right(g uint64) int32 { return int32(uint32(g)) }

// eachGroup sorts keys and calls fn once for every group of at least
// minSize records, with the indexes of its records in input order. fn must
// not keep idx. Sorting one slice, rather than building a map of slices,
// keeps a million near-unique groups (minutes, phones) cheap.
func eachGroup(keys []key, minSize int, fn func(g uint64, idx []int32)) {
	slices.SortFunc(keys, func(x, y key) int {
		if x.g != y.g {
			return cmp.Compare(x.g, y.g)
		}
		return cmp.Compare(x.i, y.i)
	})
	var idx []int32
	for lo := 0; lo < len(keys); {
		hi := lo + 1
		for hi < len(keys) && keys[hi].g == keys[lo].g {
			hi++
		}
		if hi-lo >= minSize {
			idx = idx[:0]
			for _, k := range keys[lo:hi] {
				idx = append(idx, k.i)
			}
			fn(keys[lo].g, idx)
		}
		lo = hi
	}
}

// ids returns the record ids of idx.
func (d *data) ids(idx []int32) []string {
	out := make([]string, len(idx))
	for j, i := range idx {
		out[j] = d.items[i].rec.RecordID
	}
	return out
}

// mostCommon returns the value of field most often written in the records
// of idx, the smallest on a tie: how a group's manager or place is shown,
// whatever the order of the input.
func (d *data) mostCommon(idx []int32, field func(*register.Record) string) string {
	votes := map[string]int{}
	for _, i := range idx {
		votes[field(d.items[i].rec)]++
	}
	best, n := "", -1
	for v, c := range votes {
		if c > n || c == n && v < best {
			best, n = v, c
		}
	}
	return best
}

func managerName(r *register.Record) string { return r.ManagerFullName }

// distinct counts the different values of f over idx.
func (d *data) distinct(idx []int32, f func(*item) int32) int {
	vals := make([]int32, len(idx))
	for j, i := range idx {
		vals[j] = f(&d.items[i])
	}
	slices.Sort(vals)
	return len(slices.Compact(vals))
}

// atLeast reports whether f takes n or more different values over idx. It
// stops as soon as it has seen n, so a large group costs little.
func (d *data) atLeast(idx []int32, n int, f func(*item) int32) bool {
	var seen []int32
	for _, i := range idx {
		v := f(&d.items[i])
		if !slices.Contains(seen, v) {
			if seen = append(seen, v); len(seen) >= n {
				return true
			}
		}
	}
	return false
}

// unionFind joins the members 0..n-1 of a group into components.
type unionFind []int32

func newUnionFind(n int) unionFind {
	u := make(unionFind, n)
	for i := range u {
		u[i] = int32(i)
	}
	return u
}

func (u unionFind) find(x int32) int32 {
	for u[x] != x {
		u[x] = u[u[x]]
		x = u[x]
	}
	return x
}

func (u unionFind) union(a, b int32) { u[u.find(a)] = u.find(b) }

// components returns the members of each component, each in ascending order,
// the components ordered by their first member.
func (u unionFind) components() [][]int32 {
	byRoot := map[int32]int{}
	var out [][]int32
	for x := range u {
		r := u.find(int32(x))
		j, ok := byRoot[r]
		if !ok {
			j = len(out)
			byRoot[r] = j
			out = append(out, nil)
		}
		out[j] = append(out[j], int32(x))
	}
	return out
}

func itoa(n int) string { return strconv.Itoa(n) }

// oneDecimal formats x with one digit after the point.
func oneDecimal(x float64) string { return strconv.FormatFloat(x, 'f', 1, 64) }

// list joins up to limit values with "; ", adding "…" when there are more.
func list(vals []string, limit int) string {
	if len(vals) > limit {
		return strings.Join(vals[:limit], "; ") + "; …"
	}
	return strings.Join(vals, "; ")
}
