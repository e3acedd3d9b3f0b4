// Package stats computes the statistical indicators of clause 5.1 of the
// methodology exactly as spec §4 defines them: which records count (spec §2),
// who is one client (spec §3), and the tables of the report.
//
// This is the straightforward computation: a Counter takes the records of a
// period one by one and keeps the sets it needs. It is also the reference
// that any faster engine must agree with.
package stats

import (
	"cmp"
	"context"
	"fmt"
	"slices"

	"esep/internal/register"
)

// Tables is the JSON object of spec §4.
type Tables struct {
	From                         string       `json:"from"`
	To                           string       `json:"to"`
	ClientsByRegion              []RegionRow  `json:"clients_by_region"`
	ClientsByRegionSector        []SectorRow  `json:"clients_by_region_sector"`
	EnterprisesByRegionLegalForm []FormRow    `json:"enterprises_by_region_legal_form"`
	ClientsByRegionGender        []GenderRow  `json:"clients_by_region_gender"`
	ClientsByAgeBand             []AgeRow     `json:"clients_by_age_band"`
	ClientsByRegionCategory      []CatRow     `json:"clients_by_region_category"`
	ServicesByRegionService      []ServiceRow `json:"services_by_region_service"`
	ServicesTotal                int          `json:"services_total"`
	ServicesOnline               int          `json:"services_online"`
	Excluded                     []ReasonRow  `json:"excluded"`
	LateRegisters                []LateRow    `json:"late_registers"`
}

// Clone returns a copy of t that shares nothing with it.
func (t *Tables) Clone() *Tables {
	c := *t
	c.ClientsByRegion = slices.Clone(t.ClientsByRegion)
	c.ClientsByRegionSector = slices.Clone(t.ClientsByRegionSector)
	c.EnterprisesByRegionLegalForm = slices.Clone(t.EnterprisesByRegionLegalForm)
	c.ClientsByRegionGender = slices.Clone(t.ClientsByRegionGender)
	c.ClientsByAgeBand = slices.Clone(t.ClientsByAgeBand)
	c.ClientsByRegionCategory = slices.Clone(t.ClientsByRegionCategory)
	c.ServicesByRegionService = slices.Clone(t.ServicesByRegionService)
	c.Excluded = slices.Clone(t.Excluded)
	c.LateRegisters = slices.Clone(t.LateRegisters)
	return &c
}

// National holds the nationwide figures of the tables by region: a person
// served in two regions counts once in each region but once here, so these
// are not the sums of the regional rows (spec §4).
type National struct {
	Clients                int        `json:"clients"`
	ClientsBySector        []KeyCount `json:"clients_by_sector"`
	EnterprisesByLegalForm []KeyCount `json:"enterprises_by_legal_form"`
	ClientsByGender        []KeyCount `json:"clients_by_gender"`
	ClientsByCategory      []KeyCount `json:"clients_by_category"`
	ServicesByService      []KeyCount `json:"services_by_service"`
}

// Clone returns a copy of n that shares nothing with it.
func (n *National) Clone() *National {
	c := *n
	c.ClientsBySector = slices.Clone(n.ClientsBySector)
	c.EnterprisesByLegalForm = slices.Clone(n.EnterprisesByLegalForm)
	c.ClientsByGender = slices.Clone(n.ClientsByGender)
	c.ClientsByCategory = slices.Clone(n.ClientsByCategory)
	c.ServicesByService = slices.Clone(n.ServicesByService)
	return &c
}

// KeyCount is one row of a nationwide table.
type KeyCount struct {
	Key   string `json:"key"`
	Count int    `json:"count"`
}

// The row types of the tables, named by their key columns.
type (
	RegionRow struct {
		Region string `json:"region"`
		Count  int    `json:"count"`
	}
	SectorRow struct {
		Region      string `json:"region"`
		OKEDSection string `json:"oked_section"`
		Count       int    `json:"count"`
	}
	FormRow struct {
		Region    string `json:"region"`
		LegalForm string `json:"legal_form"`
		Count     int    `json:"count"`
	}
	GenderRow struct {
		Region string `json:"region"`
		Gender string `json:"gender"`
		Count  int    `json:"count"`
	}
	AgeRow struct {
		AgeBand string `json:"age_band"`
		Count   int    `json:"count"`
	}
	CatRow struct {
		Region   string `json:"region"`
		Category string `json:"entrepreneur_category"`
		Count    int    `json:"count"`
	}
	ServiceRow struct {
		Region      string `json:"region"`
		ServiceCode string `json:"service_code"`
		Count       int    `json:"count"`
	}
	ReasonRow struct {
		Reason string `json:"reason"`
		Count  int    `json:"count"`
	}
	// LateRow is a monthly register delivered after its deadline.
	LateRow struct {
		Month     string `json:"month"`
		DueDate   string `json:"due_date"`
		Delivered string `json:"delivered_date"`
	}
)

// Source gives the records of a period, each with the reason it is
// excluded ("" when it counts). The monitoring cycle is the source of
// reports: it knows deadlines, letters and acts.
type Source interface {
	EachCounted(ctx context.Context, from, to string, fn func(r *register.Record, excluded string) error) error
}

// Engine counts the tables of a period as Compute does over the monitoring
// cycle, faster (stats/live keeps an in-memory index). LateRegisters is
// left to the caller.
type Engine interface {
	Compute(ctx context.Context, from, to string) (*Tables, *National, error)
}

// Compute counts the period [from, to] (YYYY-MM-DD, inclusive) from src.
func Compute(ctx context.Context, src Source, from, to string) (*Tables, *National, error) {
	c, err := Count(ctx, src, from, to)
	if err != nil {
		return nil, nil, err
	}
	return c.Tables(), c.National(), nil
}

// Count fills a Counter with the period [from, to] from src.
func Count(ctx context.Context, src Source, from, to string) (*Counter, error) {
	c := NewCounter(from, to)
	err := src.EachCounted(ctx, from, to, func(r *register.Record, excluded string) error {
		c.Add(r, excluded)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("indicators %s..%s: %w", from, to, err)
	}
	return c, nil
}

// dict numbers the distinct values of a column (regions, sections, forms),
// so that the sets below are keyed by packed integers rather than strings:
// a map of uint64 is several times faster to fill than one of structs of
// strings, and the sets are the whole cost of counting.
type dict struct {
	ids    map[string]uint64
	values []string
}

func (d *dict) id(v string) uint64 {
	if id, ok := d.ids[v]; ok {
		return id
	}
	if d.ids == nil {
		d.ids = map[string]uint64{}
	}
	id := uint64(len(d.values))
	d.ids[v] = id
	d.values = append(d.values, v)
	return id
}

// pack makes one key of two column values (16 bits each) and a client or
// enterprise number (32 bits).
func pack(a, b, who uint64) uint64 { return a<<48 | b<<32 | who }

func unpack(k uint64) (a, b uint64) { return k >> 48, k >> 32 & 0xffff }

// client is what the counter remembers of one person: the first counted
// service decides gender and age band (spec §4).
type client struct {
	firstStart, firstID string
	gender, band        string
	regions             []uint64
}

// Counter accumulates the records of one period.
type Counter struct {
	from, to    string
	ids         map[string]int
	clients     []client
	enterprises map[string]uint64
	regions     dict
	values      dict // sections, categories, legal forms and service codes share one numbering
	byRegion    map[uint64]struct{}
	bySector    map[uint64]struct{}
	byCategory  map[uint64]struct{}
	byForm      map[uint64]struct{}
	byService   map[uint64]int
	total       int
	online      int
	byMonth     map[string]int
	excluded    map[string]int
	late        []LateRow
}

// NewCounter starts counting the period [from, to] (YYYY-MM-DD, inclusive).
// The caller passes only records whose end_date lies in the period.
func NewCounter(from, to string) *Counter {
	return &Counter{
		from: from, to: to,
		ids:         map[string]int{},
		enterprises: map[string]uint64{},
		byRegion:    map[uint64]struct{}{},
		bySector:    map[uint64]struct{}{},
		byCategory:  map[uint64]struct{}{},
		byForm:      map[uint64]struct{}{},
		byService:   map[uint64]int{},
		byMonth:     map[string]int{},
		excluded:    map[string]int{},
	}
}

// Add counts one record of the period, or its exclusion when excluded
// names a reason (spec §2).
func (c *Counter) Add(r *register.Record, excluded string) {
	if excluded != "" {
		c.excluded[excluded]++
		return
	}
	c.total++
	if len(r.EndDate) >= 7 {
		c.byMonth[r.EndDate[:7]]++
	}
	if r.DeliveryMode == "online" {
		c.online++
	}
	key := register.ClientKey(r)
	id, ok := c.ids[key]
	if !ok {
		id = len(c.clients)
		c.ids[key] = id
		c.clients = append(c.clients, client{firstStart: r.StartDate, firstID: r.RecordID, gender: r.ClientGender, band: register.AgeBand(r)})
	} else if cl := &c.clients[id]; r.StartDate < cl.firstStart || (r.StartDate == cl.firstStart && r.RecordID < cl.firstID) {
		cl.firstStart, cl.firstID, cl.gender, cl.band = r.StartDate, r.RecordID, r.ClientGender, register.AgeBand(r)
	}
	who := uint64(id)
	region := c.regions.id(r.RegionKATO)
	if k := pack(region, 0, who); !has(c.byRegion, k) {
		c.byRegion[k] = struct{}{}
		c.clients[id].regions = append(c.clients[id].regions, region)
	}
	c.bySector[pack(region, c.values.id(r.OKEDSection), who)] = struct{}{}
	c.byCategory[pack(region, c.values.id(r.Category), who)] = struct{}{}
	ent, ok := c.enterprises[r.EnterpriseID]
	if !ok {
		ent = uint64(len(c.enterprises))
		c.enterprises[r.EnterpriseID] = ent
	}
	c.byForm[pack(region, c.values.id(r.LegalForm), ent)] = struct{}{}
	c.byService[pack(region, c.values.id(r.ServiceCode), 0)]++
}

func has(set map[uint64]struct{}, k uint64) bool {
	_, ok := set[k]
	return ok
}

// ServicesByMonth counts the counted services by the month of their
// end_date (YYYY-MM), for charts; it is not one of the tables of spec §4.
func (c *Counter) ServicesByMonth() []KeyCount { return sortedCounts(c.byMonth) }

// AddLate lists a register delivered after its deadline.
func (c *Counter) AddLate(row LateRow) { c.late = append(c.late, row) }

// Tables returns the indicator tables, each sorted by its key columns.
func (c *Counter) Tables() *Tables {
	t := &Tables{From: c.from, To: c.to, ServicesTotal: c.total, ServicesOnline: c.online}
	regions := map[uint64]int{}
	type regionValue struct {
		region uint64
		value  string
	}
	genders := map[regionValue]int{}
	bands := map[string]int{}
	for _, cl := range c.clients {
		bands[cl.band]++
		for _, reg := range cl.regions {
			regions[reg]++
			genders[regionValue{reg, cl.gender}]++
		}
	}
	reg := func(id uint64) string { return c.regions.values[id] }
	val := func(id uint64) string { return c.values.values[id] }
	for k, n := range regions {
		t.ClientsByRegion = append(t.ClientsByRegion, RegionRow{reg(k), n})
	}
	for k, n := range genders {
		t.ClientsByRegionGender = append(t.ClientsByRegionGender, GenderRow{reg(k.region), k.value, n})
	}
	for k, n := range bands {
		t.ClientsByAgeBand = append(t.ClientsByAgeBand, AgeRow{k, n})
	}
	for k, n := range countPairs(c.bySector) {
		a, b := unpack(k)
		t.ClientsByRegionSector = append(t.ClientsByRegionSector, SectorRow{reg(a), val(b), n})
	}
	for k, n := range countPairs(c.byCategory) {
		a, b := unpack(k)
		t.ClientsByRegionCategory = append(t.ClientsByRegionCategory, CatRow{reg(a), val(b), n})
	}
	for k, n := range countPairs(c.byForm) {
		a, b := unpack(k)
		t.EnterprisesByRegionLegalForm = append(t.EnterprisesByRegionLegalForm, FormRow{reg(a), val(b), n})
	}
	for k, n := range c.byService {
		a, b := unpack(k)
		t.ServicesByRegionService = append(t.ServicesByRegionService, ServiceRow{reg(a), val(b), n})
	}
	for k, n := range c.excluded {
		t.Excluded = append(t.Excluded, ReasonRow{k, n})
	}
	t.LateRegisters = append([]LateRow{}, c.late...)
	t.sort()
	return t
}

// National returns the nationwide figures of the period.
func (c *Counter) National() *National {
	n := &National{Clients: len(c.clients)}
	val := func(id uint64) string { return c.values.values[id] }
	distinct := func(set map[uint64]struct{}) []KeyCount {
		seen := map[uint64]struct{}{}
		counts := map[string]int{}
		for k := range set {
			_, b := unpack(k)
			nk := b<<32 | k&0xffffffff // drop the region: who and value
			if _, ok := seen[nk]; !ok {
				seen[nk] = struct{}{}
				counts[val(b)]++
			}
		}
		return sortedCounts(counts)
	}
	n.ClientsBySector = distinct(c.bySector)
	n.ClientsByCategory = distinct(c.byCategory)
	n.EnterprisesByLegalForm = distinct(c.byForm)
	genders := map[string]int{}
	for _, cl := range c.clients {
		genders[cl.gender]++
	}
	n.ClientsByGender = sortedCounts(genders)
	services := map[string]int{}
	for k, cnt := range c.byService {
		_, b := unpack(k)
		services[val(b)] += cnt
	}
	n.ServicesByService = sortedCounts(services)
	return n
}

func sortedCounts(m map[string]int) []KeyCount {
	out := make([]KeyCount, 0, len(m))
	for k, n := range m {
		out = append(out, KeyCount{k, n})
	}
	slices.SortFunc(out, func(a, b KeyCount) int { return cmp.Compare(a.Key, b.Key) })
	return out
}

// countPairs counts the members of a set by their two column values.
func countPairs(set map[uint64]struct{}) map[uint64]int {
	out := map[uint64]int{}
	for k := range set {
		out[k&^0xffffffff]++
	}
	return out
}

func (t *Tables) sort() {
	slices.SortFunc(t.ClientsByRegion, func(a, b RegionRow) int { return cmp.Compare(a.Region, b.Region) })
	slices.SortFunc(t.ClientsByRegionSector, func(a, b SectorRow) int {
		return cmp.Or(cmp.Compare(a.Region, b.Region), cmp.Compare(a.OKEDSection, b.OKEDSection))
	})
	slices.SortFunc(t.EnterprisesByRegionLegalForm, func(a, b FormRow) int {
		return cmp.Or(cmp.Compare(a.Region, b.Region), cmp.Compare(a.LegalForm, b.LegalForm))
	})
	slices.SortFunc(t.ClientsByRegionGender, func(a, b GenderRow) int {
		return cmp.Or(cmp.Compare(a.Region, b.Region), cmp.Compare(a.Gender, b.Gender))
	})
	slices.SortFunc(t.ClientsByAgeBand, func(a, b AgeRow) int { return cmp.Compare(a.AgeBand, b.AgeBand) })
	slices.SortFunc(t.ClientsByRegionCategory, func(a, b CatRow) int {
		return cmp.Or(cmp.Compare(a.Region, b.Region), cmp.Compare(a.Category, b.Category))
	})
	slices.SortFunc(t.ServicesByRegionService, func(a, b ServiceRow) int {
		return cmp.Or(cmp.Compare(a.Region, b.Region), cmp.Compare(a.ServiceCode, b.ServiceCode))
	})
	slices.SortFunc(t.Excluded, func(a, b ReasonRow) int { return cmp.Compare(a.Reason, b.Reason) })
	slices.SortFunc(t.LateRegisters, func(a, b LateRow) int { return cmp.Compare(a.Month, b.Month) })
	// Empty tables are [] in JSON, not null: a reader iterates them either way.
	if t.ClientsByRegion == nil {
		t.ClientsByRegion = []RegionRow{}
	}
	if t.ClientsByRegionSector == nil {
		t.ClientsByRegionSector = []SectorRow{}
	}
	if t.EnterprisesByRegionLegalForm == nil {
		t.EnterprisesByRegionLegalForm = []FormRow{}
	}
	if t.ClientsByRegionGender == nil {
		t.ClientsByRegionGender = []GenderRow{}
	}
	if t.ClientsByAgeBand == nil {
		t.ClientsByAgeBand = []AgeRow{}
	}
	if t.ClientsByRegionCategory == nil {
		t.ClientsByRegionCategory = []CatRow{}
	}
	if t.ServicesByRegionService == nil {
		t.ServicesByRegionService = []ServiceRow{}
	}
	if t.Excluded == nil {
		t.Excluded = []ReasonRow{}
	}
}
