package pdf

import (
	"bytes"
	"cmp"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"time"

	"codeberg.org/go-pdf/fpdf"

	"esep/internal/i18n"
	"esep/internal/kz"
	"esep/internal/register"
	"esep/internal/report"
	"esep/internal/stats"
)

// Chart sizes, in mm: the width of the body, and tall enough for twenty
// regions to be told apart.
const (
	chartW = bodyWidth
	chartH = 118.0
)

// Report writes the Annex 3 report r in lang as a PDF to w: a title page
// with the table of contents, the introduction, the statistical indicators
// by region with nationwide totals and charts, the quality audit, the
// conclusions and the annexes.
//
// The same report renders to the same bytes: the document is dated
// r.GeneratedAt, which must be an RFC 3339 instant (an error says so
// otherwise). Errors also come from drawing the charts and from fpdf.
func Report(w io.Writer, r *report.Report, lang i18n.Lang) error {
	if r == nil {
		return errors.New("pdf report: no report")
	}
	created, err := parseDate(r.GeneratedAt)
	if err != nil {
		return fmt.Errorf("pdf report %s: generated_at: %w", r.Period, err)
	}
	rr := &reportDoc{r: r, lang: lang, tables: r.Tables, national: r.National}
	if rr.tables == nil {
		rr.tables = &stats.Tables{}
	}
	if rr.national == nil {
		rr.national = &stats.National{}
	}
	if err := rr.charts(); err != nil {
		return fmt.Errorf("pdf report %s: %w", r.Period, err)
	}
	// The table of contents needs the page of every section, known only
	// once the sections are laid out: so the report is laid out, then laid
	// out again with those pages. The contents take the same room whatever
	// the numbers are, so the second layout matches the first; the loop
	// checks that rather than trusting it.
	var pages []int
	for range 3 {
		d, got := rr.render(created, pages)
		if err := d.f.Error(); err != nil {
			return fmt.Errorf("pdf report %s: %w", r.Period, err)
		}
		if slices.Equal(got, pages) {
			if err := d.f.Output(w); err != nil {
				return fmt.Errorf("pdf report %s: %w", r.Period, err)
			}
			return nil
		}
		pages = got
	}
	return fmt.Errorf("pdf report %s: the table of contents does not settle", r.Period)
}

// reportDoc is one rendering of a report in one language.
type reportDoc struct {
	r        *report.Report
	lang     i18n.Lang
	tables   *stats.Tables
	national *stats.National
	// The charts, drawn once for all the layouts; nil when there is
	// nothing to chart.
	clientsPNG, servicesPNG []byte
	*doc
}

// part is a section of the report with an entry in the table of contents.
type part struct {
	level   int // 1 for a section, 2 for a subsection
	title   string
	newPage bool
	body    func()
}

// tr is a label in the report's language, cleaned for the font. (It works
// before the layout starts, unlike doc.t.)
func (rr *reportDoc) tr(key string, params ...any) string {
	return clean(i18n.T(rr.lang, key, params...))
}

// name names a code of a table's key column in the report's language.
func (rr *reportDoc) name(kind, code string) string {
	return report.Name(rr.lang, kind, code)
}

// charts draws the bar charts of clients and of services by region.
func (rr *reportDoc) charts() error {
	var clients []bar
	for _, row := range rr.tables.ClientsByRegion {
		clients = append(clients, bar{rr.name(report.NameRegion, row.Region), row.Count})
	}
	var services []bar
	for _, row := range rr.tables.ServicesByRegionService {
		label := rr.name(report.NameRegion, row.Region)
		if len(services) > 0 && services[len(services)-1].label == label {
			services[len(services)-1].value += row.Count
			continue
		}
		services = append(services, bar{label, row.Count})
	}
	var err error
	if len(clients) > 0 {
		if rr.clientsPNG, err = barChart(clients, chartW, chartH, chartDPI); err != nil {
			return err
		}
	}
	if len(services) > 0 {
		if rr.servicesPNG, err = barChart(services, chartW, chartH, chartDPI+1); err != nil {
			return err
		}
	}
	return nil
}

// parts lists the report's sections in order, per Annex 3.
func (rr *reportDoc) parts() []part {
	ps := []part{
		{1, rr.tr("doc.section.intro"), true, rr.intro},
		{1, rr.tr("doc.section.stats"), true, rr.summary},
	}
	sub := []struct {
		key  string
		body func()
	}{
		{"report.clients_by_region", rr.clientsByRegion},
		{"report.clients_by_region_sector", func() {
			rr.byRegion(report.NameSection, "doc.col.oked_section", pairsOf(rr.tables.ClientsByRegionSector, func(r stats.SectorRow) pair { return pair{r.Region, r.OKEDSection, r.Count} }), rr.national.ClientsBySector)
		}},
		{"report.enterprises_by_region_legal_form", func() {
			rr.byRegion(report.NameLegalForm, "doc.col.legal_form", pairsOf(rr.tables.EnterprisesByRegionLegalForm, func(r stats.FormRow) pair { return pair{r.Region, r.LegalForm, r.Count} }), rr.national.EnterprisesByLegalForm)
		}},
		{"report.clients_by_region_gender", func() {
			rr.byRegion(report.NameGender, "doc.col.gender", pairsOf(rr.tables.ClientsByRegionGender, func(r stats.GenderRow) pair { return pair{r.Region, r.Gender, r.Count} }), rr.national.ClientsByGender)
		}},
		{"report.clients_by_age_band", rr.ageBands},
		{"report.clients_by_region_category", func() {
			rr.byRegion(report.NameCategory, "doc.col.category", pairsOf(rr.tables.ClientsByRegionCategory, func(r stats.CatRow) pair { return pair{r.Region, r.Category, r.Count} }), rr.national.ClientsByCategory)
		}},
		{"report.services_by_region_service", func() {
			rr.byRegion(report.NameService, "doc.col.service", pairsOf(rr.tables.ServicesByRegionService, func(r stats.ServiceRow) pair { return pair{r.Region, r.ServiceCode, r.Count} }), rr.national.ServicesByService)
		}},
		{"doc.section.plans", rr.plans},
	}
	for i, s := range sub {
		ps = append(ps, part{2, fmt.Sprintf("2.%d. %s", i+1, rr.tr(s.key)), false, s.body})
	}
	ps = append(ps,
		part{1, rr.tr("doc.section.quality"), false, rr.quality},
		part{1, rr.tr("doc.section.conclusions"), false, rr.conclusions},
		part{1, rr.tr("doc.section.annexes"), true, func() {}},
		part{2, rr.tr("doc.annex.exclusions"), false, rr.exclusions},
		part{2, rr.tr("doc.annex.late"), false, rr.late},
		part{2, rr.tr("doc.annex.letters"), false, rr.letters},
	)
	return ps
}

// render lays the report out once. pages are the sections' pages from the
// previous layout (nil the first time); it returns the pages of this one.
func (rr *reportDoc) render(created time.Time, pages []int) (*doc, []int) {
	r := rr.r
	rr.doc = newDoc(rr.lang, created, rr.tr("doc.report.title")+" — "+r.Period, 2)
	f := rr.f
	ps := rr.parts()
	links := make([]int, len(ps))

	f.AddPage()
	rr.titlePage()
	rr.contents(ps, pages, links)

	got := make([]int, len(ps))
	for i, p := range ps {
		if p.newPage {
			f.AddPage()
		} else {
			rr.space(6)
			rr.room(35)
		}
		got[i] = f.PageNo()
		f.SetLink(links[i], -1, -1)
		f.Bookmark(p.title, p.level-1, -1)
		rr.heading(p.title, p.level)
		p.body()
	}
	return rr.doc, got
}

// heading writes a section (level 1) or subsection (level 2) heading.
func (rr *reportDoc) heading(title string, level int) {
	size := 13.0
	if level > 1 {
		size = 11
	}
	rr.para(title, true, size, "L")
	rr.f.Ln(2.5)
}

// caption writes a bold line that introduces a table or a chart.
func (rr *reportDoc) caption(text string) {
	rr.room(25)
	rr.para(text, true, sizeBody, "L")
	rr.f.Ln(1.5)
}

// titlePage writes the title, the period, the deadline and the version.
func (rr *reportDoc) titlePage() {
	r, f := rr.r, rr.f
	f.SetY(48)
	rr.para(rr.tr("doc.report.title"), true, 17, "C")
	f.Ln(4)
	rr.para(rr.tr("doc.report.subtitle"), false, 11.5, "C")
	f.Ln(10)
	rr.para(rr.periodLine(), true, 12.5, "C")
	f.Ln(4)
	if r.Due != "" {
		rr.para(rr.tr("doc.report.due", "due", dateText(r.Due)), false, sizeBody, "C")
		f.Ln(1)
	}
	f.SetTextColor(80, 80, 80)
	rr.para(report.VersionLine(r, rr.lang, timeText(r.GeneratedAt)), false, 9, "C")
	f.SetTextColor(0, 0, 0)
}

// periodLine names the period: "Quarter 3 of 2026 (01.07.2026 to
// 30.09.2026)" or the year as of 1 December.
func (rr *reportDoc) periodLine() string {
	r := rr.r
	year, quarter, _ := strings.Cut(r.Period, "Q")
	key := "doc.report.period.year"
	if r.Kind == report.Quarterly || quarter != "" {
		key = "doc.report.period.quarter"
	}
	return rr.tr(key, "year", year, "quarter", quarter, "from", dateText(r.From), "to", dateText(r.To))
}

// contents writes the table of contents: each section with its page,
// linked to it. pages is nil on the first layout; the entries take the
// same room either way.
func (rr *reportDoc) contents(ps []part, pages, links []int) {
	f := rr.f
	f.Ln(14)
	rr.para(rr.tr("doc.toc"), true, 13, "L")
	f.Ln(3)
	const numW = 14.0
	for i, p := range ps {
		links[i] = f.AddLink()
		indent, size, bold := 0.0, sizeBody, true
		if p.level > 1 {
			indent, size, bold = 7, 9.5, false
		}
		page := ""
		if i < len(pages) {
			page = strconv.Itoa(pages[i])
		}
		rr.font(bold, size)
		lh := lineHeight(size) + 0.6
		titleW := bodyWidth - indent - numW
		lines := f.SplitText(p.title, titleW)
		if len(lines) == 0 {
			lines = []string{""}
		}
		// Dot leaders from the end of the title to the page number.
		last := lines[len(lines)-1]
		dots := int((titleW - 2*f.GetCellMargin() - f.GetStringWidth(last+" ")) / f.GetStringWidth(" ."))
		if dots > 2 {
			lines[len(lines)-1] = last + " " + strings.Repeat(" .", dots)[1:]
		}
		h := float64(len(lines)) * lh
		if f.GetY()+h > bottom() {
			f.AddPage()
		}
		y := f.GetY()
		for j, line := range lines {
			f.SetXY(marginLeft+indent, y+float64(j)*lh)
			f.CellFormat(titleW, lh, line, "", 0, "L", false, 0, "")
		}
		f.SetXY(marginLeft+bodyWidth-numW, y+h-lh)
		f.CellFormat(numW, lh, page, "", 0, "R", false, 0, "")
		f.Link(marginLeft+indent, y, bodyWidth-indent, h, links[i])
		f.SetXY(marginLeft, y+h)
	}
}

// intro is section 1: what the report is about, what was received, and
// when each monthly register came.
func (rr *reportDoc) intro() {
	in := rr.r.Introduction
	rr.para(rr.tr("doc.intro.text"), false, sizeBody, "L")
	rr.f.Ln(3)
	rr.para(rr.tr("doc.intro.counts", "received", num(in.RecordsReceived), "counted", num(in.RecordsCounted), "excluded", num(in.RecordsExcluded)), false, sizeBody, "L")
	rr.f.Ln(4)
	rr.caption(rr.tr("doc.intro.deliveries"))
	if len(in.Deliveries) == 0 {
		rr.para(rr.tr("doc.none"), false, sizeBody, "L")
		return
	}
	t := rr.newTable([]column{
		{rr.tr("doc.col.month"), 16, "L"},
		{rr.tr("doc.col.due_date"), 18, "L"},
		{rr.tr("doc.col.received_at"), 26, "L"},
		{rr.tr("doc.col.records"), 18, "R"},
		{rr.tr("doc.col.timeliness"), 22, "L"},
	})
	for _, dl := range in.Deliveries {
		state, received := rr.tr("doc.on_time"), timeText(dl.ReceivedAt)
		switch {
		case dl.ReceivedAt == "":
			state, received = rr.tr("doc.not_received"), "—"
		case dl.Late:
			state = rr.tr("doc.late")
		}
		t.row([]string{monthText(dl.Month), dateText(dl.DueDate), received, num(dl.Records), state}, rowStyle{bold: dl.Late || dl.ReceivedAt == ""})
	}
}

// summary opens section 2: the services provided, online among them, and
// the chart of services by region.
func (rr *reportDoc) summary() {
	t := rr.newTable([]column{{"", 75, "L"}, {"", 25, "R"}})
	t.row([]string{rr.tr("report.services_total"), num(rr.tables.ServicesTotal)}, rowStyle{bold: true})
	t.row([]string{rr.tr("report.services_online"), num(rr.tables.ServicesOnline)}, rowStyle{})
	rr.chart(rr.tr("doc.chart.services_by_region"), "services", rr.servicesPNG)
}

// chart places a chart image under its caption, on a new page if it does
// not fit.
func (rr *reportDoc) chart(caption, name string, png []byte) {
	if png == nil {
		return
	}
	f := rr.f
	rr.space(6)
	rr.room(chartH + 12)
	rr.caption(caption)
	opt := fpdf.ImageOptions{ImageType: "PNG"}
	f.RegisterImageOptionsReader(name, opt, bytes.NewReader(png))
	f.ImageOptions(name, marginLeft, f.GetY(), chartW, chartH, false, opt, 0, "")
	f.SetY(f.GetY() + chartH + 2)
}

// clientsByRegion is the table of clients by region, the national figure
// (a person served in two regions is one client nationwide), and its chart.
func (rr *reportDoc) clientsByRegion() {
	t := rr.newTable([]column{{rr.tr("doc.col.region"), 75, "L"}, {rr.tr("doc.col.count"), 25, "R"}})
	for _, row := range rr.tables.ClientsByRegion {
		t.row([]string{rr.name(report.NameRegion, row.Region), num(row.Count)}, rowStyle{})
	}
	t.row([]string{rr.tr("doc.national_total"), num(rr.national.Clients)}, rowStyle{bold: true, fill: true})
	rr.chart(rr.tr("doc.chart.clients_by_region"), "clients", rr.clientsPNG)
}

// pair is one count of a two-key table: a region and a value of the other
// key (a sector, a legal form, ...).
type pair struct {
	region, key string
	count       int
}

// pairsOf turns the rows of any two-key table into pairs.
func pairsOf[T any](rows []T, get func(T) pair) []pair {
	out := make([]pair, len(rows))
	for i, r := range rows {
		out[i] = get(r)
	}
	return out
}

// pivotMax is the most values of the second key that can head columns by
// their full names on a portrait page.
const pivotMax = 6

// regionColW is the width of the region column of the matrix layout, in mm.
const regionColW = 48.0

// byRegion writes a table by region and a second key, with the nationwide
// row from national. The nationwide figures are not the sums of the
// regions' (a client served in two regions counts in each), so they come
// from national. The layout is the most compact that stays readable on a
// portrait page:
//
//   - a few values (gender, category, legal form): a column for each,
//     headed by its name, a row for each region;
//   - more values (sectors, services): the same matrix headed by codes
//     (the section letters), split in two blocks when it is too wide, with
//     the codes' names listed under it;
//   - more still: a group of rows for each region, one row per value.
func (rr *reportDoc) byRegion(kind, keyTitle string, pairs []pair, national []stats.KeyCount) {
	if len(pairs) == 0 && len(national) == 0 {
		rr.para(rr.tr("doc.none"), false, sizeBody, "L")
		return
	}
	m := newMatrix(kind, pairs, national)
	if len(m.keys) <= pivotMax {
		headers := make([]string, len(m.keys))
		for i, k := range m.keys {
			headers[i] = rr.name(kind, k)
		}
		// Narrow tables (two genders) keep their columns modest.
		slots := max(len(m.keys), 4)
		if rr.wordsFit(headers, (bodyWidth-regionColW)/float64(slots)) {
			rr.matrixTable(m, m.keys, headers, slots)
			return
		}
	}
	// Headed by codes instead: the widest figure or code decides how many
	// columns fit across.
	codes := make([]string, len(m.keys))
	for i, k := range m.keys {
		codes[i] = rr.code(kind, k)
	}
	rr.font(false, sizeTable)
	widest := 0.0
	for _, c := range codes {
		widest = max(widest, rr.f.GetStringWidth(c))
	}
	for _, n := range m.counts {
		widest = max(widest, rr.f.GetStringWidth(num(n)))
	}
	for _, n := range m.national {
		widest = max(widest, rr.f.GetStringWidth(num(n)))
	}
	colW := max(8, widest+2*padH+1)
	perBlock := int((bodyWidth - regionColW) / colW)
	if perBlock < 1 || (len(m.keys)+perBlock-1)/perBlock > 2 {
		rr.groupedTable(kind, keyTitle, m)
		return
	}
	blocks := (len(m.keys) + perBlock - 1) / perBlock
	size := (len(m.keys) + blocks - 1) / blocks
	for b := range blocks {
		lo, hi := b*size, min(len(m.keys), (b+1)*size)
		if b > 0 {
			rr.f.Ln(4)
		}
		rr.matrixTable(m, m.keys[lo:hi], codes[lo:hi], size)
	}
	// The legend: what the codes heading the columns stand for.
	rr.f.Ln(2)
	for i, k := range m.keys {
		text := rr.name(kind, k)
		if kind != report.NameSection { // a section's name starts with its letter
			text = codes[i] + " — " + text
		}
		rr.para(text, false, sizeSmall, "L")
	}
}

// wordsFit tells whether every word of the headings fits a column of width
// mm in type not smaller than 7.5 points.
func (rr *reportDoc) wordsFit(headings []string, width float64) bool {
	rr.font(true, 7.5)
	for _, h := range headings {
		for _, w := range strings.Fields(clean(h)) {
			if rr.f.GetStringWidth(w) > width-2*padH {
				return false
			}
		}
	}
	return true
}

// code is the short heading of a value in a table headed by codes: the
// section letter, the legal form's abbreviation in the reader's language,
// the service code.
func (rr *reportDoc) code(kind, key string) string {
	if kind == report.NameLegalForm {
		if f, ok := kz.LegalFormByCode(key); ok {
			if s := f.Short.In(rr.lang); s != "" {
				return s
			}
		}
	}
	if key == "" {
		return "—"
	}
	return key
}

// matrix is a two-key table as counts by region and value.
type matrix struct {
	keys, regions []string
	counts        map[[2]string]int
	national      map[string]int
}

func newMatrix(kind string, pairs []pair, national []stats.KeyCount) *matrix {
	m := &matrix{keys: orderedKeys(kind, pairs, national), counts: map[[2]string]int{}, national: map[string]int{}}
	for _, p := range pairs {
		// The tables are sorted by region: a new region starts a group.
		if len(m.regions) == 0 || m.regions[len(m.regions)-1] != p.region {
			m.regions = append(m.regions, p.region)
		}
		m.counts[[2]string{p.region, p.key}] += p.count
	}
	for _, kc := range national {
		m.national[kc.Key] += kc.Count
	}
	return m
}

// matrixTable writes the columns keys of m, headed by headers, as a row
// per region and the national row. slots is the number of value columns
// the width is shared by, so that the blocks of a split table align.
func (rr *reportDoc) matrixTable(m *matrix, keys, headers []string, slots int) {
	valueW := (bodyWidth - regionColW) / float64(slots)
	cols := []column{{rr.tr("doc.col.region"), regionColW, "L"}}
	for _, h := range headers {
		cols = append(cols, column{h, valueW, "R"})
	}
	t := rr.newTableMM(cols)
	for _, reg := range m.regions {
		cells := []string{rr.name(report.NameRegion, reg)}
		for _, k := range keys {
			cells = append(cells, num(m.counts[[2]string{reg, k}]))
		}
		t.row(cells, rowStyle{})
	}
	cells := []string{rr.tr("doc.national_total")}
	for _, k := range keys {
		cells = append(cells, num(m.national[k]))
	}
	t.row(cells, rowStyle{bold: true, fill: true})
}

// groupedTable writes m as a group of rows for each region, one per value
// the region has, then the national group.
func (rr *reportDoc) groupedTable(kind, keyTitle string, m *matrix) {
	t := rr.newTable([]column{
		{rr.tr("doc.col.region"), 30, "L"},
		{rr.tr(keyTitle), 55, "L"},
		{rr.tr("doc.col.count"), 15, "R"},
	})
	for _, reg := range m.regions {
		group := rr.name(report.NameRegion, reg)
		for _, k := range m.keys {
			n, ok := m.counts[[2]string{reg, k}]
			if !ok {
				continue // a value the region has none of takes no row
			}
			t.row([]string{"", rr.name(kind, k), num(n)}, rowStyle{group: group})
		}
	}
	total := rr.tr("doc.national_total")
	for _, k := range m.keys {
		if n, ok := m.national[k]; ok {
			t.row([]string{"", rr.name(kind, k), num(n)}, rowStyle{group: total, bold: true, fill: true})
		}
	}
}

// orderedKeys lists the values of a table's second key in their natural
// order: sections by letter, categories from micro to large, legal forms
// and services as the register lists them; values esep does not know come
// after, by code, and "not stated" last.
func orderedKeys(kind string, pairs []pair, national []stats.KeyCount) []string {
	seen := map[string]bool{}
	var keys []string
	add := func(k string) {
		if !seen[k] {
			seen[k] = true
			keys = append(keys, k)
		}
	}
	for _, p := range pairs {
		add(p.key)
	}
	for _, kc := range national {
		add(kc.Key)
	}
	rank := map[string]int{}
	for i, k := range canonical(kind) {
		if _, ok := rank[k]; !ok {
			rank[k] = i
		}
	}
	slices.SortFunc(keys, func(a, b string) int {
		ra, oka := rank[a]
		rb, okb := rank[b]
		switch {
		case (a == "") != (b == ""):
			if a == "" {
				return 1
			}
			return -1
		case oka && okb:
			return cmp.Compare(ra, rb)
		case oka != okb:
			if oka {
				return -1
			}
			return 1
		}
		return cmp.Compare(a, b)
	})
	return keys
}

// canonical is the natural order of the codes of a kind.
func canonical(kind string) []string {
	var out []string
	switch kind {
	case report.NameSection:
		for _, s := range kz.Sections() {
			out = append(out, s.Letter)
		}
	case report.NameLegalForm:
		for _, f := range kz.LegalForms() {
			out = append(out, f.Code)
		}
	case report.NameCategory:
		for _, c := range kz.Categories() {
			out = append(out, c.Code)
		}
	case report.NameService:
		for _, s := range register.DefaultServices() {
			out = append(out, s.Code)
			for _, st := range s.Subtypes {
				out = append(out, st.Code)
			}
		}
	case report.NameGender:
		out = []string{"M", "F"}
	case report.NameAgeBand:
		out = register.AgeBands
	}
	return out
}

// ageBands is the nationwide table of clients by age band: each client
// counts once, in the band of their first service of the period.
func (rr *reportDoc) ageBands() {
	if len(rr.tables.ClientsByAgeBand) == 0 {
		rr.para(rr.tr("doc.none"), false, sizeBody, "L")
		return
	}
	var pairs []pair
	for _, a := range rr.tables.ClientsByAgeBand {
		pairs = append(pairs, pair{"", a.AgeBand, a.Count})
	}
	counts := map[string]int{}
	total := 0
	for _, p := range pairs {
		counts[p.key] += p.count
		total += p.count
	}
	t := rr.newTable([]column{{rr.tr("doc.col.age_band"), 75, "L"}, {rr.tr("doc.col.count"), 25, "R"}})
	for _, k := range orderedKeys(report.NameAgeBand, pairs, nil) {
		t.row([]string{rr.name(report.NameAgeBand, k), num(counts[k])}, rowStyle{})
	}
	// Every client has exactly one band, so the bands add up to the
	// national count of clients.
	if rr.national.Clients > 0 {
		total = rr.national.Clients
	}
	t.row([]string{rr.tr("doc.national_total"), num(total)}, rowStyle{bold: true, fill: true})
}

// plans compares the targets with the services counted.
func (rr *reportDoc) plans() {
	if len(rr.r.Plans) == 0 {
		rr.para(rr.tr("doc.plans.none"), false, sizeBody, "L")
		return
	}
	t := rr.newTable([]column{
		{rr.tr("doc.col.region"), 28, "L"},
		{rr.tr("doc.col.service"), 30, "L"},
		{rr.tr("doc.col.plan"), 14, "R"},
		{rr.tr("doc.col.actual"), 14, "R"},
		{rr.tr("doc.col.percent"), 14, "R"},
	})
	for _, p := range rr.r.Plans {
		region := rr.tr("doc.national_total")
		if p.Region != "" {
			region = rr.name(report.NameRegion, p.Region)
		}
		service := rr.tr("doc.all_services")
		if p.ServiceCode != "" {
			service = rr.name(report.NameService, p.ServiceCode)
		}
		pct := "—"
		if p.Plan > 0 {
			pct = percent(p.Percent)
		}
		t.row([]string{region, service, num(p.Plan), num(p.Actual), pct}, rowStyle{bold: p.Plan > 0 && p.Percent < 100})
	}
}

// conclusions is section 4: the observations, as the analyst left them.
func (rr *reportDoc) conclusions() {
	if len(rr.r.Conclusions) == 0 {
		rr.para(rr.tr("doc.none"), false, sizeBody, "L")
		return
	}
	for i, c := range rr.r.Conclusions {
		rr.para(fmt.Sprintf("%d. %s", i+1, report.ConclusionText(c, rr.lang)), false, sizeBody, "L")
		rr.f.Ln(1.5)
	}
}

// exclusions lists the records left out of the count, by reason.
func (rr *reportDoc) exclusions() {
	ex := rr.r.Annexes.Exclusions
	if len(ex) == 0 {
		rr.para(rr.tr("doc.none"), false, sizeBody, "L")
		return
	}
	t := rr.newTable([]column{{rr.tr("doc.col.reason"), 75, "L"}, {rr.tr("doc.col.count"), 25, "R"}})
	total := 0
	for _, e := range ex {
		t.row([]string{rr.name(report.NameReason, e.Reason), num(e.Count)}, rowStyle{})
		total += e.Count
	}
	t.row([]string{rr.tr("doc.national_total"), num(total)}, rowStyle{bold: true, fill: true})
}

// late lists the registers delivered after their deadline (clause 14).
func (rr *reportDoc) late() {
	rows := rr.r.Annexes.LateRegisters
	if len(rows) == 0 {
		rr.para(rr.tr("doc.none"), false, sizeBody, "L")
		return
	}
	t := rr.newTable([]column{{rr.tr("doc.col.month"), 1, "L"}, {rr.tr("doc.col.due_date"), 1, "L"}, {rr.tr("doc.col.delivered"), 1, "L"}})
	for _, l := range rows {
		t.row([]string{monthText(l.Month), dateText(l.DueDate), dateText(l.Delivered)}, rowStyle{})
	}
}

// letters lists the notification letters and what came of them.
func (rr *reportDoc) letters() {
	ls := rr.r.Annexes.Letters
	if len(ls) == 0 {
		rr.para(rr.tr("doc.none"), false, sizeBody, "L")
		return
	}
	t := rr.newTable([]column{
		{rr.tr("doc.col.letter"), 12, "L"},
		{rr.tr("doc.col.date"), 14, "L"},
		{rr.tr("doc.col.month"), 11, "L"},
		{rr.tr("doc.col.correction_due"), 14, "L"},
		{rr.tr("doc.col.problems"), 13, "R"},
		{rr.tr("doc.col.corrected"), 13, "R"},
		{rr.tr("doc.col.corrected_late"), 13, "R"},
		{rr.tr("doc.col.outstanding"), 13, "R"},
	})
	for _, l := range ls {
		due := "—"
		if l.CorrectionDue != "" {
			due = dateText(l.CorrectionDue)
		}
		t.row([]string{l.Number, dateText(l.Date), monthText(l.Month), due,
			num(l.Problems), num(l.Corrected), num(l.CorrectedLate), num(l.Outstanding)}, rowStyle{bold: l.Outstanding > 0})
	}
}
