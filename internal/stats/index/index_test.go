package index

import (
	"context"
	"fmt"
	"math/rand/v2"
	"sync"
	"testing"
	"time"

	"esep/internal/monitor"
	"esep/internal/register"
	"esep/internal/stats"
	"esep/internal/stats/statstest"
)

// TestMatchesCounter loads generated registers and the tricky records and
// checks every table against stats.Counter over fixed and random periods.
func TestMatchesCounter(t *testing.T) {
	for _, tt := range []struct {
		name string
		seed uint64
		junk bool
	}{{"seed1", 1, false}, {"seed2", 2, false}, {"codes beyond the masks", 3, true}} {
		t.Run(tt.name, func(t *testing.T) {
			seed := tt.seed
			rnd := rand.New(rand.NewPCG(seed, 7))
			x, w := New(), newWorld()
			if tt.junk {
				// Values seen before the real ones push these past the
				// bits of the per-client states: the set takes them.
				var junk []string
				for i := range 40 {
					junk = append(junk, fmt.Sprint("junk", i))
				}
				x.region, x.section, x.cat, x.form = newDict(256, junk...), newDict(256, junk...), newDict(256, junk...), newDict(256, junk...)
			}
			for _, r := range demoRecords(6000, seed, "SRV") {
				w.put(x, r, reasonOf(&r, rnd))
			}
			for _, r := range tricky() {
				w.put(x, r, "") // they are here to be counted
			}
			if x.Len() != len(w.recs) {
				t.Fatalf("Len %d, want %d", x.Len(), len(w.recs))
			}
			if _, _, _, exact := x.period("", "\U0010FFFF"); exact {
				t.Fatal("the generated data should take the fast path")
			}
			checkReasons(t, w)
			for _, p := range periods {
				w.check(t, x, p[0], p[1])
			}
			for range 60 {
				from, to := randomPeriod(rnd)
				w.check(t, x, from, to)
			}
		})
	}
}

// checkReasons makes sure the generated data exercises several exclusion
// reasons, the late month among them.
func checkReasons(t *testing.T, w *world) {
	t.Helper()
	seen := map[string]int{}
	for _, r := range w.reason {
		seen[r]++
	}
	for _, r := range []string{"", register.ExcludedNoAct, register.ExcludedOnlinePaper, register.ExcludedActBeforeStart,
		register.ExcludedValidation, register.ExcludedLate, monitor.ExcludedActNotFound, monitor.ExcludedActMismatch, monitor.ExcludedCorrectedLate} {
		if seen[r] == 0 {
			t.Errorf("no record excluded as %q: %v", r, seen)
		}
	}
}

// TestMatchesRecount checks the index against the independent recount of
// statstest too, on registers whose only cycle fact is a blocking finding
// (what statstest models).
func TestMatchesRecount(t *testing.T) {
	recs := demoRecords(5000, 3, "SRV")
	x := New()
	cycle := map[string]string{}
	for i := range recs {
		blocking := register.HasBlocking(validator.Validate(&recs[i]))
		if blocking {
			cycle[recs[i].RecordID] = register.ExcludedValidation
		}
		x.Put(&recs[i], monitor.Exclusion(&recs[i], &register.Facts{Blocking: blocking}))
	}
	for _, p := range [][2]string{{"2026-01-01", "2026-12-31"}, {"2026-07-01", "2026-09-30"}, {"2026-11-05", "2026-11-05"}} {
		gt, gn := x.Compute(p[0], p[1])
		same(t, fmt.Sprint("tables ", p), gt, statstest.Recount(recs, cycle, p[0], p[1]))
		same(t, fmt.Sprint("national ", p), gn, statstest.RecountNational(recs, cycle, p[0], p[1]))
	}
}

// TestIncremental runs 10,000 random inserts, corrections (that move
// records to other days, months, years, regions, clients and enterprises),
// exclusion changes and deletions, and compares with the reference every
// 250 operations: the path the index takes in service, where it is never
// rebuilt.
func TestIncremental(t *testing.T) {
	t.Run("put", func(t *testing.T) {
		rnd := rand.New(rand.NewPCG(11, 13))
		x, w := New(), newWorld()
		for _, r := range demoRecords(3000, 4, "SRV") {
			w.put(x, r, reasonOf(&r, rnd))
		}
		for _, r := range tricky() {
			w.put(x, r, "")
		}
		mutate(t, x, w, rnd, 0)
	})
	// Load renumbers clients and enterprises (see renumber): the key sets
	// and rows it rewrote must take the same stream of writes, and so must
	// an index renumbered again in the middle of the stream.
	t.Run("after load", func(t *testing.T) {
		rnd := rand.New(rand.NewPCG(17, 19))
		w := recordWorld(rnd, 4)
		x := New()
		if err := x.Load(context.Background(), worldSource{w}, "", "\U0010FFFF"); err != nil {
			t.Fatal(err)
		}
		mutate(t, x, w, rnd, 5000)
	})
}

// mutate runs 10,000 random writes on x and w alike, renumbering x after
// write renumberAt (0: never), and compares x with the reference every 250.
func mutate(t *testing.T, x *Index, w *world, rnd *rand.Rand, renumberAt int) {
	t.Helper()
	pool := demoRecords(6000, 5, "NEW") // records to insert, and values to correct with
	reasons := []string{"", "", "", register.ExcludedNoAct, register.ExcludedLate, register.ExcludedValidation, monitor.ExcludedActMismatch}
	for op := 1; op <= 10_000; op++ {
		ids := w.ids()
		pick := func() string { return ids[rnd.IntN(len(ids))] }
		switch n := rnd.IntN(100); {
		case n < 30: // a new record
			r := pool[rnd.IntN(len(pool))]
			r.RecordID = fmt.Sprintf("NEW-%d", op)
			w.put(x, r, reasonOf(&r, rnd))
		case n < 65: // a correction
			r := *w.recs[pick()]
			correct(&r, pool[rnd.IntN(len(pool))], rnd)
			w.put(x, r, reasonOf(&r, rnd))
		case n < 90: // the facts change, the fields do not
			id, reason := pick(), reasons[rnd.IntN(len(reasons))]
			w.reason[id] = reason
			if !x.SetExcluded(id, reason) {
				t.Fatalf("SetExcluded(%q): not found", id)
			}
		case n < 95: // deleted
			id := pick()
			delete(w.recs, id)
			delete(w.reason, id)
			if !x.Delete(id) {
				t.Fatalf("Delete(%q): not found", id)
			}
		default: // put again unchanged
			id := pick()
			x.Put(w.recs[id], w.reason[id])
		}
		if op == renumberAt {
			x.mu.Lock()
			x.renumber()
			x.mu.Unlock()
		}
		if op%250 == 0 {
			if x.Len() != len(w.recs) {
				t.Fatalf("op %d: Len %d, want %d", op, x.Len(), len(w.recs))
			}
			w.check(t, x, "2026-01-01", "2026-12-31")
			w.check(t, x, "", "\U0010FFFF")
			for range 3 {
				from, to := randomPeriod(rnd)
				w.check(t, x, from, to)
			}
			if t.Failed() {
				t.Fatalf("op %d: the index left the reference", op)
			}
		}
	}
	if x.Delete("no such record") || x.SetExcluded("no such record", "") {
		t.Error("an unknown record_id was found")
	}
}

// correct changes some fields of r, taking new values from another record:
// what an operator's correction does.
func correct(r *register.Record, o register.Record, rnd *rand.Rand) {
	for range 1 + rnd.IntN(3) {
		switch rnd.IntN(12) {
		case 0:
			r.EndDate = o.EndDate // another day, often another month
		case 1:
			r.StartDate, r.EndDate = o.StartDate, o.EndDate
		case 2:
			r.RegionKATO = o.RegionKATO
		case 3: // another person
			r.ClientIIN, r.ClientFullName, r.ClientBirthDate, r.ClientGender, r.ClientAge = o.ClientIIN, o.ClientFullName, o.ClientBirthDate, o.ClientGender, o.ClientAge
		case 4: // the IIN was wrong: now known by name only
			r.ClientIIN = ""
		case 5:
			r.EnterpriseID, r.LegalForm, r.Category, r.OKEDSection = o.EnterpriseID, o.LegalForm, o.Category, o.OKEDSection
		case 6:
			r.ServiceCode, r.DeliveryMode = o.ServiceCode, o.DeliveryMode
		case 7:
			r.ClientGender = o.ClientGender
		case 8: // into another year, or out of the day range
			r.EndDate = []string{"2025-12-31", "2027-01-04", "2026-02-30", "", "2026-09"}[rnd.IntN(5)]
		case 9:
			r.StartDate = r.EndDate // ties on start dates become common
		case 10:
			r.ActNumber, r.ActSignedAt = "", ""
		case 11:
			r.ClientBirthDate, r.ClientAge = "", o.ClientAge
		}
	}
}

// TestFirstService checks who decides a person's gender and age band: the
// first counted service of the period, by start_date and then record_id as
// text, whatever order the records were put in.
func TestFirstService(t *testing.T) {
	type svc struct {
		id, start, end, gender, birth, reason string
	}
	tests := []struct {
		name         string
		recs         []svc
		gender, band string
	}{
		{"the earlier start wins over the smaller id", []svc{{"A-2", "2026-06-01", "2026-06-01", "F", "1990-01-01", ""}, {"A-1", "2026-06-02", "2026-06-02", "M", "1950-01-01", ""}}, "F", "30_39"},
		{"ids compare as text: TIE-10 before TIE-9", []svc{{"TIE-9", "2026-06-01", "2026-06-03", "M", "1950-01-01", ""}, {"TIE-10", "2026-06-01", "2026-06-02", "F", "2010-01-01", ""}}, "F", "under_18"},
		{"as many digits compare as numbers", []svc{{"TIE-0010", "2026-06-01", "2026-06-01", "F", "2001-02-03", ""}, {"TIE-0009", "2026-06-01", "2026-06-05", "M", "1980-01-01", ""}}, "M", "40_49"},
		{"ids without digits", []svc{{"tie-b", "2026-06-01", "2026-06-01", "F", "2001-02-03", ""}, {"tie-a", "2026-06-01", "2026-06-01", "M", "1960-01-01", ""}}, "M", "60_plus"},
		{"an id without digits before one with", []svc{{"Z1", "2026-06-01", "2026-06-01", "F", "2001-02-03", ""}, {"Z", "2026-06-01", "2026-06-01", "M", "1960-01-01", ""}}, "M", "60_plus"},
		{"more than 12 digits", []svc{{"X1234567890123457", "2026-06-01", "2026-06-01", "F", "2001-02-03", ""}, {"X1234567890123456", "2026-06-01", "2026-06-01", "M", "1960-01-01", ""}}, "M", "60_plus"},
		{"an excluded first service does not decide", []svc{{"B-1", "2026-06-01", "2026-06-01", "M", "1960-01-01", "act_missing"}, {"B-2", "2026-06-02", "2026-06-02", "F", "2001-01-01", ""}}, "F", "18_29"},
		{"a first service of another period does not decide", []svc{{"C-1", "2025-12-30", "2025-12-31", "M", "1960-01-01", ""}, {"C-2", "2026-01-02", "2026-01-02", "F", "2001-01-01", ""}}, "F", "18_29"},
		{"a start before the period still counts as earliest", []svc{{"D-2", "2026-01-05", "2026-01-05", "M", "1960-01-01", ""}, {"D-1", "2025-12-20", "2026-01-10", "F", "2001-01-01", ""}}, "F", "18_29"},
	}
	for _, tt := range tests {
		for _, reverse := range []bool{false, true} {
			t.Run(fmt.Sprintf("%s/reverse=%v", tt.name, reverse), func(t *testing.T) {
				x, w := New(), newWorld()
				for i := range tt.recs {
					s := tt.recs[i]
					if reverse {
						s = tt.recs[len(tt.recs)-1-i]
					}
					w.put(x, register.Record{RecordID: s.id, ClientIIN: "850412300123", RegionKATO: "710000000", StartDate: s.start,
						EndDate: s.end, ClientGender: s.gender, ClientBirthDate: s.birth}, s.reason)
				}
				tb, nat := x.Compute("2026-01-01", "2026-12-31")
				if want := []stats.KeyCount{{Key: tt.gender, Count: 1}}; fmt.Sprint(nat.ClientsByGender) != fmt.Sprint(want) {
					t.Errorf("genders %v, want %v", nat.ClientsByGender, want)
				}
				if want := []stats.AgeRow{{AgeBand: tt.band, Count: 1}}; fmt.Sprint(tb.ClientsByAgeBand) != fmt.Sprint(want) {
					t.Errorf("bands %v, want %v", tb.ClientsByAgeBand, want)
				}
				w.check(t, x, "2026-01-01", "2026-12-31")
			})
		}
	}
}

// TestExactPath forces values without codes (tiny dictionaries, start
// dates that are not days, a reason the dictionary has no room for) and
// checks that the index still agrees, through its exact path.
func TestExactPath(t *testing.T) {
	rnd := rand.New(rand.NewPCG(21, 22))
	x, w := New(), newWorld()
	x.region, x.section, x.reason = newDict(12), newDict(6), newDict(4, "")
	x.prefixes.limit = 2 // record_ids of a third prefix are kept whole
	for i, r := range append(demoRecords(3000, 6, "SRV"), demoRecords(500, 7, "OTHER")...) {
		if i%97 == 0 {
			r.StartDate += "T" // sorts after the same day written plainly
		}
		w.put(x, r, reasonOf(&r, rnd))
	}
	for _, r := range tricky() {
		w.put(x, r, "")
	}
	if _, _, _, exact := x.period("2026-01-01", "2026-12-31"); !exact {
		t.Fatal("the year should need the exact path")
	}
	for _, id := range w.ids()[:200] {
		reason := []string{"reason a", "reason b", "reason c", ""}[rnd.IntN(4)]
		w.reason[id] = reason
		x.SetExcluded(id, reason)
	}
	for _, p := range periods {
		w.check(t, x, p[0], p[1])
	}
	for range 20 {
		from, to := randomPeriod(rnd)
		w.check(t, x, from, to)
	}
}

// TestWorkers checks that one, two and four workers count the same, on a
// period large enough to be shared out.
func TestWorkers(t *testing.T) {
	rnd := rand.New(rand.NewPCG(31, 32))
	x, w := New(), newWorld()
	for _, r := range demoRecords(40_000, 8, "SRV") {
		w.put(x, r, reasonOf(&r, rnd))
	}
	// Unless set, the count follows the period's rows, all of its parts.
	if n := rowCount(x.days) + len(x.odd); n != x.Len() {
		t.Fatalf("%d rows counted, want %d", n, x.Len())
	}
	for _, n := range []int{1, 2, 4} {
		x.workers = n
		if got := x.workerCount(40_000); got != n { // as set, whatever the period
			t.Fatalf("workerCount = %d, want %d", got, n)
		}
		w.check(t, x, "2026-01-01", "2026-12-31")
	}
}

// TestConcurrent runs readers beside a writer (go test -race checks them).
func TestConcurrent(t *testing.T) {
	rnd := rand.New(rand.NewPCG(41, 42))
	x, w := New(), newWorld()
	recs := demoRecords(4000, 9, "SRV")
	for _, r := range recs[:2000] {
		w.put(x, r, reasonOf(&r, rnd))
	}
	var wg sync.WaitGroup
	for range 2 {
		wg.Go(func() {
			for range 20 {
				t, _ := x.Compute("2026-01-01", "2026-12-31")
				_ = t.ServicesTotal
				x.ServicesByMonth("2026-01-01", "2026-12-31")
			}
		})
	}
	for i := range recs[2000:] {
		r := recs[2000+i]
		x.Put(&r, "")
		x.SetExcluded(r.RecordID, register.ExcludedLate)
	}
	wg.Wait()
	if x.Len() != 4000 {
		t.Errorf("Len %d, want 4000", x.Len())
	}
}

// TestLoad rebuilds an index from a source and compares it with one built
// by Put.
func TestLoad(t *testing.T) {
	w := recordWorld(rand.New(rand.NewPCG(51, 52)), 10)
	x := New()
	if err := x.Load(context.Background(), worldSource{w}, "", "\U0010FFFF"); err != nil {
		t.Fatal(err)
	}
	for _, p := range periods {
		w.check(t, x, p[0], p[1])
	}
	err := New().Load(context.Background(), failingSource{}, "", "\U0010FFFF")
	if err == nil {
		t.Error("Load hid the source's error")
	}
}

// recordWorld is a world of 3,000 demo records of the seed, with reasons
// drawn from rnd, and the tricky ones; no index holds them yet.
func recordWorld(rnd *rand.Rand, seed uint64) *world {
	w := newWorld()
	for _, r := range demoRecords(3000, seed, "SRV") {
		w.recs[r.RecordID], w.reason[r.RecordID] = &r, reasonOf(&r, rnd)
	}
	for _, r := range tricky() {
		w.recs[r.RecordID], w.reason[r.RecordID] = &r, ""
	}
	return w
}

// worldSource gives a world's records as the monitoring cycle gives a
// database's.
type worldSource struct{ w *world }

func (s worldSource) EachCounted(ctx context.Context, from, to string, fn func(*register.Record, string) error) error {
	for _, id := range s.w.ids() {
		if r := s.w.recs[id]; r.EndDate >= from && r.EndDate <= to {
			if err := fn(r, s.w.reason[id]); err != nil {
				return err
			}
		}
	}
	return ctx.Err()
}

type failingSource struct{}

func (failingSource) EachCounted(context.Context, string, string, func(*register.Record, string) error) error {
	return fmt.Errorf("disk on fire")
}

var _ stats.Source = worldSource{}

// TestDays checks the day numbers against time.Time over the whole range,
// and dayRange against a scan.
func TestDays(t *testing.T) {
	d0 := time.Date(epochYear, 1, 1, 0, 0, 0, 0, time.UTC)
	prev := ""
	for d := 0; d <= maxDay; d++ {
		s := d0.AddDate(0, 0, d).Format(time.DateOnly)
		if got := dayString(uint16(d)); got != s {
			t.Fatalf("day %d is %s, want %s", d, got, s)
		}
		if got, ok := parseDay(s); !ok || int(got) != d {
			t.Fatalf("parseDay(%s) = %d, %v", s, got, ok)
		}
		if s <= prev {
			t.Fatalf("%s does not sort after %s", s, prev)
		}
		prev = s
	}
	for _, s := range []string{"", "2026-02-29", "2026-13-01", "2026-00-10", "2026-1-01", "1899-12-31", "2079-06-06", "２026-01-01", "2026-01-01 "} {
		if _, ok := parseDay(s); ok {
			t.Errorf("parseDay(%q) accepted", s)
		}
	}
	for _, p := range [][2]string{{"2026-02", "2026-03"}, {"2026-02-30", "2026-03-01x"}, {"", ""}, {"2026", "2025"}, {"0", "1"}, {"2079-06-05", "\U0010FFFF"}} {
		lo, hi, ok := dayRange(p[0], p[1])
		n := 0
		for d := 0; d <= maxDay; d++ {
			if s := dayString(uint16(d)); s >= p[0] && s <= p[1] {
				if n == 0 && d != lo {
					t.Errorf("%v: first day %d, want %d", p, lo, d)
				}
				n++
				if d > hi {
					t.Errorf("%v: day %d after %d", p, d, hi)
				}
			}
		}
		if (n > 0) != ok || (ok && hi-lo+1 != n) {
			t.Errorf("%v: range %d..%d %v, want %d days", p, lo, hi, ok, n)
		}
	}
}

// TestKeySet checks numbering, look-up, removal and reuse against a map,
// for record ids of every shape.
func TestKeySet(t *testing.T) {
	rnd := rand.New(rand.NewPCG(61, 62))
	x := New()
	x.prefixes.limit = 40
	want := map[string]uint32{}
	key := func() string {
		switch rnd.IntN(5) {
		case 0:
			return fmt.Sprintf("P%d-%0*d", rnd.IntN(60), 1+rnd.IntN(12), rnd.IntN(1000))
		case 1:
			return fmt.Sprintf("id%x", rnd.Uint32()%5000)
		case 2:
			return fmt.Sprint(rnd.IntN(3000))
		case 3:
			return fmt.Sprintf("X%017d", rnd.IntN(3000))
		}
		return fmt.Sprintf("%d-%d", rnd.IntN(100), rnd.IntN(100))
	}
	for i := range 50_000 {
		k := key()
		if rnd.IntN(3) == 0 {
			id, ok := want[k]
			if ok != x.rids.remove(k) {
				t.Fatalf("remove %q: %v, want %v", k, !ok, ok)
			}
			if ok {
				delete(want, k)
				if got := x.rids.key(id); got != k {
					t.Fatalf("removed %q but number %d was %q", k, id, got)
				}
			}
			continue
		}
		id, isNew, _ := x.rids.add(k)
		old, ok := want[k]
		if isNew == ok || (ok && id != old) {
			t.Fatalf("op %d add %q: %d %v, want %d %v", i, k, id, isNew, old, !ok)
		}
		want[k] = id
		if got := x.rids.key(id); got != k {
			t.Fatalf("key(%d) = %q, want %q", id, got, k)
		}
	}
	for k, id := range want {
		if got, ok := x.rids.lookup(k); !ok || got != id {
			t.Fatalf("lookup %q = %d %v, want %d", k, got, ok, id)
		}
	}
	if x.rids.live != len(want) {
		t.Errorf("%d live, want %d", x.rids.live, len(want))
	}
}

// TestClientKeys holds the index's numbering of clients to
// register.ClientKey: the key written back from a record's client number is
// the record's key, and equal keys share a number.
func TestClientKeys(t *testing.T) {
	x := New()
	recs := append(demoRecords(3000, 12, "SRV"), tricky()...)
	byKey := map[string]uint32{}
	for i := range recs {
		r := &recs[i]
		x.Put(r, "")
		h, ok := x.rids.lookup(r.RecordID)
		if !ok {
			t.Fatalf("%q not found", r.RecordID)
		}
		var client uint32
		if d := x.locDay[h]; d == noDay {
			client = x.odd[h].r.client
		} else {
			client = x.rowAt(d, x.locPos[h]).client
		}
		key := register.ClientKey(r)
		if got := x.clients.key(client); got != key {
			t.Errorf("%s: client key %q, want %q", r.RecordID, got, key)
		}
		if id, ok := byKey[key]; ok && id != client {
			t.Errorf("%s: key %q has numbers %d and %d", r.RecordID, key, id, client)
		}
		byKey[key] = client
	}
}
