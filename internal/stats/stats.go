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

// Status is what the monitoring cycle knows about a record beyond its
// fields.
type Status struct {
	Blocking bool // its current version has blocking findings (not corrected in time)
	Late     bool // it first arrived after its monthly register's deadline
}

// Exclusion returns why a record is left out of its period's report, or ""
// when it counts. Spec §2 lists the reasons in this order; a record with
// several is excluded for the first.
func Exclusion(r *register.Record, st Status) string {
	if reason := register.ActExclusion(r); reason != "" {
		return reason
	}
	if st.Late {
		return register.ExcludedLate
	}
	if st.Blocking {
		return register.ExcludedValidation
	}
	return ""
}

type pair struct {
	a, b string
}

type regionClient struct {
	region string
	client int
}

type pairClient struct {
	pair
	client int
}

// client is what the counter remembers of one person: the first counted
// service decides gender and age band (spec §4).
type client struct {
	firstStart, firstID string
	gender, band        string
	regions             []string
}

// Counter accumulates the records of one period.
type Counter struct {
	from, to   string
	ids        map[string]int
	clients    []client
	bySector   map[pairClient]struct{}
	byCategory map[pairClient]struct{}
	byForm     map[pair]map[string]struct{}
	byService  map[pair]int
	byRegion   map[regionClient]struct{}
	total      int
	online     int
	excluded   map[string]int
	late       []LateRow
}

// NewCounter starts counting the period [from, to] (YYYY-MM-DD, inclusive).
// The caller passes only records whose end_date lies in the period.
func NewCounter(from, to string) *Counter {
	return &Counter{
		from: from, to: to,
		ids:        map[string]int{},
		bySector:   map[pairClient]struct{}{},
		byCategory: map[pairClient]struct{}{},
		byForm:     map[pair]map[string]struct{}{},
		byService:  map[pair]int{},
		byRegion:   map[regionClient]struct{}{},
		excluded:   map[string]int{},
	}
}

// Add counts one record of the period, or its exclusion.
func (c *Counter) Add(r *register.Record, st Status) {
	if reason := Exclusion(r, st); reason != "" {
		c.excluded[reason]++
		return
	}
	c.total++
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
	region := r.RegionKATO
	if _, seen := c.byRegion[regionClient{region, id}]; !seen {
		c.byRegion[regionClient{region, id}] = struct{}{}
		c.clients[id].regions = append(c.clients[id].regions, region)
	}
	c.bySector[pairClient{pair{region, r.OKEDSection}, id}] = struct{}{}
	c.byCategory[pairClient{pair{region, r.Category}, id}] = struct{}{}
	f := pair{region, r.LegalForm}
	if c.byForm[f] == nil {
		c.byForm[f] = map[string]struct{}{}
	}
	c.byForm[f][r.EnterpriseID] = struct{}{}
	c.byService[pair{region, r.ServiceCode}]++
}

// AddLate lists a register delivered after its deadline.
func (c *Counter) AddLate(row LateRow) { c.late = append(c.late, row) }

// Tables returns the indicator tables, each sorted by its key columns.
func (c *Counter) Tables() *Tables {
	t := &Tables{From: c.from, To: c.to, ServicesTotal: c.total, ServicesOnline: c.online}
	regions := map[string]int{}
	genders := map[pair]int{}
	bands := map[string]int{}
	for _, cl := range c.clients {
		bands[cl.band]++
		for _, reg := range cl.regions {
			regions[reg]++
			genders[pair{reg, cl.gender}]++
		}
	}
	for k, n := range regions {
		t.ClientsByRegion = append(t.ClientsByRegion, RegionRow{k, n})
	}
	for k, n := range genders {
		t.ClientsByRegionGender = append(t.ClientsByRegionGender, GenderRow{k.a, k.b, n})
	}
	for k, n := range bands {
		t.ClientsByAgeBand = append(t.ClientsByAgeBand, AgeRow{k, n})
	}
	for k, n := range countPairs(c.bySector) {
		t.ClientsByRegionSector = append(t.ClientsByRegionSector, SectorRow{k.a, k.b, n})
	}
	for k, n := range countPairs(c.byCategory) {
		t.ClientsByRegionCategory = append(t.ClientsByRegionCategory, CatRow{k.a, k.b, n})
	}
	for k, set := range c.byForm {
		t.EnterprisesByRegionLegalForm = append(t.EnterprisesByRegionLegalForm, FormRow{k.a, k.b, len(set)})
	}
	for k, n := range c.byService {
		t.ServicesByRegionService = append(t.ServicesByRegionService, ServiceRow{k.a, k.b, n})
	}
	for k, n := range c.excluded {
		t.Excluded = append(t.Excluded, ReasonRow{k, n})
	}
	t.LateRegisters = append([]LateRow{}, c.late...)
	t.sort()
	return t
}

func countPairs(set map[pairClient]struct{}) map[pair]int {
	out := map[pair]int{}
	for k := range set {
		out[k.pair]++
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
