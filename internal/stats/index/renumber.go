package index

// renumber gives clients and enterprises new numbers in the order a scan
// of the day buckets, from the first day, first meets them, and rewrites
// the rows and the key sets to match.
//
// Compute's time goes on the per-client and per-enterprise states, which it
// reads in the order of the rows (by end day); numbered as records arrived
// (in record_id order from a file, in no order from the database), the
// states of consecutive rows are scattered over megabytes, and nearly every
// one is a cache miss. Numbered in day order, a client's first row of a
// period reads the state after the one the previous new client read, so
// only returning clients miss. New clients that arrive later are numbered
// at the end, which is where day order puts recent ones too.
//
// It runs under the write lock, after Load; it changes no result.
func (x *Index) renumber() {
	cp := firstSeen(len(x.clients.codes), x, func(r *row) *uint32 { return &r.client })
	ep := firstSeen(len(x.ents.codes), x, func(r *row) *uint32 { return &r.ent })
	// A row's part is its client's: every day is dealt into parts again.
	for i := range x.days {
		var n [parts]int
		for r := range x.days[i].all() {
			n[partOf(cp[r.client])]++
		}
		var day dayRows
		for p := range day {
			if n[p] > 0 {
				day[p] = make([]row, 0, n[p])
			}
		}
		for old := range x.days[i].all() {
			r := *old
			r.client, r.ent = cp[r.client], ep[r.ent]
			p := partOf(r.client)
			x.locPos[r.h] = locOf(p, len(day[p]))
			day[p] = append(day[p], r)
		}
		x.days[i] = day
	}
	for _, o := range x.odd {
		o.r.client, o.r.ent = cp[o.r.client], ep[o.r.ent]
	}
	x.clients.permute(cp)
	x.ents.permute(ep)
}

// firstSeen returns a permutation of [0, n): the numbers field reads, in
// the order eachRow meets them first, then the numbers no row holds any
// more (a client whose records were all corrected to another, or deleted,
// keeps its number) in their old order.
func firstSeen(n int, x *Index, field func(*row) *uint32) []uint32 {
	p := make([]uint32, n) // old number → new number + 1; 0 while unseen
	next := uint32(0)
	x.eachRow(func(r *row) {
		if id := *field(r); p[id] == 0 {
			next++
			p[id] = next
		}
	})
	for i := range p {
		if p[i] == 0 {
			next++
			p[i] = next
		}
	}
	for i := range p {
		p[i]--
	}
	return p
}

// eachRow calls fn for every row: the day buckets in day order, then the
// odd rows.
func (x *Index) eachRow(fn func(*row)) {
	for i := range x.days {
		for r := range x.days[i].all() {
			fn(r)
		}
	}
	for _, o := range x.odd {
		fn(&o.r)
	}
}

// permute renumbers the set: the string numbered old is numbered p[old]
// afterwards. p must be a permutation of [0, len(k.codes)).
func (k *keySet) permute(p []uint32) {
	codes := make([]uint64, len(k.codes))
	for old, c := range k.codes {
		codes[p[old]] = c
	}
	k.codes = codes
	for i, t := range k.tags {
		if t != 0 {
			k.slots[i] = p[k.slots[i]]
		}
	}
	for i, id := range k.free {
		k.free[i] = p[id]
	}
}
