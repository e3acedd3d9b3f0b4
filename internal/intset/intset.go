// Package intset is a set of uint64 values in one slice: open addressing
// with linear probing at a load of at most one half, 16 to 32 bytes a
// member, and no pointers for the garbage collector to follow. The import
// keeps the hashes of what a file wrote in one, and the indicator engine
// the rare (person, region, value) pairs its bit sets cannot hold; a Go map
// of the same members took several times the memory and time.
package intset

// Set is a set of uint64 values. The zero value is an empty set.
type Set struct {
	slots []uint64 // 0 is an empty slot; the value 0 is kept in zero
	n     int
	zero  bool
}

// Mix is a 64-bit finalizer (MurmurHash3's), for values that are
// structured (a tag in the high bits, small serial numbers in the low):
// every bit of its result depends on every bit of x, so a slot can be
// taken from any of them.
func Mix(x uint64) uint64 {
	x ^= x >> 33
	x *= 0xff51afd7ed558ccd
	x ^= x >> 33
	x *= 0xc4ceb9fe1a85ec53
	x ^= x >> 33
	return x
}

// Add puts v in the set and reports whether it was new.
func (s *Set) Add(v uint64) bool {
	if v == 0 {
		isNew := !s.zero
		s.zero = true
		return isNew
	}
	if (s.n+1)*2 > len(s.slots) {
		s.grow()
	}
	i, ok := s.find(v)
	if ok {
		return false
	}
	s.slots[i] = v
	s.n++
	return true
}

// Has reports whether v is in the set.
func (s *Set) Has(v uint64) bool {
	if v == 0 {
		return s.zero
	}
	if s.n == 0 {
		return false
	}
	_, ok := s.find(v)
	return ok
}

// Len returns the number of members.
func (s *Set) Len() int {
	if s.zero {
		return s.n + 1
	}
	return s.n
}

// Reset empties the set and keeps its slots for reuse.
func (s *Set) Reset() {
	if s.n > 0 {
		clear(s.slots)
		s.n = 0
	}
	s.zero = false
}

// find returns the slot of v, not 0, or the empty slot where it would go.
func (s *Set) find(v uint64) (int, bool) {
	mask := len(s.slots) - 1
	for i := int(Mix(v)) & mask; ; i = (i + 1) & mask {
		switch s.slots[i] {
		case v:
			return i, true
		case 0:
			return i, false
		}
	}
}

func (s *Set) grow() {
	old := s.slots
	s.slots = make([]uint64, max(1024, 2*len(old)))
	for _, v := range old {
		if v != 0 {
			i, _ := s.find(v)
			s.slots[i] = v
		}
	}
}
