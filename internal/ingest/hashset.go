package ingest

// hashSet is a set of 64-bit hashes in one slice, open addressing with
// linear probing: 16 to 32 bytes a member, no pointers for the garbage
// collector to follow. The maps of strings it replaces held about 120
// bytes a row of a file (the record_id, the person's key and first
// spelling, their headers and the maps' slots), and the collector let the
// heap grow to twice that. A member may stand for several strings: a hit
// is confirmed in the store.
type hashSet struct {
	slots []uint64 // 0 is an empty slot; hash 0 is stored as 1
	n     int
}

func (s *hashSet) add(h uint64) {
	if s.n >= len(s.slots)/2 {
		s.grow()
	}
	if s.put(h | b2u(h == 0)) {
		s.n++
	}
}

func (s *hashSet) has(h uint64) bool {
	if len(s.slots) == 0 {
		return false
	}
	_, ok := s.find(h | b2u(h == 0))
	return ok
}

// put stores h, not 0, and reports whether it was new.
func (s *hashSet) put(h uint64) bool {
	i, ok := s.find(h)
	if !ok {
		s.slots[i] = h
	}
	return !ok
}

// find returns the slot of h, not 0, or the empty slot where it would go.
func (s *hashSet) find(h uint64) (uint64, bool) {
	mask := uint64(len(s.slots) - 1)
	for i := h & mask; ; i = (i + 1) & mask {
		switch s.slots[i] {
		case h:
			return i, true
		case 0:
			return i, false
		}
	}
}

func (s *hashSet) grow() {
	old := s.slots
	s.slots = make([]uint64, max(1024, 2*len(old)))
	for _, h := range old {
		if h != 0 {
			s.put(h)
		}
	}
}

func b2u(b bool) uint64 {
	if b {
		return 1
	}
	return 0
}
