// Package statstest recounts the indicator tables a second, independent
// way, for tests: it sorts the counted records and scans them instead of
// keeping sets, and reads spec §2-§4 afresh rather than calling the
// counting helpers of the register and stats packages. Two implementations
// that agree on generated data with repeated clients are the check that the
// tables mean what the spec says.
package statstest

import (
	"sort"
	"strings"
	"time"

	"esep/internal/register"
	"esep/internal/stats"
)

// Recount computes the tables of [from, to] from all records. cycle holds,
// by record_id, the reason the monitoring cycle excludes a record for
// (late_register, validation_error, ...), which the test knows from the
// defects it injected; the act rules of the record's own fields are read
// here afresh and come first.
func Recount(records []register.Record, cycle map[string]string, from, to string) *stats.Tables {
	t := &stats.Tables{From: from, To: to}
	excluded := map[string]int{}
	var counted []register.Record
	for _, r := range records {
		if r.EndDate < from || r.EndDate > to {
			continue
		}
		if reason := exclusion(r, cycle[r.RecordID]); reason != "" {
			excluded[reason]++
			continue
		}
		counted = append(counted, r)
	}
	t.ServicesTotal = len(counted)
	for _, r := range counted {
		if r.DeliveryMode == "online" {
			t.ServicesOnline++
		}
	}

	// Sort by person, then by (start_date, record_id): each person's first
	// counted service comes first in its run.
	sort.Slice(counted, func(i, j int) bool {
		a, b := counted[i], counted[j]
		if ka, kb := person(a), person(b); ka != kb {
			return ka < kb
		}
		if a.StartDate != b.StartDate {
			return a.StartDate < b.StartDate
		}
		return a.RecordID < b.RecordID
	})
	distinct := map[string]map[string]bool{} // "table\x00key" → set of persons or enterprises
	add := func(table, key, who string) {
		k := table + "\x00" + key
		if distinct[k] == nil {
			distinct[k] = map[string]bool{}
		}
		distinct[k][who] = true
	}
	services := map[string]int{}
	for i := 0; i < len(counted); {
		p := person(counted[i])
		first := counted[i]
		j := i
		for ; j < len(counted) && person(counted[j]) == p; j++ {
			r := counted[j]
			add("region", r.RegionKATO, p)
			add("sector", r.RegionKATO+"\x00"+r.OKEDSection, p)
			add("category", r.RegionKATO+"\x00"+r.Category, p)
			add("gender", r.RegionKATO+"\x00"+first.ClientGender, p)
			add("form", r.RegionKATO+"\x00"+r.LegalForm, r.EnterpriseID)
			services[r.RegionKATO+"\x00"+r.ServiceCode]++
		}
		add("age", band(first), p)
		i = j
	}
	t.ClientsByRegion = []stats.RegionRow{}
	t.ClientsByRegionSector = []stats.SectorRow{}
	t.EnterprisesByRegionLegalForm = []stats.FormRow{}
	t.ClientsByRegionGender = []stats.GenderRow{}
	t.ClientsByAgeBand = []stats.AgeRow{}
	t.ClientsByRegionCategory = []stats.CatRow{}
	t.ServicesByRegionService = []stats.ServiceRow{}
	t.Excluded = []stats.ReasonRow{}
	t.LateRegisters = []stats.LateRow{}
	keys := make([]string, 0, len(distinct))
	for k := range distinct {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		parts := strings.Split(k, "\x00")
		n := len(distinct[k])
		switch parts[0] {
		case "region":
			t.ClientsByRegion = append(t.ClientsByRegion, stats.RegionRow{Region: parts[1], Count: n})
		case "sector":
			t.ClientsByRegionSector = append(t.ClientsByRegionSector, stats.SectorRow{Region: parts[1], OKEDSection: parts[2], Count: n})
		case "category":
			t.ClientsByRegionCategory = append(t.ClientsByRegionCategory, stats.CatRow{Region: parts[1], Category: parts[2], Count: n})
		case "gender":
			t.ClientsByRegionGender = append(t.ClientsByRegionGender, stats.GenderRow{Region: parts[1], Gender: parts[2], Count: n})
		case "form":
			t.EnterprisesByRegionLegalForm = append(t.EnterprisesByRegionLegalForm, stats.FormRow{Region: parts[1], LegalForm: parts[2], Count: n})
		case "age":
			t.ClientsByAgeBand = append(t.ClientsByAgeBand, stats.AgeRow{AgeBand: parts[1], Count: n})
		}
	}
	skeys := make([]string, 0, len(services))
	for k := range services {
		skeys = append(skeys, k)
	}
	sort.Strings(skeys)
	for _, k := range skeys {
		region, svc, _ := strings.Cut(k, "\x00")
		t.ServicesByRegionService = append(t.ServicesByRegionService, stats.ServiceRow{Region: region, ServiceCode: svc, Count: services[k]})
	}
	reasons := make([]string, 0, len(excluded))
	for k := range excluded {
		reasons = append(reasons, k)
	}
	sort.Strings(reasons)
	for _, k := range reasons {
		t.Excluded = append(t.Excluded, stats.ReasonRow{Reason: k, Count: excluded[k]})
	}
	return t
}

// exclusion reads spec §2 again: act rules first, then the cycle's reason.
func exclusion(r register.Record, cycle string) string {
	switch {
	case r.ActNumber == "" || r.ActSignedAt == "":
		return "act_missing"
	case r.DeliveryMode == "online" && r.ActConfirmation != "eds" && r.ActConfirmation != "otp2" && r.ActConfirmation != "otp3":
		return "online_not_confirmed"
	}
	signed, err := time.Parse(time.RFC3339, r.ActSignedAt)
	if err != nil {
		return "act_missing"
	}
	if signed.In(time.FixedZone("KZ", 5*3600)).Format(time.DateOnly) < r.StartDate {
		return "act_before_start"
	}
	return cycle
}

// person is spec §3's identity, written out again.
func person(r register.Record) string {
	if r.ClientIIN != "" {
		return "I" + r.ClientIIN
	}
	name := strings.Join(strings.Fields(strings.ToLower(r.ClientFullName)), " ")
	name = strings.NewReplacer("қ", "к", "ғ", "г", "ү", "у", "ұ", "у", "ө", "о", "ә", "а", "і", "и", "ң", "н", "һ", "х", "ё", "е").Replace(name)
	return "N" + name + "/" + r.ClientBirthDate
}

// band is spec §4's age band, written out again.
func band(r register.Record) string {
	age := -1
	if b, err := time.Parse(time.DateOnly, r.ClientBirthDate); err == nil {
		s, _ := time.Parse(time.DateOnly, r.StartDate)
		age = s.Year() - b.Year()
		if s.Format("01-02") < b.Format("01-02") {
			age--
		}
	} else if r.ClientAge != "" {
		n := 0
		for _, c := range r.ClientAge {
			if c < '0' || c > '9' {
				n = -1
				break
			}
			n = n*10 + int(c-'0')
		}
		age = n
	}
	switch {
	case age < 0:
		return "unknown"
	case age < 18:
		return "under_18"
	case age <= 29:
		return "18_29"
	case age <= 39:
		return "30_39"
	case age <= 49:
		return "40_49"
	case age <= 59:
		return "50_59"
	}
	return "60_plus"
}

// RecountNational computes the nationwide figures another way: from the
// recounted records, person by person, ignoring regions.
func RecountNational(records []register.Record, cycle map[string]string, from, to string) *stats.National {
	type set = map[string]bool
	bySector, byCategory, byForm := map[string]set{}, map[string]set{}, map[string]set{}
	first := map[string]register.Record{}
	services := map[string]int{}
	put := func(m map[string]set, k, who string) {
		if m[k] == nil {
			m[k] = set{}
		}
		m[k][who] = true
	}
	for _, r := range records {
		if r.EndDate < from || r.EndDate > to || exclusion(r, cycle[r.RecordID]) != "" {
			continue
		}
		p := person(r)
		put(bySector, r.OKEDSection, p)
		put(byCategory, r.Category, p)
		put(byForm, r.LegalForm, r.EnterpriseID)
		services[r.ServiceCode]++
		if f, ok := first[p]; !ok || r.StartDate < f.StartDate || (r.StartDate == f.StartDate && r.RecordID < f.RecordID) {
			first[p] = r
		}
	}
	genders := map[string]int{}
	for _, r := range first {
		genders[r.ClientGender]++
	}
	rows := func(m map[string]set) []stats.KeyCount {
		c := map[string]int{}
		for k, s := range m {
			c[k] = len(s)
		}
		return keyCounts(c)
	}
	return &stats.National{Clients: len(first), ClientsBySector: rows(bySector), ClientsByCategory: rows(byCategory),
		EnterprisesByLegalForm: rows(byForm), ClientsByGender: keyCounts(genders), ServicesByService: keyCounts(services)}
}

func keyCounts(m map[string]int) []stats.KeyCount {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	out := []stats.KeyCount{}
	for _, k := range keys {
		out = append(out, stats.KeyCount{Key: k, Count: m[k]})
	}
	return out
}
