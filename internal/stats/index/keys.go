package index

import (
	"encoding/binary"
	"hash/maphash"

	"esep/internal/intset"
)

// keySet numbers the distinct strings of one kind (record ids, client keys,
// enterprise ids, and the prefixes and names these are built of) densely
// from 0, exactly. Each number has a 64-bit code from which the string can
// be written back:
//
//   - a compact code when the string has the shape its kind expects (a
//     12-digit IIN, "SRV-2026-" plus digits, a folded name plus a birth
//     date): 8 bytes, the string itself not kept;
//   - otherwise the string is "spilled": kept whole in an arena, length
//     first, and the code is its offset with the top bit set.
//
// Whether a string gets a compact code is a function of the string and of
// the sub-dictionaries the encoder consults, which only grow; so a string is
// encoded the same way every time and two different strings never share a
// code. No hash stands for a key: hashes only choose the slot, and equality
// is decided on the code or on the spilled bytes. Hashing record ids to 64
// bits would have been simpler, but a collision between two record ids
// would merge two services without anyone noticing, and telling a collision
// from a correction needs the string anyway.
//
// The table is open addressing with linear probing at a load of at most
// 0.8, indexed by the high bits of the hash times the table size. A slot is
// the number (uint32) and a tag byte (0 empty, else 7 bits of the hash): a
// probe reads the tags, which lie side by side, and looks at a code only
// when the tag matches. Without the tags every probe was a cache miss into
// the codes, and at a load of 0.8 a miss costs about 13 probes: the table
// look-ups were 38% of Load. About 8 bytes per key.
type keySet struct {
	// enc gives the compact code of s, or spill, or absent when s cannot be
	// in the set (its compact form needs a sub-dictionary entry that does
	// not exist and may still be added). add lets it add such entries.
	enc   func(s string, add bool) (uint64, encoding)
	dec   func(b []byte, code uint64) []byte
	codes []uint64 // number → code
	arena []byte   // spilled strings: uvarint length, bytes; removed ones stay as garbage
	slots []uint32
	tags  []uint8
	free  []uint32 // numbers of removed strings, given out again
	live  int
	limit int // at most this many strings (0: no limit), for sub-dictionaries that must fit their bits
	seed  maphash.Seed
}

type encoding uint8

const (
	compact encoding = iota
	spill
	absent
)

const spilled = 1 << 63

func newKeySet(enc func(string, bool) (uint64, encoding), dec func([]byte, uint64) []byte) keySet {
	if enc == nil {
		enc = func(string, bool) (uint64, encoding) { return 0, spill }
	}
	return keySet{enc: enc, dec: dec, seed: maphash.MakeSeed()}
}

func (k *keySet) hash(code uint64, s string, e encoding) uint64 {
	if e == compact {
		return intset.Mix(code)
	}
	return maphash.String(k.seed, s)
}

func (k *keySet) spilledBytes(code uint64) []byte {
	off := code &^ spilled
	n, w := binary.Uvarint(k.arena[off:])
	return k.arena[off+uint64(w) : off+uint64(w)+n]
}

func (k *keySet) home(h uint64) int { return int((h >> 32) * uint64(len(k.slots)) >> 32) }

// find returns the slot holding s, or the empty slot where it would go,
// and the tag of s.
func (k *keySet) find(s string, code uint64, e encoding) (slot int, id uint32, tag uint8, found bool) {
	h := k.hash(code, s, e)
	tag = uint8(h) | 0x80
	i := k.home(h)
	for {
		t := k.tags[i]
		if t == 0 {
			return i, 0, tag, false
		}
		if t == tag {
			v := k.slots[i]
			c := k.codes[v]
			if e == compact {
				if c == code {
					return i, v, tag, true
				}
			} else if c&spilled != 0 && string(k.spilledBytes(c)) == s {
				return i, v, tag, true
			}
		}
		if i++; i == len(k.slots) {
			i = 0
		}
	}
}

// full says whether the set has reached its limit.
func (k *keySet) full() bool { return k.limit > 0 && k.live >= k.limit }

// add returns the number of s, giving it the next free one if s is new.
// ok is false only when s is new and the set is full.
func (k *keySet) add(s string) (id uint32, isNew, ok bool) {
	code, e := k.enc(s, true)
	return k.addEncoded(s, code, e)
}

// addEncoded is add for a caller that has the encoding of s already; s
// itself is read only when it is spilled.
func (k *keySet) addEncoded(s string, code uint64, e encoding) (id uint32, isNew, ok bool) {
	if len(k.slots) == 0 || (k.live+1)*5 > len(k.slots)*4 {
		k.resize(max(16, (k.live+1)*2))
	}
	slot, id, tag, found := k.find(s, code, e)
	if found {
		return id, false, true
	}
	if k.full() {
		return 0, false, false
	}
	if e == spill {
		code = spilled | uint64(len(k.arena))
		k.arena = binary.AppendUvarint(k.arena, uint64(len(s)))
		k.arena = append(k.arena, s...)
	}
	if n := len(k.free); n > 0 {
		id = k.free[n-1]
		k.free = k.free[:n-1]
		k.codes[id] = code
	} else {
		id = uint32(len(k.codes))
		k.codes = append(k.codes, code)
	}
	k.slots[slot], k.tags[slot] = id, tag
	k.live++
	return id, true, true
}

// lookup returns the number of s if s is in the set.
func (k *keySet) lookup(s string) (uint32, bool) {
	if k.live == 0 {
		return 0, false
	}
	code, e := k.enc(s, false)
	if e == absent {
		return 0, false
	}
	_, id, _, found := k.find(s, code, e)
	return id, found
}

// remove takes s out of the set; its number will be given out again.
func (k *keySet) remove(s string) bool {
	if k.live == 0 {
		return false
	}
	code, e := k.enc(s, false)
	if e == absent {
		return false
	}
	i, id, _, found := k.find(s, code, e)
	if !found {
		return false
	}
	// Backward-shift deletion: move later members of the probe run into
	// the hole unless their home lies cyclically after it, so that no
	// tombstones slow later look-ups.
	for j := i; ; {
		if j++; j == len(k.slots) {
			j = 0
		}
		if k.tags[j] == 0 {
			break
		}
		h := k.home(k.entryHash(k.slots[j]))
		if (i <= j && i < h && h <= j) || (i > j && (i < h || h <= j)) {
			continue
		}
		k.slots[i], k.tags[i] = k.slots[j], k.tags[j]
		i = j
	}
	k.tags[i] = 0
	k.free = append(k.free, id)
	k.live--
	return true
}

func (k *keySet) entryHash(id uint32) uint64 {
	c := k.codes[id]
	if c&spilled == 0 {
		return intset.Mix(c)
	}
	return maphash.Bytes(k.seed, k.spilledBytes(c))
}

func (k *keySet) resize(size int) {
	k.slots, k.tags = make([]uint32, size), make([]uint8, size)
	live := make([]bool, len(k.codes))
	for i := range live {
		live[i] = true
	}
	for _, id := range k.free {
		live[id] = false
	}
	for id := range k.codes {
		if !live[id] {
			continue
		}
		h := k.entryHash(uint32(id))
		i := k.home(h)
		for k.tags[i] != 0 {
			if i++; i == len(k.slots) {
				i = 0
			}
		}
		k.slots[i], k.tags[i] = uint32(id), uint8(h)|0x80
	}
}

// appendKey writes the string of number id.
func (k *keySet) appendKey(b []byte, id uint32) []byte {
	c := k.codes[id]
	if c&spilled != 0 {
		return append(b, k.spilledBytes(c)...)
	}
	return k.dec(b, c)
}

func (k *keySet) key(id uint32) string { return string(k.appendKey(nil, id)) }

// trailingDigits splits s into a prefix and its last (at most 12) digits.
func trailingDigits(s string) (prefix string, num uint64, nd int) {
	j := len(s)
	for j > 0 && len(s)-j < 12 && s[j-1] >= '0' && s[j-1] <= '9' {
		j--
	}
	for i := j; i < len(s); i++ {
		num = num*10 + uint64(s[i]-'0')
	}
	return s[:j], num, len(s) - j
}

func appendDigits(b []byte, num uint64, nd int) []byte {
	var buf [12]byte
	for i := nd - 1; i >= 0; i-- {
		buf[i] = byte('0' + num%10)
		num /= 10
	}
	return append(b, buf[:nd]...)
}

// Compact record ids: bits 0-39 the trailing number (12 digits fit), 40-43
// how many digits it was written with (leading zeros count), 44-59 the
// number of the prefix.
const (
	ridDigitsShift = 40
	ridPrefixShift = 44
	maxPrefixes    = 1 << 16
)

// Compact client keys: an IIN key is its 12 digits as a number (below
// 2^40); a name key has bit 62 set, the number of the folded name from bit
// 16 and the birth day in bits 0-15.
const nameKey = 1 << 62

// isDigits12 says whether s is exactly 12 ASCII digits, the shape of an IIN
// or a BIN.
func isDigits12(s string) (uint64, bool) {
	if len(s) != 12 {
		return 0, false
	}
	n, ok := digits(s)
	return uint64(n), ok
}
