package survey

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"reflect"
	"slices"
	"strings"
	"testing"

	"esep/internal/register"
)

var plan95 = Plan{Margin: 0.05, Confidence: 0.95}

// frame builds a frame of n units in region, one client each unless
// clients > 0, in which case the units share that many clients in turn;
// every riskEvery-th unit is risky (0: none).
func frame(region, service string, n, clients, riskEvery int) []Unit {
	out := make([]Unit, n)
	for i := range out {
		c := i
		if clients > 0 {
			c = i % clients
		}
		out[i] = Unit{
			RecordID: fmt.Sprintf("%s-%s-%05d", region, service, i),
			Region:   region,
			Service:  service,
			Client:   fmt.Sprintf("iin:%s%06d", region[:2], c),
			Risk:     riskEvery > 0 && i%riskEvery == 0,
		}
	}
	return out
}

func mustDraw(t *testing.T, f []Unit, p Plan, seed uint64) Sample {
	t.Helper()
	s, err := Draw(f, p, seed)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func stratum(t *testing.T, s Sample, key string) Stratum {
	t.Helper()
	for _, st := range s.Strata {
		if st.Key() == key {
			return st
		}
	}
	t.Fatalf("no stratum %q in %v", key, s.Strata)
	return Stratum{}
}

// Each stratum gets SampleSize of its own N, and the sample holds exactly
// that many of its units.
func TestDrawSizes(t *testing.T) {
	f := slices.Concat(frame("710000000", "", 1000, 0, 0), frame("750000000", "", 500, 0, 0),
		frame("790000000", "", 100, 0, 0), frame("100000000", "", 10000, 0, 0))
	s := mustDraw(t, f, plan95, 1)
	for key, N := range map[string]int{"710000000": 1000, "750000000": 500, "790000000": 100, "100000000": 10000} {
		want, _ := SampleSize(N, 0.05, 0.95, 0.5)
		st := stratum(t, s, key)
		got := 0
		for _, u := range s.Units {
			if u.Stratum == key {
				got++
				if u.Region != key {
					t.Errorf("unit %s of region %s is in stratum %s", u.RecordID, u.Region, key)
				}
			}
		}
		if st.N != N || st.Wanted != want || st.Drawn != want || got != want || st.Everyone {
			t.Errorf("stratum %s: N %d, wanted %d, drawn %d, units %d, everyone %v; want N %d and %d drawn",
				key, st.N, st.Wanted, st.Drawn, got, st.Everyone, N, want)
		}
	}
	// 278, 218, 80 and 370, as in TestSampleSize.
	if len(s.Units) != 278+218+80+370 {
		t.Errorf("sample has %d units, want %d", len(s.Units), 278+218+80+370)
	}
}

// The same frame, plan and seed give the same sample, whatever order the
// frame comes in; another seed gives another sample.
func TestDrawReproducible(t *testing.T) {
	f := slices.Concat(frame("710000000", "ACC", 700, 500, 7), frame("710000000", "LEG", 300, 250, 5), frame("750000000", "ACC", 900, 0, 3))
	p := Plan{Margin: 0.05, Confidence: 0.95, ByService: true, Oversample: 0.2,
		Exclude: func(c string) bool { return strings.HasSuffix(c, "7") }}
	a := mustDraw(t, f, p, 2026)

	shuffled := slices.Clone(f)
	rand.New(rand.NewPCG(1, 2)).Shuffle(len(shuffled), func(i, j int) { shuffled[i], shuffled[j] = shuffled[j], shuffled[i] })
	b := mustDraw(t, shuffled, p, 2026)
	slices.Reverse(shuffled)
	c := mustDraw(t, shuffled, p, 2026)
	if !reflect.DeepEqual(a, b) || !reflect.DeepEqual(a, c) {
		t.Fatal("the same frame in another order gave another sample")
	}
	if a.Description() != b.Description() {
		t.Fatal("the same draw gave another description")
	}

	other := mustDraw(t, f, p, 2027)
	if reflect.DeepEqual(ids(a), ids(other)) {
		t.Error("seeds 2026 and 2027 drew the same units")
	}
	for i, st := range a.Strata {
		// Only the oversample's yield may depend on the seed: which risky
		// clients the main sample already took.
		o := other.Strata[i]
		o.ExtraDrawn = st.ExtraDrawn
		if o != st {
			t.Errorf("the seed changed stratum %s's figures: %+v, %+v", st.Key(), st, other.Strata[i])
		}
	}
	if a.Seed != 2026 || a.Method != DrawMethod || !strings.Contains(a.Description(), "seed: 2026\n") {
		t.Errorf("the sample does not record its seed and method: %d %q", a.Seed, a.Method)
	}
}

func ids(s Sample) []string {
	var out []string
	for _, u := range s.Units {
		out = append(out, u.RecordID)
	}
	return out
}

// Each stratum is seeded from its own key, so removing a region leaves the
// other regions' samples as they were.
func TestDrawStrataIndependent(t *testing.T) {
	a := frame("710000000", "", 800, 0, 0)
	b := frame("750000000", "", 800, 0, 0)
	both := mustDraw(t, slices.Concat(a, b), plan95, 9)
	alone := mustDraw(t, a, plan95, 9)
	var fromBoth []string
	for _, u := range both.Units {
		if u.Stratum == "710000000" {
			fromBoth = append(fromBoth, u.RecordID)
		}
	}
	if !reflect.DeepEqual(fromBoth, ids(alone)) {
		t.Error("adding a region changed another region's sample")
	}
}

// The draw is pinned: this seed on this frame gives these units. A change
// that alters it changes which clients are called for the same audit, and
// must come with a new DrawMethod.
func TestDrawGolden(t *testing.T) {
	s := mustDraw(t, frame("710000000", "", 12, 0, 0), Plan{Margin: 0.3, Confidence: 0.9}, 42)
	got := ids(s)
	want := goldenIDs
	if !reflect.DeepEqual(got, want) {
		t.Errorf("%s draws %q, pinned %q", DrawMethod, got, want)
	}
	if s.FrameDigest != goldenDigest {
		t.Errorf("frame digest %s, pinned %s", s.FrameDigest, goldenDigest)
	}
}

// A client is called once per stratum, however many records they have; a
// stratum with fewer clients than it needs takes every one of them.
func TestDrawOneCallPerClient(t *testing.T) {
	// 1000 records of 150 clients: SampleSize(1000) = 278 > 150.
	s := mustDraw(t, frame("710000000", "", 1000, 150, 0), plan95, 5)
	st := s.Strata[0]
	if st.Clients != 150 || st.Wanted != 278 || st.Drawn != 150 || !st.Everyone {
		t.Errorf("stratum %+v: want 150 clients, 278 wanted, all 150 drawn", st)
	}
	seen := map[string]bool{}
	for _, u := range s.Units {
		if seen[u.Client] {
			t.Errorf("client %s is called twice", u.Client)
		}
		seen[u.Client] = true
	}
	// Plenty of clients but repeats: still one call each, and the full n.
	s = mustDraw(t, frame("710000000", "", 2000, 900, 0), plan95, 5)
	want, _ := SampleSize(2000, 0.05, 0.95, 0.5)
	seen = map[string]bool{}
	for _, u := range s.Units {
		if seen[u.Client] {
			t.Errorf("client %s is called twice", u.Client)
		}
		seen[u.Client] = true
	}
	if len(s.Units) != want || s.Strata[0].Everyone {
		t.Errorf("drew %d of 900 clients, want %d", len(s.Units), want)
	}
}

// With the finite population correction n never exceeds N, so a stratum
// runs short only when exclusions or shared clients leave fewer callable
// clients than its n (here N = 10 needs all 10); it then takes every one.
func TestDrawSmallStratum(t *testing.T) {
	f := frame("790000000", "", 10, 0, 0)
	s := mustDraw(t, f, Plan{Margin: 0.05, Confidence: 0.95, Exclude: func(c string) bool { return c == "iin:79000003" }}, 3)
	st := s.Strata[0]
	if st.N != 10 || st.Wanted != 10 || st.Excluded != 1 || st.Clients != 9 || st.Drawn != 9 || !st.Everyone {
		t.Errorf("stratum %+v: want N 10, wanted 10, 1 excluded, all 9 others drawn", st)
	}
	if !strings.Contains(s.Description(), "everyone taken") {
		t.Error("the description does not say the stratum was taken whole")
	}
}

// Excluded clients are never drawn, are counted per stratum and listed by
// record; Exclude is asked once per client.
func TestDrawExclusions(t *testing.T) {
	f := frame("710000000", "", 3000, 1000, 0) // each client has 3 records
	asked := map[string]int{}
	excluded := func(c string) bool {
		asked[c]++
		return c < "iin:71000200" // the first 200 clients
	}
	s := mustDraw(t, f, Plan{Margin: 0.05, Confidence: 0.95, Exclude: excluded}, 11)
	for c, n := range asked {
		if n != 1 {
			t.Errorf("Exclude asked %d times about %s", n, c)
		}
	}
	if len(asked) != 1000 {
		t.Errorf("Exclude asked about %d clients, want 1000", len(asked))
	}
	for _, u := range s.Units {
		if u.Client < "iin:71000200" {
			t.Errorf("excluded client %s drawn", u.Client)
		}
	}
	st := s.Strata[0]
	if st.Excluded != 600 || st.Clients != 800 || len(s.Excluded) != 600 || !slices.IsSorted(s.Excluded) {
		t.Errorf("excluded %d units (%d listed), %d clients left; want 600 and 800", st.Excluded, len(s.Excluded), st.Clients)
	}
	if want, _ := SampleSize(3000, 0.05, 0.95, 0.5); st.Drawn != want {
		t.Errorf("drew %d, want %d: N counts the whole stratum", st.Drawn, want)
	}
}

// The oversample adds ceil(share·n) risky units on top of an unchanged main
// sample, marked Extra, of clients not already called.
func TestDrawOversample(t *testing.T) {
	f := frame("710000000", "", 2000, 0, 10) // 200 risky units
	base := mustDraw(t, f, plan95, 77)
	over := mustDraw(t, f, Plan{Margin: 0.05, Confidence: 0.95, Oversample: 0.25}, 77)
	st := over.Strata[0]
	wantExtra := int(math.Ceil(0.25 * float64(st.Wanted)))
	if st.ExtraWanted != wantExtra || st.ExtraDrawn != wantExtra {
		t.Errorf("extra wanted %d, drawn %d; want %d", st.ExtraWanted, st.ExtraDrawn, wantExtra)
	}
	var main []string
	clients := map[string]bool{}
	for _, u := range over.Units {
		if clients[u.Client] {
			t.Errorf("client %s drawn twice", u.Client)
		}
		clients[u.Client] = true
		if !u.Extra {
			main = append(main, u.RecordID)
			continue
		}
		if !u.Risk {
			t.Errorf("extra unit %s is not risky", u.RecordID)
		}
	}
	if !reflect.DeepEqual(main, ids(base)) {
		t.Error("the oversample changed the main sample")
	}
	// The risky share of the whole sample exceeds the frame's 10%.
	risky := 0
	for _, u := range over.Units {
		if u.Risk {
			risky++
		}
	}
	if share := float64(risky) / float64(len(over.Units)); share <= 0.1+0.15 {
		t.Errorf("risky share of the sample %.3f, want well above the frame's 0.1", share)
	}
	// Fewer risky units than wanted: all of them, and no more.
	few := frame("710000000", "", 2000, 0, 400) // 5 risky units
	s := mustDraw(t, few, Plan{Margin: 0.05, Confidence: 0.95, Oversample: 0.5}, 77)
	risky = 0
	for _, u := range s.Units {
		if u.Risk {
			risky++
		}
	}
	if risky != 5 {
		t.Errorf("drew %d risky units of 5", risky)
	}
}

// The description records everything an auditor needs and nothing that
// varies between runs.
func TestDrawDescription(t *testing.T) {
	s := mustDraw(t, frame("710000000", "ACC", 50, 0, 0), Plan{Margin: 0.05, Confidence: 0.95, ByService: true, Oversample: 0.1}, 7)
	d := s.Description()
	for _, want := range []string{
		"method: " + DrawMethod + "\n",
		"seed: 7\n",
		"plan: margin 0.05, confidence 0.95, p 0.5, strata by region and service, oversample of risky units 0.1\n",
		"frame: 50 units, sha256 " + s.FrameDigest + "\n",
		"excluded: 0 units, sha256 e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855\n",
		"stratum 710000000/ACC: N 50, excluded 0, clients 50, wanted 45, drawn 45, extra wanted 5, extra drawn 0\n",
	} {
		if !strings.Contains(d, want) {
			t.Errorf("description lacks %q:\n%s", want, d)
		}
	}
}

func TestDrawErrors(t *testing.T) {
	good := frame("710000000", "ACC", 5, 0, 0)
	with := func(edit func([]Unit)) []Unit { f := slices.Clone(good); edit(f); return f }
	tests := []struct {
		name  string
		frame []Unit
		plan  Plan
		field string
		code  ErrorCode
	}{
		{"margin", good, Plan{Margin: 0, Confidence: 0.95}, "margin", ErrOutOfRange},
		{"confidence", good, Plan{Margin: 0.05, Confidence: 1}, "confidence", ErrOutOfRange},
		{"oversample", good, Plan{Margin: 0.05, Confidence: 0.95, Oversample: 1.5}, "oversample", ErrOutOfRange},
		{"negative oversample", good, Plan{Margin: 0.05, Confidence: 0.95, Oversample: -0.1}, "oversample", ErrOutOfRange},
		{"repeated record", with(func(f []Unit) { f[3].RecordID = f[1].RecordID }), plan95, "record_id", ErrRepeated},
		{"no record ID", with(func(f []Unit) { f[2].RecordID = "" }), plan95, "record_id", ErrRequired},
		{"no region", with(func(f []Unit) { f[2].Region = "" }), plan95, "region", ErrRequired},
		{"no client", with(func(f []Unit) { f[2].Client = "" }), plan95, "client", ErrRequired},
		{"no service by service", with(func(f []Unit) { f[2].Service = "" }), Plan{Margin: 0.05, Confidence: 0.95, ByService: true}, "service", ErrRequired},
	}
	for _, tt := range tests {
		_, err := Draw(tt.frame, tt.plan, 1)
		var v *ValidationError
		if !errors.As(err, &v) || v.Field != tt.field || v.Code != tt.code {
			t.Errorf("%s: error %v, want %s %s", tt.name, err, tt.field, tt.code)
		}
	}
	// Without ByService a missing service is fine; an empty frame is an
	// empty sample.
	if _, err := Draw(with(func(f []Unit) { f[2].Service = "" }), plan95, 1); err != nil {
		t.Errorf("a unit without service, by region only: %v", err)
	}
	if s, err := Draw(nil, plan95, 1); err != nil || len(s.Units) != 0 || len(s.Strata) != 0 {
		t.Errorf("empty frame: %v, %d units", err, len(s.Units))
	}
}

func TestUnitOf(t *testing.T) {
	r := &register.Record{RecordID: "R1", RegionKATO: "710000000", ServiceCode: "ACC", ClientIIN: "900101300123"}
	u := UnitOf(r, true)
	if u != (Unit{RecordID: "R1", Region: "710000000", Service: "ACC", Client: register.ClientKey(r), Risk: true}) {
		t.Errorf("UnitOf = %+v", u)
	}
}

// A frame of a million records is drawn well within a second or two, so
// the sample of a year's register is instant to redo.
func BenchmarkDraw(b *testing.B) {
	var f []Unit
	for i := range 20 {
		f = append(f, frame(fmt.Sprintf("%02d0000000", 10+i), "", 50000, 40000, 50)...)
	}
	p := Plan{Margin: 0.03, Confidence: 0.95, Oversample: 0.1}
	for b.Loop() {
		if _, err := Draw(f, p, 1); err != nil {
			b.Fatal(err)
		}
	}
}

// The pinned draw of TestDrawGolden: SampleSize(12, 0.3, 0.9) = 5 of the
// records 00000 to 00011, seed 42.
var (
	goldenIDs    = []string{"710000000--00010", "710000000--00011", "710000000--00000", "710000000--00002", "710000000--00003"}
	goldenDigest = "258475ba954a69c30b0c7654cd337e60e4e56b16acd141542a09d5d451418d01"
)
