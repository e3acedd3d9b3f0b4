package index

import (
	"cmp"
	"math/bits"
	"runtime"
	"slices"
	"sync"

	"esep/internal/intset"
	"esep/internal/register"
	"esep/internal/stats"
)

// Compute returns the tables of spec §4 and the nationwide figures for the
// records whose end_date lies in [from, to] (compared as text, as the
// database does: YYYY-MM-DD bounds, or any others), exactly as stats.Counter
// gives them for the same records and reasons. LateRegisters is always
// empty: late registers are facts of the monitoring cycle, not of records,
// and the caller appends them (as it calls Counter.AddLate).
//
// Compute holds the read lock for its whole run (tens of milliseconds for a
// year of a million records): writers wait for it, other readers do not.
func (x *Index) Compute(from, to string) (*stats.Tables, *stats.National) {
	x.mu.RLock()
	defer x.mu.RUnlock()
	buckets, odd, reasons, exact := x.period(from, to)
	if exact {
		return x.computeExact(from, to)
	}
	nw := x.workerCount(len(odd) + rowCount(buckets))
	s := x.getScratch()
	defer x.scratch.Put(s)
	sh := x.shape()
	ws := make([]*worker, nw)
	var wg sync.WaitGroup
	for w := range ws {
		ws[w] = s.worker(x, sh, uint32(w), uint32(nw-1))
		wg.Go(func() { ws[w].run(buckets, odd) })
	}
	wg.Wait()
	if nw > 1 {
		for w := range ws {
			wg.Go(func() { ws[w].receive(ws) })
		}
		wg.Wait()
	}
	total := ws[0]
	for _, k := range ws[1:] {
		total.merge(k)
	}
	for c, n := range reasons {
		total.reasons[c] += n
	}
	return x.tables(from, to, total), x.national(total)
}

// period finds the rows of [from, to]: a run of day buckets, and the odd
// rows whose end_date text lies in it. exact is true when a counted record
// of the period has values without codes: then only the exact path can
// count it. reasons counts the excluded records among such uncoded rows.
func (x *Index) period(from, to string) (buckets []dayRows, odd []*row, reasons map[uint8]int, exact bool) {
	if lo, hi, ok := dayRange(from, to); ok && len(x.days) > 0 {
		lo, hi = max(lo, x.base), min(hi, x.base+len(x.days)-1)
		if lo <= hi {
			buckets = x.days[lo-x.base : hi-x.base+1]
		}
	}
	reasons = map[uint8]int{}
	for _, o := range x.odd {
		if o.end < from || o.end > to {
			continue
		}
		if o.f == nil {
			odd = append(odd, &o.r)
			continue
		}
		c, ok := x.reason.ids[o.f.reason]
		if o.f.reason == "" || !ok {
			return nil, nil, nil, true
		}
		reasons[uint8(c)]++
	}
	return buckets, odd, reasons, false
}

// rowCount is the number of rows of days.
func rowCount(days []dayRows) int {
	n := 0
	for i := range days {
		n += days[i].len()
	}
	return n
}

// workerCount: a second worker pays off only for periods of more than a
// few days of rows. With each worker reading only its own rows, two took a
// quarter of a million records (a quarter of the 1M benchmark) in 7.3 ms
// against 9.7 ms for one (medians of 6 runs of 20, interleaved, 2026-12-07).
func (x *Index) workerCount(rows int) int {
	n := x.workers
	if n == 0 {
		n = runtime.GOMAXPROCS(0)
		if rows < 1<<17 {
			n = 1
		}
	}
	// Ownership is decided by a mask, so the count is a power of two.
	p := 1
	for p*2 <= min(n, parts) {
		p *= 2
	}
	return p
}

// shape is the sizes of the dictionaries, which size the dense counts.
type shape struct{ regions, services, sections, forms, cats, genders, reasons int }

func (x *Index) shape() shape {
	return shape{len(x.region.vals), len(x.service.vals), len(x.section.vals), len(x.form.vals),
		len(x.cat.vals), len(x.gender.vals), len(x.reason.vals)}
}

// cstate is what one Compute knows of a client, in 24 bytes (at ten
// million records the states are the largest thing Compute reads, in no
// order): its first counted service so far (start day, record number,
// gender, band), the first two regions it was counted in, and as bits the
// sections and categories it has been counted for in each of the two.
// Pairs in a third region and codes beyond the bits go to the worker's set
// of extra pairs, which stays small because most clients are served in one
// or two regions, and the dictionaries are seeded so that the real sections
// and categories have the small codes. The second region is there because
// one region was not enough: a client whose first service of the period was
// away from home sent every later row to the set, three look-ups in no
// order each, a quarter of a year's count on the demo register (8% of
// services away from home).
type cstate struct {
	h        uint32
	sectors  uint32
	sectors2 uint32 // of region2
	start    uint16
	epoch    uint16
	region   uint8
	region2  uint8 // when two
	two      bool
	gender   uint8
	band     uint8
	cats     uint8
	cats2    uint8 // of region2
}

// estate is the same for an enterprise, in 8 bytes: its first legal form,
// as bits the regions it was counted in with that form, and its forms.
type estate struct {
	regions  uint32
	epoch    uint16
	form     uint8
	natForms uint8
}

// scratch holds the per-client and per-enterprise states of one Compute at
// a time. An epoch number marks which entries belong to the current run, so
// that nothing is cleared between runs but once in 65,535. Scratch is
// pooled: it is 16 bytes per client and 8 per enterprise, too much to
// allocate per request, and concurrent Computes each take their own.
type scratch struct {
	epoch   uint16
	clients []cstate
	ents    []estate
	workers []*worker
}

func (x *Index) getScratch() *scratch {
	s, _ := x.scratch.Get().(*scratch)
	if s == nil {
		s = &scratch{}
	}
	if n := len(x.clients.codes); len(s.clients) < n {
		s.clients = append(s.clients, make([]cstate, n-len(s.clients))...)
	}
	if n := len(x.ents.codes); len(s.ents) < n {
		s.ents = append(s.ents, make([]estate, n-len(s.ents))...)
	}
	if s.epoch++; s.epoch == 0 {
		clear(s.clients)
		clear(s.ents)
		s.epoch = 1
	}
	return s
}

// worker counts the rows of the clients and enterprises it owns: those
// whose number, divided by 16, leaves w modulo the worker count (blocks of
// 16 so that two workers do not write to the same cache lines of the
// states). The rows of its clients are the parts of the days it owns, and
// it reads no others (but the odd rows, which every worker reads). A row's
// enterprise may be another worker's: the worker sends it the row's
// enterprise, region and form, and counts what the others sent it once all
// have read their rows (receive).
type worker struct {
	x       *Index
	s       *scratch
	epoch   uint16
	w, mask uint32
	sh      shape

	total, online int
	clients       int
	reasons       []int
	services      []int32 // region*services + service
	sectors       []int32 // region*sections + section
	cats          []int32 // region*cats + category
	forms         []int32 // region*forms + legal form (enterprises)
	genders       []int32 // region*genders + gender
	regions       []int32
	bands         [8]int32
	natSectors    []int32
	natCats       []int32
	natForms      []int32
	natGenders    []int32

	out     [parts][]uint64 // to each other worker: ent<<16 | region<<8 | form
	touched []uint32        // clients seen in this run
	extra   []uint64        // client<<8 | region: a client's regions after its first
	// client<<8 | value of the (region, section) and (region, category)
	// pairs that went to the set, for the nationwide figures
	extraSectors, extraCats []uint64
	seen                    intset.Set // extra pairs already counted
	sink                    uint16     // see touch
}

func (s *scratch) worker(x *Index, sh shape, w, mask uint32) *worker {
	for len(s.workers) <= int(w) {
		s.workers = append(s.workers, &worker{})
	}
	k := s.workers[w]
	out := k.out
	for i := range out {
		out[i] = out[i][:0]
	}
	*k = worker{x: x, s: s, epoch: s.epoch, w: w, mask: mask, sh: sh, out: out,
		touched: k.touched[:0], extra: k.extra[:0], seen: k.seen,
		extraSectors: k.extraSectors[:0], extraCats: k.extraCats[:0]}
	k.seen.Reset()
	k.reasons = make([]int, sh.reasons)
	k.services = make([]int32, sh.regions*sh.services)
	k.sectors = make([]int32, sh.regions*sh.sections)
	k.cats = make([]int32, sh.regions*sh.cats)
	k.forms = make([]int32, sh.regions*sh.forms)
	k.genders = make([]int32, sh.regions*sh.genders)
	k.regions = make([]int32, sh.regions)
	k.natSectors = make([]int32, sh.sections)
	k.natCats = make([]int32, sh.cats)
	k.natForms = make([]int32, sh.forms)
	k.natGenders = make([]int32, sh.genders)
	return k
}

// Kinds of extra pairs in a worker's set.
const (
	tagRegion = iota + 1
	tagSector
	tagCat
	tagNatSector
	tagNatCat
	tagForm
	tagNatForm
)

func pairKey(tag uint64, who uint32, a, b uint8) uint64 {
	return tag<<61 | uint64(who)<<16 | uint64(a)<<8 | uint64(b)
}

func (k *worker) run(days []dayRows, odd []*row) {
	for d := range days {
		for p := k.w; p < parts; p += k.mask + 1 {
			b := days[d][p]
			for len(b) > 0 {
				n := min(len(b), touchAhead)
				k.touch(b[:n])
				for i := range b[:n] {
					k.own(&b[i])
				}
				b = b[n:]
			}
		}
	}
	for _, r := range odd {
		k.row(r)
	}
	k.finish()
}

// receive counts the enterprises of the rows the other workers sent this
// one, once every worker has read its rows.
func (k *worker) receive(ws []*worker) {
	es := k.s.ents
	for _, o := range ws {
		sent := o.out[k.w]
		for len(sent) > 0 {
			n := min(len(sent), touchAhead)
			var sink uint16
			for _, e := range sent[:n] {
				sink += es[e>>16].epoch
			}
			k.sink += sink
			for _, e := range sent[:n] {
				k.enterprise(uint32(e>>16), uint8(e>>8), uint8(e))
			}
			sent = sent[n:]
		}
	}
}

// touchAhead is how many rows touch reads ahead.
const touchAhead = 32

// touch reads the states that the next rows will update, before updating
// any. The states of a year's clients are megabytes, read in no order, so
// nearly every one is a cache miss; read one by one, each waits for the
// last, while these independent loads are in flight together and the
// updates that follow find them in cache. Go has no prefetch instruction;
// summing the loads into k.sink keeps them from being optimised away.
func (k *worker) touch(rows []row) {
	var sink uint16
	cs, es := k.s.clients, k.s.ents
	for i := range rows {
		r := &rows[i]
		if r.reason != 0 {
			continue
		}
		sink += cs[r.client].epoch
		if (r.ent>>4)&k.mask == k.w {
			sink += es[r.ent].epoch
		}
	}
	k.sink += sink
}

// own counts a row of the worker's own parts: its client is the worker's.
func (k *worker) own(r *row) {
	if r.reason != 0 {
		k.reasons[r.reason]++
		return
	}
	k.client(r)
	if o := (r.ent >> 4) & k.mask; o == k.w {
		k.enterprise(r.ent, r.region, r.form)
	} else {
		k.out[o] = append(k.out[o], uint64(r.ent)<<16|uint64(r.region)<<8|uint64(r.form))
	}
}

// row counts an odd row, which every worker reads: what of it the worker
// owns.
func (k *worker) row(r *row) {
	if (r.client>>4)&k.mask == k.w {
		if r.reason != 0 {
			k.reasons[r.reason]++
		} else {
			k.client(r)
		}
	}
	if r.reason == 0 && (r.ent>>4)&k.mask == k.w {
		k.enterprise(r.ent, r.region, r.form)
	}
}

// client counts a counted row of a client this worker owns: the row itself
// (services, online) and what it adds to the distinct-client tables. Each
// (client, region, value) pair is remembered either as a bit of the
// client's state or in the set of extra pairs.
func (k *worker) client(r *row) {
	k.total++
	k.online += int(r.bits&onlineBit) >> 3
	k.services[int(r.region)*k.sh.services+int(r.service)]++
	st := &k.s.clients[r.client]
	if st.epoch != k.epoch {
		*st = cstate{epoch: k.epoch, h: r.h, start: r.start, region: r.region, gender: r.gender, band: r.bits & bandMask}
		k.touched = append(k.touched, r.client)
	} else if r.start < st.start || (r.start == st.start && k.x.idLess(r.h, st.h)) {
		// The first counted service decides gender and age band: earliest
		// start day, then the smaller record_id.
		st.h, st.start, st.gender, st.band = r.h, r.start, r.gender, r.bits&bandMask
	}
	// The bits of the row's region, if it is one of the client's two.
	var sectors *uint32
	var cats *uint8
	switch {
	case r.region == st.region:
		sectors, cats = &st.sectors, &st.cats
	case st.two && r.region == st.region2:
		sectors, cats = &st.sectors2, &st.cats2
	case !st.two:
		st.two, st.region2 = true, r.region // counted in finish, with the final gender
		sectors, cats = &st.sectors2, &st.cats2
	default:
		if k.seen.Add(pairKey(tagRegion, r.client, r.region, 0)) {
			k.extra = append(k.extra, uint64(r.client)<<8|uint64(r.region)) // counted in finish too
		}
	}
	if sectors != nil && r.section < 32 {
		if *sectors&(1<<r.section) == 0 {
			*sectors |= 1 << r.section
			k.sectors[int(r.region)*k.sh.sections+int(r.section)]++
		}
	} else if k.seen.Add(pairKey(tagSector, r.client, r.region, r.section)) {
		k.sectors[int(r.region)*k.sh.sections+int(r.section)]++
		k.extraSectors = append(k.extraSectors, uint64(r.client)<<8|uint64(r.section))
	}
	if cats != nil && r.cat < 8 {
		if *cats&(1<<r.cat) == 0 {
			*cats |= 1 << r.cat
			k.cats[int(r.region)*k.sh.cats+int(r.cat)]++
		}
	} else if k.seen.Add(pairKey(tagCat, r.client, r.region, r.cat)) {
		k.cats[int(r.region)*k.sh.cats+int(r.cat)]++
		k.extraCats = append(k.extraCats, uint64(r.client)<<8|uint64(r.cat))
	}
}

// enterprise counts a counted row towards the distinct enterprises by
// region and legal form: regions of the enterprise's first form as bits,
// anything else in the set.
func (k *worker) enterprise(ent uint32, region, form uint8) {
	st := &k.s.ents[ent]
	if st.epoch != k.epoch {
		*st = estate{epoch: k.epoch, form: form}
	}
	if form == st.form && region < 32 {
		if st.regions&(1<<region) == 0 {
			st.regions |= 1 << region
			k.forms[int(region)*k.sh.forms+int(form)]++
		}
	} else if k.seen.Add(pairKey(tagForm, ent, region, form)) {
		k.forms[int(region)*k.sh.forms+int(form)]++
	}
	if form < 8 {
		if st.natForms&(1<<form) == 0 {
			st.natForms |= 1 << form
			k.natForms[form]++
		}
	} else if k.seen.Add(pairKey(tagNatForm, ent, 0, form)) {
		k.natForms[form]++
	}
}

// finish counts what needs each client's final state: its gender in every
// region it was served in, its age band, and its sections and categories
// nationwide (those of its first region, as bits, then those of the extra
// pairs that the bits do not already hold, each once).
func (k *worker) finish() {
	cs := k.s.clients
	for i, c := range k.touched {
		if i%touchAhead == 0 { // as in touch: the states are read in no order
			var sink uint16
			for _, c := range k.touched[i:min(i+touchAhead, len(k.touched))] {
				sink += cs[c].epoch
			}
			k.sink += sink
		}
		st := &cs[c]
		g := int(st.gender)
		k.regions[st.region]++
		k.genders[int(st.region)*k.sh.genders+g]++
		k.natGenders[g]++
		k.bands[st.band]++
		if st.two {
			k.regions[st.region2]++
			k.genders[int(st.region2)*k.sh.genders+g]++
		}
		for m := st.sectors | st.sectors2; m != 0; m &= m - 1 {
			k.natSectors[bits.TrailingZeros32(m)]++
		}
		for m := st.cats | st.cats2; m != 0; m &= m - 1 {
			k.natCats[bits.TrailingZeros8(m)]++
		}
	}
	for _, e := range k.extra {
		region := int(e & 0xFF)
		k.regions[region]++
		k.genders[region*k.sh.genders+int(cs[e>>8].gender)]++
	}
	for _, e := range k.extraSectors {
		c, v := uint32(e>>8), uint8(e)
		if (v >= 32 || (cs[c].sectors|cs[c].sectors2)&(1<<v) == 0) && k.seen.Add(pairKey(tagNatSector, c, 0, v)) {
			k.natSectors[v]++
		}
	}
	for _, e := range k.extraCats {
		c, v := uint32(e>>8), uint8(e)
		if (v >= 8 || (cs[c].cats|cs[c].cats2)&(1<<v) == 0) && k.seen.Add(pairKey(tagNatCat, c, 0, v)) {
			k.natCats[v]++
		}
	}
	k.clients = len(k.touched)
}

func (k *worker) merge(o *worker) {
	k.total += o.total
	k.online += o.online
	k.clients += o.clients
	add(k.reasons, o.reasons)
	add(k.services, o.services)
	add(k.sectors, o.sectors)
	add(k.cats, o.cats)
	add(k.forms, o.forms)
	add(k.genders, o.genders)
	add(k.regions, o.regions)
	add(k.bands[:], o.bands[:])
	add(k.natSectors, o.natSectors)
	add(k.natCats, o.natCats)
	add(k.natForms, o.natForms)
	add(k.natGenders, o.natGenders)
}

func add[T int | int32](dst, src []T) {
	for i, v := range src {
		dst[i] += v
	}
}

// idLess compares the record_ids of two records as text. Ids of the same
// prefix written with as many digits compare as their numbers; any others
// are written out (rare: it takes one person with two services starting on
// the same day).
func (x *Index) idLess(a, b uint32) bool {
	ca, cb := x.rids.codes[a], x.rids.codes[b]
	const shapeBits = ^uint64(1<<ridDigitsShift - 1)
	if ca&spilled == 0 && cb&spilled == 0 && ca&shapeBits == cb&shapeBits {
		return ca < cb
	}
	var ba, bb [64]byte
	return string(x.rids.appendKey(ba[:0], a)) < string(x.rids.appendKey(bb[:0], b))
}

// tables turns the dense counts into the rows of spec §4.
func (x *Index) tables(from, to string, k *worker) *stats.Tables {
	t := &stats.Tables{From: from, To: to, ServicesTotal: k.total, ServicesOnline: k.online,
		ClientsByRegion: []stats.RegionRow{}, ClientsByRegionSector: []stats.SectorRow{},
		EnterprisesByRegionLegalForm: []stats.FormRow{}, ClientsByRegionGender: []stats.GenderRow{},
		ClientsByAgeBand: []stats.AgeRow{}, ClientsByRegionCategory: []stats.CatRow{},
		ServicesByRegionService: []stats.ServiceRow{}, Excluded: []stats.ReasonRow{}, LateRegisters: []stats.LateRow{}}
	regions := x.region.vals
	for r, n := range k.regions {
		if n > 0 {
			t.ClientsByRegion = append(t.ClientsByRegion, stats.RegionRow{Region: regions[r], Count: int(n)})
		}
	}
	pairs(k.sectors, len(x.section.vals), func(r, v, n int) {
		t.ClientsByRegionSector = append(t.ClientsByRegionSector, stats.SectorRow{Region: regions[r], OKEDSection: x.section.vals[v], Count: n})
	})
	pairs(k.forms, len(x.form.vals), func(r, v, n int) {
		t.EnterprisesByRegionLegalForm = append(t.EnterprisesByRegionLegalForm, stats.FormRow{Region: regions[r], LegalForm: x.form.vals[v], Count: n})
	})
	pairs(k.genders, len(x.gender.vals), func(r, v, n int) {
		t.ClientsByRegionGender = append(t.ClientsByRegionGender, stats.GenderRow{Region: regions[r], Gender: x.gender.vals[v], Count: n})
	})
	pairs(k.cats, len(x.cat.vals), func(r, v, n int) {
		t.ClientsByRegionCategory = append(t.ClientsByRegionCategory, stats.CatRow{Region: regions[r], Category: x.cat.vals[v], Count: n})
	})
	pairs(k.services, len(x.service.vals), func(r, v, n int) {
		t.ServicesByRegionService = append(t.ServicesByRegionService, stats.ServiceRow{Region: regions[r], ServiceCode: x.service.vals[v], Count: n})
	})
	for b, n := range k.bands[:len(register.AgeBands)] {
		if n > 0 {
			t.ClientsByAgeBand = append(t.ClientsByAgeBand, stats.AgeRow{AgeBand: register.AgeBands[b], Count: int(n)})
		}
	}
	for c, n := range k.reasons {
		if n > 0 {
			t.Excluded = append(t.Excluded, stats.ReasonRow{Reason: x.reason.vals[c], Count: n})
		}
	}
	byRegion := func(a, b string) int { return cmp.Compare(a, b) }
	slices.SortFunc(t.ClientsByRegion, func(a, b stats.RegionRow) int { return byRegion(a.Region, b.Region) })
	slices.SortFunc(t.ClientsByRegionSector, func(a, b stats.SectorRow) int {
		return cmp.Or(byRegion(a.Region, b.Region), cmp.Compare(a.OKEDSection, b.OKEDSection))
	})
	slices.SortFunc(t.EnterprisesByRegionLegalForm, func(a, b stats.FormRow) int {
		return cmp.Or(byRegion(a.Region, b.Region), cmp.Compare(a.LegalForm, b.LegalForm))
	})
	slices.SortFunc(t.ClientsByRegionGender, func(a, b stats.GenderRow) int {
		return cmp.Or(byRegion(a.Region, b.Region), cmp.Compare(a.Gender, b.Gender))
	})
	slices.SortFunc(t.ClientsByAgeBand, func(a, b stats.AgeRow) int { return cmp.Compare(a.AgeBand, b.AgeBand) })
	slices.SortFunc(t.ClientsByRegionCategory, func(a, b stats.CatRow) int {
		return cmp.Or(byRegion(a.Region, b.Region), cmp.Compare(a.Category, b.Category))
	})
	slices.SortFunc(t.ServicesByRegionService, func(a, b stats.ServiceRow) int {
		return cmp.Or(byRegion(a.Region, b.Region), cmp.Compare(a.ServiceCode, b.ServiceCode))
	})
	slices.SortFunc(t.Excluded, func(a, b stats.ReasonRow) int { return cmp.Compare(a.Reason, b.Reason) })
	return t
}

// pairs calls fn for every non-zero count of a region × value array.
func pairs(counts []int32, values int, fn func(region, value, n int)) {
	for i, n := range counts {
		if n > 0 {
			fn(i/values, i%values, int(n))
		}
	}
}

func (x *Index) national(k *worker) *stats.National {
	services := make([]int32, len(x.service.vals))
	for i, n := range k.services {
		services[i%len(services)] += n
	}
	return &stats.National{Clients: k.clients,
		ClientsBySector:        keyCounts(k.natSectors, x.section.vals),
		EnterprisesByLegalForm: keyCounts(k.natForms, x.form.vals),
		ClientsByGender:        keyCounts(k.natGenders, x.gender.vals),
		ClientsByCategory:      keyCounts(k.natCats, x.cat.vals),
		ServicesByService:      keyCounts(services, x.service.vals)}
}

func keyCounts(counts []int32, vals []string) []stats.KeyCount {
	out := []stats.KeyCount{}
	for i, n := range counts {
		if n > 0 {
			out = append(out, stats.KeyCount{Key: vals[i], Count: int(n)})
		}
	}
	slices.SortFunc(out, func(a, b stats.KeyCount) int { return cmp.Compare(a.Key, b.Key) })
	return out
}

// ServicesByMonth counts the counted services of [from, to] by the month of
// their end_date (its first seven characters), as Counter.ServicesByMonth.
func (x *Index) ServicesByMonth(from, to string) []stats.KeyCount {
	x.mu.RLock()
	defer x.mu.RUnlock()
	months := map[string]int{}
	if lo, hi, ok := dayRange(from, to); ok && len(x.days) > 0 {
		for d := max(lo, x.base); d <= min(hi, x.base+len(x.days)-1); d++ {
			n := 0
			for r := range x.days[d-x.base].all() {
				if r.reason == 0 {
					n++
				}
			}
			if n > 0 {
				months[dayString(uint16(d))[:7]] += n
			}
		}
	}
	for _, o := range x.odd {
		counts := o.r.reason == 0
		if o.f != nil {
			counts = o.f.reason == ""
		}
		if counts && o.end >= from && o.end <= to && len(o.end) >= 7 {
			months[o.end[:7]]++
		}
	}
	out := make([]stats.KeyCount, 0, len(months))
	for m, n := range months {
		out = append(out, stats.KeyCount{Key: m, Count: n})
	}
	slices.SortFunc(out, func(a, b stats.KeyCount) int { return cmp.Compare(a.Key, b.Key) })
	return out
}
