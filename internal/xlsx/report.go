package xlsx

import (
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/xuri/excelize/v2"

	"esep/internal/i18n"
	"esep/internal/report"
	"esep/internal/stats"
)

// The sheets of the report workbook, in their order, and the letter's one
// sheet. The names of the spec §4 tables are their JSON keys, except
// enterprises_by_region_legal_form, whose 32 characters are one more than a
// sheet name may have.
const (
	SheetSummary                      = "summary"
	SheetClientsByRegion              = "clients_by_region"
	SheetClientsByRegionSector        = "clients_by_region_sector"
	SheetEnterprisesByRegionLegalForm = "enterprises_by_region_legalform"
	SheetClientsByRegionGender        = "clients_by_region_gender"
	SheetClientsByAgeBand             = "clients_by_age_band"
	SheetClientsByRegionCategory      = "clients_by_region_category"
	SheetServicesByRegionService      = "services_by_region_service"
	SheetPlans                        = "plans"
	SheetExcluded                     = "excluded"
	SheetLateRegisters                = "late_registers"
	SheetLetters                      = "letters"
	SheetLetter                       = "letter"
)

// Report writes r as a workbook in lang: a summary sheet (the headline
// figures, the deliveries, the quality note, the conclusions and the
// contents), one sheet per table of spec §4 with its nationwide rows, and
// the sheets of plans, the quality audit (SheetQuality), exclusions, late
// registers and letters.
//
// It returns an error when r has no tables (a report is always built with
// them), when lang is not one esep speaks, or when writing to w fails.
func Report(w io.Writer, r *report.Report, lang i18n.Lang) error {
	if r == nil || r.Tables == nil || r.National == nil {
		return errors.New("xlsx: the report has no tables")
	}
	b, err := newBook(lang)
	if err != nil {
		return err
	}
	defer b.close()
	tables := b.reportTables(r)
	// The contents: every table, and the quality sheet after the plans,
	// where section 3 follows section 2.
	var toc []tocEntry
	for _, t := range tables {
		toc = append(toc, tocEntry{t.sheet, t.title})
		if t.sheet == SheetPlans {
			toc = append(toc, tocEntry{SheetQuality, b.t("doc.section.quality")})
		}
	}
	if err := b.summary(r, toc); err != nil {
		return err
	}
	for _, t := range tables {
		if err := b.table(t); err != nil {
			return err
		}
		if t.sheet == SheetPlans {
			if err := b.quality(r); err != nil {
				return fmt.Errorf("xlsx: sheet %s: %w", SheetQuality, err)
			}
		}
	}
	// The properties come from the report, never from the clock: a sent
	// report re-rendered from its snapshot must give the same bytes.
	created, modified := w3cdtf(r.GeneratedAt)
	props := &excelize.DocProperties{
		Title:          b.t("doc.report.title") + " — " + r.Period,
		Subject:        b.t("doc.report.subtitle"),
		Creator:        "esep",
		LastModifiedBy: "esep",
		Created:        created,
		Modified:       created,
		Language:       string(lang),
		ContentStatus:  b.t("doc.status." + string(r.Status)),
	}
	if r.Version > 0 {
		props.Revision = strconv.Itoa(r.Version)
	}
	return b.write(w, props, modified)
}

func (b *book) name(kind, code string) string { return report.Name(b.lang, kind, code) }

// tocEntry is a line of the contents: a sheet and its title.
type tocEntry struct{ sheet, title string }

// summary writes the first sheet. It is a document rather than a table, so
// it has no frozen header; its figures are numeric cells all the same.
func (b *book) summary(r *report.Report, toc []tocEntry) error {
	s, err := b.sheet(SheetSummary, []float64{50, 26, 26, 16, 12}, 0, false)
	if err != nil {
		return err
	}
	st := b.st
	heading := func(key string) { s.add(excelize.Cell{StyleID: st.heading, Value: b.t(key)}) }
	figure := func(key string, n int) { s.add(b.t(key), excelize.Cell{StyleID: st.plainCount, Value: n}) }
	header := func(keys ...string) {
		cells := make([]any, len(keys))
		for i, k := range keys {
			cells[i] = excelize.Cell{StyleID: st.header, Value: b.t(k)}
		}
		s.add(cells...)
	}
	cell := func(k kind, v any) excelize.Cell { return excelize.Cell{StyleID: st.cell[k][0], Value: v} }

	s.add(excelize.Cell{StyleID: st.title, Value: b.t("doc.report.title")})
	s.add(b.t("doc.report.subtitle"))
	s.add(b.period(r))
	s.add(b.t("doc.report.due", "due", r.Due))
	s.add(report.VersionLine(r, b.lang, r.GeneratedAt))
	s.skip()

	in := r.Introduction
	heading("doc.section.intro")
	s.add(b.t("doc.intro.text"))
	figure("xlsx.records_received", in.RecordsReceived)
	figure("xlsx.records_counted", in.RecordsCounted)
	figure("xlsx.records_excluded", in.RecordsExcluded)
	s.skip()
	s.add(excelize.Cell{StyleID: st.label, Value: b.t("doc.intro.deliveries")})
	header("doc.col.month", "doc.col.due_date", "doc.col.received_at", "doc.col.timeliness", "doc.col.records")
	for _, d := range in.Deliveries {
		timeliness := "doc.on_time"
		switch {
		case d.ReceivedAt == "":
			timeliness = "doc.not_received"
		case d.Late:
			timeliness = "doc.late"
		}
		s.add(cell(code, d.Month), cell(code, d.DueDate), cell(code, d.ReceivedAt), cell(text, b.t(timeliness)), cell(count, d.Records))
	}
	if len(in.Deliveries) == 0 {
		s.add(b.t("doc.none"))
	}
	s.skip()

	heading("doc.section.stats")
	figure("report.services_total", r.Tables.ServicesTotal)
	figure("report.services_online", r.Tables.ServicesOnline)
	figure("xlsx.national_clients", r.National.Clients)
	s.skip()

	// The section's one line: that there are no survey data, or where its
	// figures are (the quality sheet); an old snapshot may lack the key.
	heading("doc.section.quality")
	note := r.Quality.NoteKey
	if note == "" && !r.Quality.HasData {
		note = "doc.quality.no_data"
	}
	if note != "" {
		s.add(b.t(note))
	}
	s.skip()

	heading("doc.section.conclusions")
	for i, c := range r.Conclusions {
		s.add(i+1, report.ConclusionText(c, b.lang))
	}
	if len(r.Conclusions) == 0 {
		s.add(b.t("doc.none"))
	}
	s.skip()

	heading("doc.toc")
	header("xlsx.col.sheet", "xlsx.col.table")
	for _, t := range toc {
		s.add(excelize.Cell{StyleID: st.link, Value: t.sheet}, t.title)
		// A link within the workbook. The stream writer holds the sheet's
		// worksheet, and Flush writes its hyperlinks after the rows.
		ref := "A" + strconv.Itoa(s.row)
		if err := b.f.SetCellHyperLink(SheetSummary, ref, "'"+t.sheet+"'!A1", "Location"); err != nil && s.err == nil {
			s.err = fmt.Errorf("xlsx: sheet %s: %w", SheetSummary, err)
		}
	}
	return s.flush()
}

// period is the period's line: a quarter or a year, with its bounds.
func (b *book) period(r *report.Report) string {
	year, quarter, _ := strings.Cut(r.Period, "Q")
	if r.Kind == report.Quarterly {
		return b.t("doc.report.period.quarter", "quarter", quarter, "year", year, "from", r.From, "to", r.To)
	}
	return b.t("doc.report.period.year", "year", year, "from", r.From, "to", r.To)
}

// keyed is a row of a table by region and one more key.
type keyed struct {
	region, key string
	count       int
}

func toKeyed[T any](rows []T, f func(T) keyed) []keyed {
	out := make([]keyed, len(rows))
	for i, r := range rows {
		out[i] = f(r)
	}
	return out
}

// reportTables lays out every sheet after the summary, in order.
func (b *book) reportTables(r *report.Report) []*table {
	tb, nat := r.Tables, r.National
	note := b.t("report.period", "from", tb.From, "to", tb.To)
	national := b.t("doc.national_total")
	codeOf := func(headerKey string) column {
		return column{b.t("xlsx.col.code", "column", b.t(headerKey)), code}
	}
	nameOf := func(headerKey string) column { return column{b.t(headerKey), text} }
	counted := column{b.t("doc.col.count"), count}

	// byRegion is a table of region and one more key. Its nationwide rows
	// come from r.National, one per value of the second key: a person
	// served in two regions counts in both, but once in the country, so
	// they are not the sums of the regional rows.
	byRegion := func(sheet, titleKey, nameKind, headerKey string, rows []keyed, nationwide []stats.KeyCount) *table {
		t := &table{sheet: sheet, title: b.t(titleKey), note: note,
			cols: []column{codeOf("doc.col.region"), nameOf("doc.col.region"), codeOf(headerKey), nameOf(headerKey), counted}}
		for _, row := range rows {
			t.rows = append(t.rows, []any{row.region, b.name(report.NameRegion, row.region), row.key, b.name(nameKind, row.key), row.count})
		}
		for _, kc := range nationwide {
			t.totals = append(t.totals, []any{"", national, kc.Key, b.name(nameKind, kc.Key), kc.Count})
		}
		return t
	}

	regions := &table{sheet: SheetClientsByRegion, title: b.t("report.clients_by_region"), note: note,
		cols: []column{codeOf("doc.col.region"), nameOf("doc.col.region"), counted}, totals: [][]any{{"", national, nat.Clients}}}
	for _, row := range tb.ClientsByRegion {
		regions.rows = append(regions.rows, []any{row.Region, b.name(report.NameRegion, row.Region), row.Count})
	}
	ages := &table{sheet: SheetClientsByAgeBand, title: b.t("report.clients_by_age_band"), note: note,
		cols: []column{codeOf("doc.col.age_band"), nameOf("doc.col.age_band"), counted}, totals: [][]any{{"", national, nat.Clients}}}
	for _, row := range tb.ClientsByAgeBand {
		ages.rows = append(ages.rows, []any{row.AgeBand, b.name(report.NameAgeBand, row.AgeBand), row.Count})
	}

	plans := &table{sheet: SheetPlans, title: b.t("doc.section.plans"), note: note, empty: b.t("doc.plans.none"),
		cols: []column{codeOf("doc.col.region"), nameOf("doc.col.region"), codeOf("doc.col.service"), nameOf("doc.col.service"),
			{b.t("doc.col.plan"), count}, {b.t("doc.col.actual"), count}, {b.t("doc.col.percent"), percent}}}
	for _, p := range r.Plans {
		service := b.t("doc.all_services")
		if p.ServiceCode != "" {
			service = b.name(report.NameService, p.ServiceCode)
		}
		plans.rows = append(plans.rows, []any{p.Region, b.name(report.NameRegion, p.Region), p.ServiceCode, service, p.Plan, p.Actual, p.Percent})
	}

	excluded := &table{sheet: SheetExcluded, title: b.t("doc.annex.exclusions"), note: note, empty: b.t("doc.none"),
		cols: []column{codeOf("doc.col.reason"), nameOf("doc.col.reason"), counted}}
	sum := 0
	for _, e := range r.Annexes.Exclusions {
		excluded.rows = append(excluded.rows, []any{e.Reason, b.name(report.NameReason, e.Reason), e.Count})
		sum += e.Count
	}
	if len(excluded.rows) > 0 {
		// One reason per record (spec §2), so here the total is the sum.
		excluded.totals = [][]any{{"", national, sum}}
	}

	late := &table{sheet: SheetLateRegisters, title: b.t("doc.annex.late"), note: note, empty: b.t("doc.none"),
		cols: []column{{b.t("doc.col.month"), code}, {b.t("doc.col.due_date"), code}, {b.t("doc.col.delivered"), code}}}
	for _, l := range r.Annexes.LateRegisters {
		late.rows = append(late.rows, []any{l.Month, l.DueDate, l.Delivered})
	}

	letters := &table{sheet: SheetLetters, title: b.t("doc.annex.letters"), note: note, empty: b.t("doc.none"),
		cols: []column{{b.t("doc.col.letter"), code}, {b.t("doc.col.date"), code}, {b.t("doc.col.month"), code},
			{b.t("xlsx.col.sent_at"), code}, {b.t("doc.col.correction_due"), code}, {b.t("doc.col.problems"), count},
			{b.t("doc.col.corrected"), count}, {b.t("doc.col.corrected_late"), count}, {b.t("doc.col.outstanding"), count}}}
	for _, l := range r.Annexes.Letters {
		letters.rows = append(letters.rows, []any{l.Number, l.Date, l.Month, l.SentAt, l.CorrectionDue, l.Problems, l.Corrected, l.CorrectedLate, l.Outstanding})
	}

	return []*table{
		regions,
		byRegion(SheetClientsByRegionSector, "report.clients_by_region_sector", report.NameSection, "doc.col.oked_section",
			toKeyed(tb.ClientsByRegionSector, func(r stats.SectorRow) keyed { return keyed{r.Region, r.OKEDSection, r.Count} }), nat.ClientsBySector),
		byRegion(SheetEnterprisesByRegionLegalForm, "report.enterprises_by_region_legal_form", report.NameLegalForm, "doc.col.legal_form",
			toKeyed(tb.EnterprisesByRegionLegalForm, func(r stats.FormRow) keyed { return keyed{r.Region, r.LegalForm, r.Count} }), nat.EnterprisesByLegalForm),
		byRegion(SheetClientsByRegionGender, "report.clients_by_region_gender", report.NameGender, "doc.col.gender",
			toKeyed(tb.ClientsByRegionGender, func(r stats.GenderRow) keyed { return keyed{r.Region, r.Gender, r.Count} }), nat.ClientsByGender),
		ages,
		byRegion(SheetClientsByRegionCategory, "report.clients_by_region_category", report.NameCategory, "doc.col.category",
			toKeyed(tb.ClientsByRegionCategory, func(r stats.CatRow) keyed { return keyed{r.Region, r.Category, r.Count} }), nat.ClientsByCategory),
		byRegion(SheetServicesByRegionService, "report.services_by_region_service", report.NameService, "doc.col.service",
			toKeyed(tb.ServicesByRegionService, func(r stats.ServiceRow) keyed { return keyed{r.Region, r.ServiceCode, r.Count} }), nat.ServicesByService),
		plans,
		excluded,
		late,
		letters,
	}
}
