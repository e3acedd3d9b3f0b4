package index

import (
	"context"
	"fmt"
	"iter"
	"strings"
	"sync"
	"sync/atomic"

	"esep/internal/kz"
	"esep/internal/register"
	"esep/internal/stats"
)

// row is one record as Compute reads it: 24 bytes, no pointers (the
// garbage collector never scans the day buckets). Its end day is the bucket
// it sits in.
type row struct {
	client  uint32 // number of its client key (register.ClientKey)
	ent     uint32 // number of its enterprise_iin_bin
	h       uint32 // number of its record_id: for the tie-break on equal start days, and to find it again
	start   uint16 // start_date as a day
	service uint16
	region  uint8
	section uint8
	form    uint8
	cat     uint8
	gender  uint8
	reason  uint8 // exclusion reason; 0 is "" (it counts)
	bits    uint8 // age band (register.AgeBands index) | onlineBit
	_       uint8
}

const (
	bandMask  = 7
	onlineBit = 8
)

// parts is how many parts a day's rows are kept in, by client: the rows of
// client c in part (c/16) % parts. Compute's workers share the clients out
// by the same rule, so each reads the parts of its own clients and no other
// rows (see Compute). It is also the most workers Compute uses.
const parts = 8

// dayRows is the rows of one end day, in parts by client.
type dayRows [parts][]row

// all yields every row of the day, part after part.
func (d *dayRows) all() iter.Seq[*row] {
	return func(yield func(*row) bool) {
		for p := range d {
			for i := range d[p] {
				if !yield(&d[p][i]) {
					return
				}
			}
		}
	}
}

// len is the number of rows of the day.
func (d *dayRows) len() int {
	n := 0
	for p := range d {
		n += len(d[p])
	}
	return n
}

func partOf(client uint32) uint32 { return client >> 4 & (parts - 1) }

// A row's place in its day (Index.locPos): its part in the top bits, its
// position in the part below.
const (
	posBits = 29
	posMask = 1<<posBits - 1
)

func locOf(part uint32, pos int) uint32 { return part<<posBits | uint32(pos) }

// rowAt returns the row at place l of day d.
func (x *Index) rowAt(d uint16, l uint32) *row {
	return &x.days[int(d)-x.base][l>>posBits][l&posMask]
}

// oddRow is a record that does not sit in a day bucket: its end_date is not
// a canonical date of the day range (it still belongs to every period whose
// bounds enclose it as text, as in the database), or some of its values
// have no code (f).
type oddRow struct {
	end string
	r   row
	f   *fields
}

// fields are the values of a record that could not all be coded: a
// start_date that is not a canonical day (its order against other start
// dates is the order of the text), or a value beyond a full dictionary.
// When a row has fields, only its client, ent, h and bits are codes.
type fields struct {
	start, region, service, section, form, category, gender, reason string
}

// Index is the warm, incrementally maintained form of every record that
// the indicators need. See the package documentation. The zero value is not
// usable; call New.
type Index struct {
	mu sync.RWMutex

	rids, clients, ents keySet
	prefixes, names     keySet // parts of compact record ids and client keys

	region, section, form, cat, gender, reason dict // 8-bit codes
	service                                    dict // 16-bit codes, at most 4096 values

	base   int       // the day of days[0]
	days   []dayRows // by end day, from base; order inside a part does not matter
	locDay []uint16
	locPos []uint32 // by record number: the day and place of its row (noDay: in odd)
	odd    map[uint32]*oddRow
	n      int

	// version counts the changes; a result computed at one version holds
	// until it moves (see Version).
	version atomic.Uint64

	// workers is how many goroutines Compute uses at most; 0 is one for a
	// period of fewer than 2^17 rows, else GOMAXPROCS (see workerCount).
	workers int
	scratch sync.Pool
}

// New returns an empty index.
func New() *Index {
	x := &Index{odd: map[uint32]*oddRow{}}
	x.prefixes = newKeySet(nil, nil)
	x.prefixes.limit = maxPrefixes
	x.names = newKeySet(nil, nil)
	x.rids = newKeySet(x.ridEnc, x.ridDec)
	x.clients = newKeySet(x.clientEnc, x.clientDec)
	x.ents = newKeySet(entEnc, entDec)
	// The known values come first, so that they have the small codes that
	// Compute keeps as bits (see cstate); others are numbered as they come.
	var regions, sections, forms, cats []string
	for _, r := range append(kz.Regions(), kz.Regions2019()...) {
		regions = append(regions, r.Code)
	}
	for _, s := range kz.Sections() {
		sections = append(sections, s.Letter)
	}
	for _, f := range kz.LegalForms() {
		forms = append(forms, f.Code)
	}
	for _, c := range kz.Categories() {
		cats = append(cats, c.Code)
	}
	x.region, x.section, x.form, x.cat = newDict(256, regions...), newDict(256, sections...), newDict(256, forms...), newDict(256, cats...)
	x.gender = newDict(256, "M", "F")
	x.reason = newDict(256, "") // 0 means the record counts
	x.service = newDict(4096)   // regions × services stays a small dense array
	return x
}

// A record_id is compact when it ends in digits and its prefix (all before
// the last 12 digits at most) is one of the first 65,536 prefixes seen:
// "SRV-2026-0000001" is prefix "SRV-2026-" and 7 digits of the number 1.
func (x *Index) ridEnc(s string, add bool) (uint64, encoding) {
	prefix, num, nd := trailingDigits(s)
	if nd == 0 {
		return 0, spill
	}
	var pid uint32
	if add {
		id, _, ok := x.prefixes.add(prefix)
		if !ok {
			return 0, spill
		}
		pid = id
	} else {
		id, ok := x.prefixes.lookup(prefix)
		if !ok {
			if x.prefixes.full() {
				return 0, spill
			}
			return 0, absent
		}
		pid = id
	}
	return uint64(pid)<<ridPrefixShift | uint64(nd)<<ridDigitsShift | num, compact
}

func (x *Index) ridDec(b []byte, code uint64) []byte {
	b = x.prefixes.appendKey(b, uint32(code>>ridPrefixShift&(maxPrefixes-1)))
	return appendDigits(b, code&(1<<ridDigitsShift-1), int(code>>ridDigitsShift&0xF))
}

// A client key is compact when it is "iin:" and 12 digits, or "name:", a
// folded name and "|" with a canonical birth date: the name is numbered
// once however many people share it.
func (x *Index) clientEnc(s string, add bool) (uint64, encoding) {
	if rest, ok := strings.CutPrefix(s, "iin:"); ok {
		if n, ok := isDigits12(rest); ok {
			return n, compact
		}
		return 0, spill
	}
	if rest, ok := strings.CutPrefix(s, "name:"); ok {
		// The birth date is after the last "|": a "|" inside the name
		// cannot make two keys share a code, since the code is read off
		// the key's own text.
		if i := strings.LastIndexByte(rest, '|'); i >= 0 {
			if day, ok := parseDay(rest[i+1:]); ok {
				var id uint32
				if add {
					id, _, _ = x.names.add(rest[:i])
				} else if id, ok = x.names.lookup(rest[:i]); !ok {
					return 0, absent
				}
				return nameKey | uint64(id)<<16 | uint64(day), compact
			}
		}
	}
	return 0, spill
}

func (x *Index) clientDec(b []byte, code uint64) []byte {
	if code&nameKey == 0 {
		return appendDigits(append(b, "iin:"...), code, 12)
	}
	b = x.names.appendKey(append(b, "name:"...), uint32(code&^nameKey>>16))
	return appendDay(append(b, '|'), uint16(code))
}

// An enterprise_iin_bin is compact when it is 12 digits.
func entEnc(s string, _ bool) (uint64, encoding) {
	if n, ok := isDigits12(s); ok {
		return n, compact
	}
	return 0, spill
}

func entDec(b []byte, code uint64) []byte { return appendDigits(b, code, 12) }

// Version is a number that changes whenever the index does: what Compute
// returned for a period at one version is what it would return again while
// Version returns the same, so callers may keep it.
func (x *Index) Version() uint64 { return x.version.Load() }

// Len returns the number of records in the index.
func (x *Index) Len() int {
	x.mu.RLock()
	defer x.mu.RUnlock()
	return x.n
}

// Put inserts the record, or replaces the record with the same record_id:
// a correction may change any field, the end_date, region and client
// included. excluded is the reason the record does not count ("" when it
// counts), as monitor.Exclusion gives it; it depends only on the record and
// its facts, so the caller passes it again whenever it changes (see
// SetExcluded). Put keeps nothing of rec.
func (x *Index) Put(rec *register.Record, excluded string) {
	x.mu.Lock()
	defer x.mu.Unlock()
	x.put(rec, excluded)
}

func (x *Index) put(rec *register.Record, excluded string) {
	x.version.Add(1)
	h, isNew, _ := x.rids.add(rec.RecordID)
	r, f := x.encode(rec, excluded)
	r.h = h
	if isNew {
		x.n++
		if int(h) == len(x.locDay) {
			x.locDay = append(x.locDay, 0)
			x.locPos = append(x.locPos, 0)
		}
	} else {
		if d, ok := parseDay(rec.EndDate); ok && f == nil && x.locDay[h] == d && x.locPos[h]>>posBits == partOf(r.client) {
			*x.rowAt(d, x.locPos[h]) = r // same day and part: in place
			return
		}
		x.unplace(h)
	}
	x.place(h, r, rec.EndDate, f)
}

func (x *Index) encode(rec *register.Record, excluded string) (r row, f *fields) {
	r.client = x.clientID(rec)
	r.ent, _, _ = x.ents.add(rec.EnterpriseID)
	r.bits = bandCode(register.AgeBand(rec))
	if rec.DeliveryMode == "online" {
		r.bits |= onlineBit
	}
	var ok [8]bool
	r.start, ok[0] = parseDay(rec.StartDate)
	r.service, ok[1] = x.service.code(rec.ServiceCode)
	r.region, ok[2] = x.region.code8(rec.RegionKATO)
	r.section, ok[3] = x.section.code8(rec.OKEDSection)
	r.form, ok[4] = x.form.code8(rec.LegalForm)
	r.cat, ok[5] = x.cat.code8(rec.Category)
	r.gender, ok[6] = x.gender.code8(rec.ClientGender)
	r.reason, ok[7] = x.reason.code8(excluded)
	if ok == [8]bool{true, true, true, true, true, true, true, true} {
		return r, nil
	}
	c := strings.Clone
	return r, &fields{start: c(rec.StartDate), region: c(rec.RegionKATO), service: c(rec.ServiceCode), section: c(rec.OKEDSection),
		form: c(rec.LegalForm), category: c(rec.Category), gender: c(rec.ClientGender), reason: c(excluded)}
}

// clientID numbers the client of rec by register.ClientKey. The usual
// key, "iin:" and 12 digits, is encoded straight from the IIN: building the
// string was a tenth of Load. TestClientKeys holds this to ClientKey.
func (x *Index) clientID(rec *register.Record) uint32 {
	if n, ok := isDigits12(rec.ClientIIN); ok {
		id, _, _ := x.clients.addEncoded("", n, compact)
		return id
	}
	id, _, _ := x.clients.add(register.ClientKey(rec))
	return id
}

func bandCode(band string) uint8 {
	for i, b := range register.AgeBands {
		if b == band {
			return uint8(i)
		}
	}
	panic("index: unknown age band " + band) // register.AgeBand returns only these
}

// place puts the row of record h where its end_date says.
func (x *Index) place(h uint32, r row, end string, f *fields) {
	day, ok := parseDay(end)
	if !ok || f != nil {
		x.odd[h] = &oddRow{end: strings.Clone(end), r: r, f: f}
		x.locDay[h] = noDay
		return
	}
	b := x.bucket(int(day))
	p := partOf(r.client)
	x.locDay[h] = day
	x.locPos[h] = locOf(p, len(b[p]))
	b[p] = append(b[p], r)
}

// bucket returns the rows of a day, widening the window of days (with
// room to spare on the side it grew, so that records arriving in
// descending order do not copy the window each time).
func (x *Index) bucket(day int) *dayRows {
	switch {
	case len(x.days) == 0:
		x.base, x.days = day, make([]dayRows, 1)
	case day < x.base:
		lo := max(0, min(day, x.base-len(x.days)/2))
		days := make([]dayRows, x.base-lo+len(x.days))
		copy(days[x.base-lo:], x.days)
		x.base, x.days = lo, days
	case day >= x.base+len(x.days):
		x.days = append(x.days, make([]dayRows, day-x.base-len(x.days)+1)...)
	}
	return &x.days[day-x.base]
}

// unplace takes the row of record h out of its bucket: the last row of the
// part takes its place.
func (x *Index) unplace(h uint32) {
	d := x.locDay[h]
	if d == noDay {
		delete(x.odd, h)
		return
	}
	l := x.locPos[h]
	b := &x.days[int(d)-x.base][l>>posBits]
	pos, last := int(l&posMask), len(*b)-1
	if pos != last {
		(*b)[pos] = (*b)[last]
		x.locPos[(*b)[pos].h] = l
	}
	*b = (*b)[:last]
}

// SetExcluded changes the reason record recordID is excluded for ("": it
// counts), when its facts change and its fields do not (an act registry
// arrives, a register is found late). It returns false when there is no
// such record.
func (x *Index) SetExcluded(recordID, reason string) bool {
	x.mu.Lock()
	defer x.mu.Unlock()
	h, ok := x.rids.lookup(recordID)
	if !ok {
		return false
	}
	x.version.Add(1)
	code, coded := x.reason.code8(reason)
	d := x.locDay[h]
	if d == noDay {
		o := x.odd[h]
		switch {
		case o.f != nil:
			o.f.reason = strings.Clone(reason)
		case coded:
			o.r.reason = code
		default:
			o.f = x.fieldsOf(&o.r)
			o.f.reason = strings.Clone(reason)
		}
		return true
	}
	r := x.rowAt(d, x.locPos[h])
	if coded {
		r.reason = code
		return true
	}
	// A reason beyond the dictionary: the record keeps its values as text.
	o := &oddRow{end: dayString(d), r: *r, f: x.fieldsOf(r)}
	o.f.reason = strings.Clone(reason)
	x.unplace(h)
	x.odd[h], x.locDay[h] = o, noDay
	return true
}

func (x *Index) fieldsOf(r *row) *fields {
	return &fields{start: dayString(r.start), region: x.region.vals[r.region], service: x.service.vals[r.service],
		section: x.section.vals[r.section], form: x.form.vals[r.form], category: x.cat.vals[r.cat],
		gender: x.gender.vals[r.gender], reason: x.reason.vals[r.reason]}
}

// Delete removes record recordID; it returns false when there is none.
// The numbers of its client and enterprise stay (see the package
// documentation on what is never reclaimed).
func (x *Index) Delete(recordID string) bool {
	x.mu.Lock()
	defer x.mu.Unlock()
	h, ok := x.rids.lookup(recordID)
	if !ok {
		return false
	}
	x.version.Add(1)
	x.unplace(h)
	x.rids.remove(recordID)
	x.n--
	return true
}

// Load puts every record src gives for the end dates [from, to], with its
// exclusion reason, under one write lock, then trims the slack of the
// growing arrays. It is how the index is rebuilt after a restart: build a
// new Index with Load while the old one (or none) serves, then swap. To
// load everything a source holds pass "" and "\U0010FFFF", which enclose
// every end_date as text.
func (x *Index) Load(ctx context.Context, src stats.Source, from, to string) error {
	x.mu.Lock()
	defer x.mu.Unlock()
	err := src.EachCounted(ctx, from, to, func(r *register.Record, excluded string) error {
		x.put(r, excluded)
		return nil
	})
	x.trim()
	x.renumber()
	if err != nil {
		return fmt.Errorf("index load %s..%s: %w", from, to, err)
	}
	return nil
}

// trim gives back the spare capacity that appends leave (up to a quarter
// of each array), so that a freshly loaded index holds only what it needs.
// The days' parts are not among them: renumber, which follows, deals every
// day into parts of the exact size.
func (x *Index) trim() {
	x.locDay, x.locPos = clip(x.locDay), clip(x.locPos)
	for _, k := range []*keySet{&x.rids, &x.clients, &x.ents, &x.names, &x.prefixes} {
		k.codes, k.arena = clip(k.codes), clip(k.arena)
	}
}

func clip[T any](s []T) []T {
	if cap(s)-len(s) <= len(s)/32 {
		return s
	}
	return append(make([]T, 0, len(s)), s...)
}
