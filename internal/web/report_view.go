package web

import (
	"slices"
	"strings"

	"esep/internal/i18n"
	"esep/internal/register"
	"esep/internal/report"
	"esep/internal/stats"
)

// reportData is the HTML rendering of a Report: the same sections, in the
// same order, as its PDF (Annex 3), with the names of codes and the
// generated texts in the reader's language.
type reportData struct {
	R           *report.Report
	PeriodLine  string
	VersionLine string
	// Base is this rendering's address; a download adds .pdf, .xlsx or
	// .json to it.
	Base     string
	Stored   bool
	Sent     bool
	SentAt   string
	CanWrite bool // may save (live) or edit and send (a draft)
	Tables   []reportTable
	Plans    []reportPlan
	PlansN   int // the plans' number within section 2, after the tables
	// Conclusions in the reader's language, with the analyst's edits.
	Conclusions []reportConclusion
	// Quality is section 3 laid out as the PDF and the workbook lay it out.
	Quality     []report.Block
	ExcludedSum int
	Versions    []reportListed // saved versions of the period
	Notice      string
	Error       string
}

// reportTable is one table of spec §4 by region, as the XLSX lays it out:
// a group of rows per region, then the nationwide rows. Those come from
// the national figures, not sums of the regions', because a client served
// in two regions counts in each but once in the country.
type reportTable struct {
	N        int // its number within section 2
	ID       string
	Title    string
	First    string // heading of the first column
	KeyTitle string // heading of the second key's column; "" for a one-key table
	Groups   []reportGroup
	Rows     []reportRow // a one-key table's rows
	National []reportRow
}

type reportGroup struct {
	Region string
	Rows   []reportRow
}

type reportRow struct {
	Name  string
	Count int
}

type reportPlan struct {
	report.PlanRow
	Region, Service string
	Below           bool
}

type reportConclusion struct {
	N      int
	Text   string
	Edited bool // the analyst's text in the reader's language
}

// reportView lays r out for the page in lang.
func reportView(r *report.Report, lang i18n.Lang) *reportData {
	d := &reportData{R: r, Sent: r.Status == report.Sent, SentAt: cycleLocalTime(r.SentAt)}
	year, quarter, _ := strings.Cut(r.Period, "Q")
	key := "doc.report.period.year"
	if r.Kind == report.Quarterly {
		key = "doc.report.period.quarter"
	}
	d.PeriodLine = i18n.T(lang, key, "year", year, "quarter", quarter, "from", r.From, "to", r.To)
	d.VersionLine = report.VersionLine(r, lang, cycleLocalTime(r.GeneratedAt))
	t, n := r.Tables, r.National
	if t == nil || n == nil { // a snapshot always has both; an empty page beats a panic
		t, n = &stats.Tables{}, &stats.National{}
	}
	name := func(kind string) func(string) string {
		return func(code string) string { return report.Name(lang, kind, code) }
	}
	regions := reportTable{ID: "report-clients-by-region", Title: i18n.T(lang, "report.clients_by_region"), First: i18n.T(lang, "doc.col.region"),
		National: []reportRow{{i18n.T(lang, "doc.national_total"), n.Clients}}}
	for _, row := range t.ClientsByRegion {
		regions.Rows = append(regions.Rows, reportRow{report.Name(lang, report.NameRegion, row.Region), row.Count})
	}
	// Age bands in their natural order, which is not their codes' order.
	ages := reportTable{ID: "report-clients-by-age-band", Title: i18n.T(lang, "report.clients_by_age_band"), First: i18n.T(lang, "doc.col.age_band"),
		National: []reportRow{{i18n.T(lang, "doc.national_total"), n.Clients}}}
	bands := slices.Clone(t.ClientsByAgeBand)
	slices.SortStableFunc(bands, func(a, b stats.AgeRow) int {
		return reportRank(register.AgeBands, a.AgeBand) - reportRank(register.AgeBands, b.AgeBand)
	})
	for _, row := range bands {
		ages.Rows = append(ages.Rows, reportRow{report.Name(lang, report.NameAgeBand, row.AgeBand), row.Count})
	}
	two := func(id, titleKey, keyTitle string, kind string, rows []reportTriple, national []stats.KeyCount) reportTable {
		return reportTwoKey(lang, id, titleKey, keyTitle, name(kind), rows, national)
	}
	d.Tables = []reportTable{
		regions,
		two("report-clients-by-region-sector", "report.clients_by_region_sector", "doc.col.oked_section", report.NameSection,
			reportTriples(t.ClientsByRegionSector, func(r stats.SectorRow) reportTriple { return reportTriple{r.Region, r.OKEDSection, r.Count} }), n.ClientsBySector),
		two("report-enterprises-by-region-legal-form", "report.enterprises_by_region_legal_form", "doc.col.legal_form", report.NameLegalForm,
			reportTriples(t.EnterprisesByRegionLegalForm, func(r stats.FormRow) reportTriple { return reportTriple{r.Region, r.LegalForm, r.Count} }), n.EnterprisesByLegalForm),
		two("report-clients-by-region-gender", "report.clients_by_region_gender", "doc.col.gender", report.NameGender,
			reportTriples(t.ClientsByRegionGender, func(r stats.GenderRow) reportTriple { return reportTriple{r.Region, r.Gender, r.Count} }), n.ClientsByGender),
		ages,
		two("report-clients-by-region-category", "report.clients_by_region_category", "doc.col.category", report.NameCategory,
			reportTriples(t.ClientsByRegionCategory, func(r stats.CatRow) reportTriple { return reportTriple{r.Region, r.Category, r.Count} }), n.ClientsByCategory),
		two("report-services-by-region-service", "report.services_by_region_service", "doc.col.service", report.NameService,
			reportTriples(t.ServicesByRegionService, func(r stats.ServiceRow) reportTriple { return reportTriple{r.Region, r.ServiceCode, r.Count} }), n.ServicesByService),
	}
	for i := range d.Tables {
		d.Tables[i].N = i + 1
	}
	d.PlansN = len(d.Tables) + 1
	for _, p := range r.Plans {
		rp := reportPlan{PlanRow: p, Region: i18n.T(lang, "doc.national_total"), Service: i18n.T(lang, "doc.all_services"), Below: p.Plan > 0 && p.Percent < 100}
		if p.Region != "" {
			rp.Region = report.Name(lang, report.NameRegion, p.Region)
		}
		if p.ServiceCode != "" {
			rp.Service = report.Name(lang, report.NameService, p.ServiceCode)
		}
		d.Plans = append(d.Plans, rp)
	}
	d.Quality = report.QualityLayout(r.Quality, lang)
	for i, c := range r.Conclusions {
		d.Conclusions = append(d.Conclusions, reportConclusion{N: i + 1, Text: report.ConclusionText(c, lang), Edited: c.Edited[string(lang)] != ""})
	}
	for _, e := range r.Annexes.Exclusions {
		d.ExcludedSum += e.Count
	}
	return d
}

// reportTriple is one count of a two-key table: a region, a value of the
// other key, and the count.
type reportTriple struct {
	region, key string
	count       int
}

func reportTriples[T any](rows []T, get func(T) reportTriple) []reportTriple {
	out := make([]reportTriple, len(rows))
	for i, r := range rows {
		out[i] = get(r)
	}
	return out
}

// reportTwoKey groups a table's rows by region (the stats tables come
// sorted by region) and adds the nationwide rows.
func reportTwoKey(lang i18n.Lang, id, titleKey, keyTitle string, name func(string) string, rows []reportTriple, national []stats.KeyCount) reportTable {
	t := reportTable{ID: id, Title: i18n.T(lang, titleKey), First: i18n.T(lang, "doc.col.region"), KeyTitle: i18n.T(lang, keyTitle)}
	for _, r := range rows {
		region := report.Name(lang, report.NameRegion, r.region)
		if len(t.Groups) == 0 || t.Groups[len(t.Groups)-1].Region != region {
			t.Groups = append(t.Groups, reportGroup{Region: region})
		}
		g := &t.Groups[len(t.Groups)-1]
		g.Rows = append(g.Rows, reportRow{name(r.key), r.count})
	}
	for _, kc := range national {
		t.National = append(t.National, reportRow{name(kc.Key), kc.Count})
	}
	return t
}

// reportRank is the place of v in order, and after every known value
// when it is not there.
func reportRank(order []string, v string) int {
	if i := slices.Index(order, v); i >= 0 {
		return i
	}
	return len(order)
}
