// Package register is the domain of esep: the service record of the Register
// of services (Annex 1 of the methodology), the people and enterprises in it,
// the act that confirms a service, and the validation rules a record must
// pass. It imports nothing of the machinery (storage, files, HTTP), so every
// other package can depend on it.
package register

// Record is one row of the Register of services: one service given to one
// client for one enterprise. Every field holds the canonical text of its
// column (spec §1): dates as YYYY-MM-DD, act_signed_at as RFC 3339, the
// mobile phone as +7XXXXXXXXXX, codes as written in the spec. Keeping the
// text form rather than parsed values means a record survives a round trip
// through any file or database unchanged, and a correction is a plain
// comparison of two strings per column.
type Record struct {
	RecordID         string
	RegionKATO       string
	SettlementKATO   string
	SettlementName   string
	PlaceKind        string
	ServicePlace     string
	EnterpriseName   string
	EnterpriseID     string // enterprise_iin_bin
	ClientFullName   string
	ClientIIN        string
	ClientGender     string
	ClientBirthDate  string
	ClientAge        string
	ClientDisability string
	LegalForm        string
	Category         string // entrepreneur_category
	OKEDSection      string
	OKEDCode         string
	ServiceCode      string
	ServiceSubtype   string // service_subtype_code
	ManagerFullName  string
	StartDate        string
	EndDate          string
	WorkPhone        string
	MobilePhone      string
	Email            string
	DeliveryMode     string
	ActNumber        string
	ActSignedAt      string
	ActConfirmation  string
}

// Column describes one column of the register file: its canonical name
// (spec §1), whether a record without it is incomplete, and where its value
// lives in a Record.
type Column struct {
	Name     string
	Required bool
	field    func(*Record) *string
}

// Get returns the column's value in r.
func (c Column) Get(r *Record) string { return *c.field(r) }

// Field returns a pointer to the column's value in r, for scanning.
func (c Column) Field(r *Record) *string { return c.field(r) }

// Set stores v as the column's value in r.
func (c Column) Set(r *Record, v string) { *c.field(r) = v }

// Columns lists the register columns in the canonical order of spec §1. The
// order is the order of the canonical CSV header and of the database table.
var Columns = []Column{
	{"record_id", true, func(r *Record) *string { return &r.RecordID }},
	{"region_kato", true, func(r *Record) *string { return &r.RegionKATO }},
	{"settlement_kato", false, func(r *Record) *string { return &r.SettlementKATO }},
	{"settlement_name", false, func(r *Record) *string { return &r.SettlementName }},
	{"place_kind", false, func(r *Record) *string { return &r.PlaceKind }},
	{"service_place", false, func(r *Record) *string { return &r.ServicePlace }},
	{"enterprise_name", true, func(r *Record) *string { return &r.EnterpriseName }},
	{"enterprise_iin_bin", true, func(r *Record) *string { return &r.EnterpriseID }},
	{"client_full_name", true, func(r *Record) *string { return &r.ClientFullName }},
	{"client_iin", false, func(r *Record) *string { return &r.ClientIIN }},
	{"client_gender", false, func(r *Record) *string { return &r.ClientGender }},
	{"client_birth_date", false, func(r *Record) *string { return &r.ClientBirthDate }},
	{"client_age", false, func(r *Record) *string { return &r.ClientAge }},
	{"client_disability", false, func(r *Record) *string { return &r.ClientDisability }},
	{"legal_form", false, func(r *Record) *string { return &r.LegalForm }},
	{"entrepreneur_category", false, func(r *Record) *string { return &r.Category }},
	{"oked_section", false, func(r *Record) *string { return &r.OKEDSection }},
	{"oked_code", false, func(r *Record) *string { return &r.OKEDCode }},
	{"service_code", false, func(r *Record) *string { return &r.ServiceCode }},
	{"service_subtype_code", false, func(r *Record) *string { return &r.ServiceSubtype }},
	{"manager_full_name", true, func(r *Record) *string { return &r.ManagerFullName }},
	{"start_date", true, func(r *Record) *string { return &r.StartDate }},
	{"end_date", true, func(r *Record) *string { return &r.EndDate }},
	{"work_phone", false, func(r *Record) *string { return &r.WorkPhone }},
	{"mobile_phone", false, func(r *Record) *string { return &r.MobilePhone }},
	{"email", false, func(r *Record) *string { return &r.Email }},
	{"delivery_mode", true, func(r *Record) *string { return &r.DeliveryMode }},
	{"act_number", false, func(r *Record) *string { return &r.ActNumber }},
	{"act_signed_at", false, func(r *Record) *string { return &r.ActSignedAt }},
	{"act_confirmation", false, func(r *Record) *string { return &r.ActConfirmation }},
}

// ColumnNames returns the canonical header, in order.
func ColumnNames() []string {
	names := make([]string, len(Columns))
	for i, c := range Columns {
		names[i] = c.Name
	}
	return names
}

// ColumnByName finds a column by its canonical name.
func ColumnByName(name string) (Column, bool) {
	for _, c := range Columns {
		if c.Name == name {
			return c, true
		}
	}
	return Column{}, false
}

// Values returns the record's values in the order of Columns.
func (r *Record) Values() []string {
	v := make([]string, len(Columns))
	for i, c := range Columns {
		v[i] = c.Get(r)
	}
	return v
}

// Change is one column whose value differs between two versions of a record.
type Change struct {
	Column   string
	Old, New string
}

// Diff lists the columns whose values differ from old to r, in column order.
// An empty result means the two versions are the same record.
func (r *Record) Diff(old *Record) []Change {
	var ch []Change
	for _, c := range Columns {
		if o, n := c.Get(old), c.Get(r); o != n {
			ch = append(ch, Change{Column: c.Name, Old: o, New: n})
		}
	}
	return ch
}
