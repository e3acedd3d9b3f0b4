package index

import "strings"

// dict numbers the values of a column with few values (regions, sections,
// forms, categories, genders, services, exclusion reasons) so that a record
// stores one or two bytes per column and Compute counts into dense arrays
// indexed by these numbers. A dictionary has a size limit set by the width of
// its code; a value beyond it cannot be coded, and its record keeps its
// values as text (see fields).
type dict struct {
	ids   map[string]uint16
	vals  []string
	limit int
}

func newDict(limit int, first ...string) dict {
	d := dict{ids: map[string]uint16{}, limit: limit}
	for _, v := range first {
		d.code(v)
	}
	return d
}

// code returns the number of v, adding v if there is room.
func (d *dict) code(v string) (uint16, bool) {
	if c, ok := d.ids[v]; ok {
		return c, true
	}
	if len(d.vals) >= d.limit {
		return 0, false
	}
	c := uint16(len(d.vals))
	v = strings.Clone(v) // do not keep the caller's whole line alive
	d.ids[v] = c
	d.vals = append(d.vals, v)
	return c, true
}

func (d *dict) code8(v string) (uint8, bool) {
	c, ok := d.code(v)
	return uint8(c), ok
}
