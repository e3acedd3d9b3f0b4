package signals

import (
	"cmp"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"esep/internal/kz"
	"esep/internal/register"
)

// This file holds the signs read from places, people and text: a bus in two
// settlements, one contact for unrelated clients, an IIN that disagrees with
// its holder, and copied records.

// detectMobileTwoPlaces finds a mobile center that served at least
// MobilePerPlace clients in each of MobilePlaces or more settlements on one
// start date. A bus is one vehicle; it may visit two neighbouring villages
// on its route, so settlements of one district weigh less than settlements
// of different districts.
func detectMobileTwoPlaces(d *data, o Options) []Signal {
	var keys []key
	for i := range d.items {
		it := &d.items[i]
		if it.rec.PlaceKind == "mobile_center" && it.center >= 0 && it.start != noDay {
			keys = append(keys, key{pair(it.center, it.start), int32(i)})
		}
	}
	var out []Signal
	eachGroup(keys, o.MobilePlaces*o.MobilePerPlace, func(g uint64, idx []int32) {
		day := right(g)
		type place struct {
			kato, name string
			n          int
		}
		byKey := map[string]*place{}
		for _, i := range idx {
			r := d.items[i].rec
			k := r.SettlementKATO
			if k == "" {
				k = "name:" + kz.FoldName(r.SettlementName)
			}
			p := byKey[k]
			if p == nil {
				p = &place{kato: r.SettlementKATO, name: r.SettlementName}
				byKey[k] = p
			}
			p.n++
		}
		var places []*place
		for _, p := range byKey {
			places = append(places, p)
		}
		slices.SortFunc(places, func(a, b *place) int {
			return cmp.Or(cmp.Compare(b.n, a.n), cmp.Compare(a.kato, b.kato), cmp.Compare(a.name, b.name))
		})
		busy, districts := 0, map[string]bool{}
		var shown []string
		for _, p := range places {
			if p.n >= o.MobilePerPlace {
				busy++
				districts[district(p.kato)] = true
			}
			shown = append(shown, strings.TrimSpace(p.kato+" "+p.name)+" ("+itoa(p.n)+")")
		}
		if busy < o.MobilePlaces {
			return
		}
		spread := 0.7 // one district: a route through neighbouring villages is possible
		if len(districts) > 1 {
			spread = 1
		}
		out = append(out, Signal{
			Code:    MobileTwoPlaces,
			Records: d.ids(idx),
			Params: map[string]string{
				"place":       d.mostCommon(idx, func(r *register.Record) string { return r.ServicePlace }),
				"date":        dayString(day),
				"places":      itoa(busy),
				"settlements": list(shown, 6),
			},
			Score: score(MobileTwoPlaces, spread*strength(float64(busy), float64(o.MobilePlaces))),
		})
	})
	return out
}

// district is the region and district part of a KATO code (digits 1-4), or
// the whole text when it is not a 9-digit code.
func district(kato string) string {
	if len(kato) == 9 {
		return kato[:4]
	}
	return kato
}

// phoneNumber reads a Kazakhstan mobile phone written in any of the common
// ways (+7 or 8 in front, spaces, brackets, hyphens) and returns its ten
// digits after the country code as a number.
func phoneNumber(s string) (uint64, bool) {
	var buf [11]byte
	n := 0
	for i := 0; i < len(s); i++ {
		if c := s[i]; c >= '0' && c <= '9' {
			if n == len(buf) {
				return 0, false
			}
			buf[n] = c
			n++
		}
	}
	digits := buf[:n]
	switch {
	case n == 11 && (digits[0] == '7' || digits[0] == '8'):
		digits = digits[1:]
	case n != 10:
		return 0, false
	}
	var v uint64
	for _, c := range digits {
		v = v*10 + uint64(c-'0')
	}
	return v, true
}

// detectSharedContact finds a mobile phone or e-mail given for
// SharedContactClients or more unrelated clients. Clients are related when
// they come for the same enterprise (a firm's accountant's phone) or have
// the same folded name and birth date (one person, recorded once with an IIN
// and once without). Work phones are left out: colleagues share them.
func detectSharedContact(d *data, o Options) []Signal {
	const phoneTag, mailTag = 1 << 62, 2 << 62
	mails := interner{}
	var keys []key
	for i := range d.items {
		r := d.items[i].rec
		if p, ok := phoneNumber(r.MobilePhone); ok {
			keys = append(keys, key{phoneTag | p, int32(i)})
		}
		if e := strings.TrimSpace(r.Email); strings.Contains(e, "@") {
			keys = append(keys, key{mailTag | uint64(mails.id(strings.ToLower(e))), int32(i)})
		}
	}
	names := make([]string, len(mails))
	for s, n := range mails {
		names[n] = s
	}
	contact := func(g uint64) string {
		if g&mailTag != 0 {
			return names[g&^mailTag]
		}
		return fmt.Sprintf("+7%010d", g&^phoneTag)
	}
	var out []Signal
	eachGroup(keys, o.SharedContactClients, func(g uint64, idx []int32) {
		if !d.atLeast(idx, o.SharedContactClients, func(it *item) int32 { return it.client }) {
			return // most groups are one person's records
		}
		groups := unrelated(d, idx)
		if len(groups) < o.SharedContactClients {
			return
		}
		var who []string
		for _, grp := range groups {
			who = append(who, d.mostCommon(grp, func(r *register.Record) string { return r.ClientFullName }))
		}
		slices.Sort(who)
		out = append(out, Signal{
			Code:    SharedContact,
			Records: d.ids(idx),
			Params: map[string]string{
				"contact": contact(g),
				"clients": itoa(len(groups)),
				"names":   list(who, 6),
			},
			Score: score(SharedContact, strength(float64(len(groups)), float64(o.SharedContactClients))),
		})
	})
	return out
}

// unrelated splits the records of idx into groups of related clients (same
// client, same enterprise, or same name and birth date) and returns the
// records of each group.
func unrelated(d *data, idx []int32) [][]int32 {
	u := newUnionFind(len(idx))
	first := map[string]int32{}
	link := func(k string, j int32) {
		if f, ok := first[k]; ok {
			u.union(f, j)
		} else {
			first[k] = j
		}
	}
	for j, i := range idx {
		it := &d.items[i]
		link("c"+strconv.Itoa(int(it.client)), int32(j))
		link("p"+strconv.Itoa(int(it.person)), int32(j))
		if e := strings.TrimSpace(it.rec.EnterpriseID); e != "" {
			link("e"+e, int32(j))
		}
	}
	comps := u.components()
	out := make([][]int32, len(comps))
	for c, members := range comps {
		for _, j := range members {
			out[c] = append(out[c], idx[j])
		}
	}
	return out
}

// detectIINMismatch finds client IINs whose encoded gender or birth date
// disagrees with the stated one, one signal per IIN and stated pair. Since
// Government Decree No. 853 of 26.08.2013 an IIN need not encode them, so
// the sign is weak on its own; a disagreement in both weighs more.
func detectIINMismatch(d *data, _ Options) []Signal {
	type parsed struct {
		iin kz.IIN
		ok  bool
	}
	cache := map[string]parsed{}
	groups := map[string][]int32{}
	both := map[string]bool{}
	for i := range d.items {
		r := d.items[i].rec
		if r.ClientIIN == "" || iinAgrees(r) {
			continue
		}
		p, seen := cache[r.ClientIIN]
		if !seen {
			iin, err := kz.ParseIIN(r.ClientIIN)
			p = parsed{iin, err == nil}
			cache[r.ClientIIN] = p
		}
		if !p.ok { // an invalid IIN is validation's business
			continue
		}
		gender := r.ClientGender != "" && r.ClientGender != string(p.iin.Gender)
		birth := false
		if b, err := time.Parse(time.DateOnly, r.ClientBirthDate); err == nil {
			birth = !b.Equal(p.iin.BirthDate)
		}
		if !gender && !birth {
			continue
		}
		k := r.ClientIIN + "|" + r.ClientGender + "|" + r.ClientBirthDate
		groups[k] = append(groups[k], int32(i))
		both[k] = gender && birth
	}
	var out []Signal
	for k, idx := range groups {
		r := d.items[idx[0]].rec
		p := cache[r.ClientIIN]
		s := 0.5
		if both[k] {
			s = 1
		}
		out = append(out, Signal{
			Code:    IINMismatch,
			Records: d.ids(idx),
			Params: map[string]string{
				"client":        d.mostCommon(idx, func(r *register.Record) string { return r.ClientFullName }),
				"iin":           r.ClientIIN,
				"iin_gender":    string(p.iin.Gender),
				"iin_birth":     p.iin.BirthDate.Format(time.DateOnly),
				"stated_gender": cmp.Or(r.ClientGender, "—"),
				"stated_birth":  cmp.Or(r.ClientBirthDate, "—"),
			},
			Score: score(IINMismatch, s),
		})
	}
	return out
}

// iinAgrees is a quick test, without parsing, that a 12-digit IIN encodes
// the stated gender and birth date, as nearly every one does.
func iinAgrees(r *register.Record) bool {
	iin, b := r.ClientIIN, r.ClientBirthDate
	if len(iin) != 12 || len(b) != 10 || iin[6] < '1' || iin[6] > '6' {
		return false
	}
	c := iin[6] - '0'
	century := [...]string{"18", "19", "20"}[(c-1)/2]
	gender := "M"
	if c%2 == 0 {
		gender = "F"
	}
	return (r.ClientGender == "" || r.ClientGender == gender) &&
		b[:2] == century && b[2:4] == iin[0:2] && b[5:7] == iin[2:4] && b[8:10] == iin[4:6]
}

// actNumber splits an act number into its text and its trailing number, so
// that АКТ-2603-0000124 follows АКТ-2603-0000123.
func actNumber(s string) (prefix string, n int64, ok bool) {
	s = strings.TrimSpace(s)
	i := len(s)
	for i > 0 && s[i-1] >= '0' && s[i-1] <= '9' {
		i--
	}
	if i == len(s) || len(s)-i > 18 {
		return "", 0, false
	}
	n, err := strconv.ParseInt(s[i:], 10, 64)
	return s[:i], n, err == nil
}

// detectCopyPaste finds CopyPasteMin or more one-time clients (one record
// each in the whole input) of one manager whose records carry exactly the
// same free text — enterprise name, service place, settlement name — and
// are chained by act numbers at most CopyPasteActGap apart or by acts signed
// in the same minute: a row copied and given new names. Identical text under
// different enterprise numbers weighs more than one enterprise's staff.
func detectCopyPaste(d *data, o Options) []Signal {
	seen := make([]int32, d.clients)
	for i := range d.items {
		seen[d.items[i].client]++
	}
	type text struct{ enterprise, place, settlement string }
	texts := map[text]int32{}
	var keys []key
	for i := range d.items {
		it := &d.items[i]
		if seen[it.client] != 1 || it.manager < 0 {
			continue
		}
		t := text{strings.TrimSpace(it.rec.EnterpriseName), strings.TrimSpace(it.rec.ServicePlace), strings.TrimSpace(it.rec.SettlementName)}
		n, ok := texts[t]
		if !ok {
			n = int32(len(texts))
			texts[t] = n
		}
		keys = append(keys, key{pair(it.manager, n), int32(i)})
	}
	var out []Signal
	eachGroup(keys, o.CopyPasteMin, func(_ uint64, idx []int32) {
		for _, comp := range chained(d, idx, int64(o.CopyPasteActGap)) {
			if len(comp) < o.CopyPasteMin {
				continue
			}
			acts := make([]string, 0, len(comp))
			for _, i := range comp {
				if a := d.items[i].rec.ActNumber; a != "" {
					acts = append(acts, a)
				}
			}
			slices.SortFunc(acts, compareActs)
			span := ""
			if len(acts) > 0 {
				span = acts[0] + " … " + acts[len(acts)-1]
			}
			spread := 0.8 // one enterprise's staff, e.g. a seminar
			firms := map[string]bool{}
			for _, i := range comp {
				firms[strings.TrimSpace(d.items[i].rec.EnterpriseID)] = true
			}
			if len(firms) > 1 {
				spread = 1
			}
			out = append(out, Signal{
				Code:    CopyPaste,
				Records: d.ids(comp),
				Params: map[string]string{
					"manager":    d.mostCommon(comp, managerName),
					"count":      itoa(len(comp)),
					"enterprise": d.mostCommon(comp, func(r *register.Record) string { return r.EnterpriseName }),
					"place":      d.mostCommon(comp, func(r *register.Record) string { return r.ServicePlace }),
					"settlement": d.mostCommon(comp, func(r *register.Record) string { return r.SettlementName }),
					"acts":       span,
				},
				Score: score(CopyPaste, spread*strength(float64(len(comp)), float64(o.CopyPasteMin))),
			})
		}
	})
	return out
}

// chained splits the records of idx into chains linked by act numbers with
// the same text at most gap apart, or by acts signed in the same minute.
func chained(d *data, idx []int32, gap int64) [][]int32 {
	type act struct {
		j      int32
		prefix string
		n      int64
		minute int32
	}
	acts := make([]act, len(idx))
	for j, i := range idx {
		it := &d.items[i]
		a := act{j: int32(j), minute: it.minute, n: -1}
		if p, n, ok := actNumber(it.rec.ActNumber); ok {
			a.prefix, a.n = p, n
		}
		acts[j] = a
	}
	u := newUnionFind(len(idx))
	slices.SortFunc(acts, func(a, b act) int {
		return cmp.Or(cmp.Compare(a.prefix, b.prefix), cmp.Compare(a.n, b.n), cmp.Compare(a.j, b.j))
	})
	for k := 1; k < len(acts); k++ {
		a, b := acts[k-1], acts[k]
		if a.n >= 0 && b.n >= 0 && a.prefix == b.prefix && b.n-a.n <= gap {
			u.union(a.j, b.j)
		}
	}
	slices.SortFunc(acts, func(a, b act) int { return cmp.Or(cmp.Compare(a.minute, b.minute), cmp.Compare(a.j, b.j)) })
	for k := 1; k < len(acts); k++ {
		if a, b := acts[k-1], acts[k]; a.minute != noMinute && a.minute == b.minute {
			u.union(a.j, b.j)
		}
	}
	var out [][]int32
	for _, members := range u.components() {
		comp := make([]int32, len(members))
		for m, j := range members {
			comp[m] = idx[j]
		}
		out = append(out, comp)
	}
	return out
}

func compareActs(a, b string) int {
	pa, na, _ := actNumber(a)
	pb, nb, _ := actNumber(b)
	return cmp.Or(cmp.Compare(pa, pb), cmp.Compare(na, nb), cmp.Compare(a, b))
}
