package ingest

import "testing"

// TestHashSet grows the set past its first size, with 0 and 1 (which share
// a slot value) among the members.
func TestHashSet(t *testing.T) {
	var s hashSet
	for i := uint64(0); i < 5000; i++ {
		s.add(i * 0x9e3779b97f4a7c15)
	}
	for i := uint64(0); i < 5000; i++ {
		if !s.has(i * 0x9e3779b97f4a7c15) {
			t.Fatalf("member %d missing", i)
		}
		if s.has(i*0x9e3779b97f4a7c15 + 2) {
			t.Fatalf("non-member %d found", i)
		}
	}
	if !s.has(1) || s.n != 5000 {
		t.Errorf("has(1) %v, n %d", s.has(1), s.n)
	}
}
