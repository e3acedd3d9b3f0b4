package intset

import "testing"

// TestSet grows a set past its first size, with 0 and structured values
// (the same low bits) among the members, and empties it for reuse.
func TestSet(t *testing.T) {
	var s Set
	member := func(i uint64) uint64 { return i << 40 } // 0 first, then alike low bits
	for i := range uint64(5000) {
		if !s.Add(member(i)) {
			t.Fatalf("Add(%d) of a new member said it was there", i)
		}
	}
	if s.Add(member(7)) || s.Add(0) {
		t.Error("Add of a member said it was new")
	}
	for i := range uint64(5000) {
		if !s.Has(member(i)) {
			t.Fatalf("member %d missing", i)
		}
		if s.Has(member(i) + 1) {
			t.Fatalf("non-member %d found", member(i)+1)
		}
	}
	if s.Len() != 5000 {
		t.Errorf("Len %d, want 5000", s.Len())
	}
	s.Reset()
	if s.Len() != 0 || s.Has(0) || s.Has(member(3)) {
		t.Errorf("after Reset: Len %d, Has(0) %v, Has(member 3) %v", s.Len(), s.Has(0), s.Has(member(3)))
	}
	if !s.Add(member(3)) || !s.Has(member(3)) {
		t.Error("a set emptied by Reset does not take members again")
	}
}
