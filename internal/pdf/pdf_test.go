package pdf

import (
	"bytes"
	"fmt"
	"image/png"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"

	"esep/internal/i18n"
	"esep/internal/monitor"
	"esep/internal/register"
	"esep/internal/report"
	"esep/internal/stats"
)

// The tests read the PDFs back with poppler's tools, as a reader's viewer
// would: pdftotext for the text, pdfinfo for the page count, pdftoppm for
// the pages as images.

// tool finds a poppler command. Without it the test is skipped, unless
// ESEP_REQUIRE_TOOLS=1 (as in CI), where a missing tool is a failure.
func tool(t *testing.T, name string) string {
	t.Helper()
	path, err := exec.LookPath(name)
	if err != nil {
		if os.Getenv("ESEP_REQUIRE_TOOLS") == "1" {
			t.Fatalf("%s not found: install the Debian package poppler-utils", name)
		}
		t.Skipf("%s not found: install the Debian package poppler-utils to run this test (ESEP_REQUIRE_TOOLS=1 makes this a failure)", name)
	}
	return path
}

// run runs a command and returns its standard output.
func run(t *testing.T, name string, args ...string) string {
	t.Helper()
	cmd := exec.Command(tool(t, name), args...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("%s %s: %v\n%s", name, strings.Join(args, " "), err, stderr.String())
	}
	return string(out)
}

// writePDF saves b in the test's temporary directory.
func writePDF(t *testing.T, b []byte) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "doc.pdf")
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// spaces normalises the spaces of extracted text: pdftotext gives the
// narrow no-break space of grouped numbers as a plain space.
var spaces = strings.NewReplacer(groupSep, " ", "\u00a0", " ")

// pdfText extracts the text of a PDF with pdftotext in a mode ("-layout"
// keeps the columns in place; "-raw" keeps the order the text was drawn in,
// so a wrapped cell reads whole).
func pdfText(t *testing.T, path, mode string) string {
	t.Helper()
	return spaces.Replace(run(t, "pdftotext", "-enc", "UTF-8", mode, path, "-"))
}

// flat collapses all runs of white space to one space.
func flat(s string) string { return strings.Join(strings.Fields(spaces.Replace(s)), " ") }

// want is a number as it reads in extracted text.
func want(n int) string { return spaces.Replace(num(n)) }

// pdfPages is the page count pdfinfo reports.
func pdfPages(t *testing.T, path string) int {
	t.Helper()
	m := regexp.MustCompile(`(?m)^Pages:\s+(\d+)`).FindStringSubmatch(run(t, "pdfinfo", path))
	if m == nil {
		t.Fatal("pdfinfo gives no page count")
	}
	n, _ := strconv.Atoi(m[1])
	return n
}

// pageObjects counts the page objects fpdf wrote.
func pageObjects(b []byte) int {
	return len(regexp.MustCompile(`/Type /Page\b[^s]`).FindAll(b, -1))
}

// renderReport renders the fixture report in lang, once per language for
// the whole test binary.
var renderReport = func() func(t *testing.T, lang i18n.Lang) []byte {
	var mu sync.Mutex
	done := map[i18n.Lang][]byte{}
	return func(t *testing.T, lang i18n.Lang) []byte {
		t.Helper()
		mu.Lock()
		defer mu.Unlock()
		if b, ok := done[lang]; ok {
			return b
		}
		var buf bytes.Buffer
		if err := Report(&buf, testFixture(t).report, lang); err != nil {
			t.Fatalf("Report(%s): %v", lang, err)
		}
		done[lang] = buf.Bytes()
		return buf.Bytes()
	}
}()

// pagesOf splits pdftotext output into pages (it ends each with a form
// feed).
func pagesOf(text string) []string {
	return strings.Split(strings.TrimSuffix(text, "\f"), "\f")
}

// TestReportText reads the Kazakh report back: its headings, the table of
// contents with the right pages, the page numbers, and the model's numbers.
func TestReportText(t *testing.T) {
	fx := testFixture(t)
	r := fx.report
	b := renderReport(t, i18n.KK)
	path := writePDF(t, b)
	text := pdfText(t, path, "-layout")
	pages := pagesOf(text)
	n := pdfPages(t, path)
	if len(pages) != n {
		t.Fatalf("pdftotext gives %d pages, pdfinfo %d", len(pages), n)
	}
	all := flat(text)
	tr := func(key string, params ...any) string { return i18n.T(i18n.KK, key, params...) }

	// The title page and the contents.
	for _, key := range []string{"doc.report.title", "doc.report.subtitle", "doc.toc"} {
		if !strings.Contains(flat(pages[0]), flat(tr(key))) {
			t.Errorf("page 1 lacks %s %q", key, tr(key))
		}
	}
	period := tr("doc.report.period.quarter", "year", "2026", "quarter", "2", "from", "01.04.2026", "to", "30.06.2026")
	if !strings.Contains(flat(pages[0]), flat(period)) {
		t.Errorf("page 1 lacks the period %q", period)
	}
	// Each section is listed in the contents with the page it starts on.
	for _, key := range []string{"doc.section.intro", "doc.section.stats", "doc.section.quality", "doc.section.conclusions", "doc.section.annexes"} {
		title := tr(key)
		entry := regexp.MustCompile(`(?m)^\s*` + regexp.QuoteMeta(title) + `[ .]*\s(\d+)\s*$`).FindStringSubmatch(pages[0])
		if entry == nil {
			t.Errorf("the contents lack %q with a page number:\n%s", title, pages[0])
			continue
		}
		heading := regexp.MustCompile(`(?m)^\s*` + regexp.QuoteMeta(title) + `\s*$`)
		found := 0
		for i, p := range pages[1:] {
			if heading.MatchString(p) {
				found = i + 2
				break
			}
		}
		if strconv.Itoa(found) != entry[1] {
			t.Errorf("the contents give page %s for %q; it is on page %d", entry[1], title, found)
		}
	}
	if !strings.Contains(pages[0], "2.1. "+tr("report.clients_by_region")) {
		t.Errorf("the contents lack subsection 2.1")
	}
	// Page numbers: every page but the title page says "i / n".
	for i, p := range pages {
		footer := tr("doc.page", "page", i+1, "pages", n)
		if has := regexp.MustCompile(`(?m)^\s*` + regexp.QuoteMeta(footer) + `\s*$`).MatchString(p); has != (i > 0) {
			t.Errorf("page %d: footer %q present = %v", i+1, footer, has)
		}
	}

	// The numbers of the model.
	for _, s := range []string{
		tr("report.services_total") + " " + want(r.Tables.ServicesTotal),
		tr("report.services_online") + " " + want(r.Tables.ServicesOnline),
		tr("doc.intro.counts", "received", want(r.Introduction.RecordsReceived), "counted", want(r.Introduction.RecordsCounted), "excluded", want(r.Introduction.RecordsExcluded)),
	} {
		if !strings.Contains(all, s) {
			t.Errorf("the text lacks %q", s)
		}
	}
	row := func(name string, n int) *regexp.Regexp {
		return regexp.MustCompile(`(?m)^\s*` + regexp.QuoteMeta(name) + `\s+` + regexp.QuoteMeta(want(n)) + `\s*$`)
	}
	if !row(tr("doc.national_total"), r.National.Clients).MatchString(text) {
		t.Errorf("no row %q with the national clients %d", tr("doc.national_total"), r.National.Clients)
	}
	biggest := r.Tables.ClientsByRegion[0]
	for _, rr := range r.Tables.ClientsByRegion {
		if rr.Count > biggest.Count {
			biggest = rr
		}
	}
	for _, rr := range []stats.RegionRow{r.Tables.ClientsByRegion[0], biggest} {
		name := report.Name(i18n.KK, report.NameRegion, rr.Region)
		if !row(name, rr.Count).MatchString(text) {
			t.Errorf("no row %q with its %d clients", name, rr.Count)
		}
	}
	// Section 3 says there are no survey data and shows no figures.
	quality, conclusions := flat(tr("doc.section.quality")), flat(tr("doc.section.conclusions"))
	i := strings.LastIndex(all, quality)
	j := strings.LastIndex(all, conclusions)
	if i < 0 || j < i {
		t.Fatalf("sections 3 and 4 not found in order")
	}
	section3 := all[i+len(quality) : j]
	if !strings.Contains(section3, flat(tr("doc.quality.no_data"))) {
		t.Errorf("section 3 lacks %q", tr("doc.quality.no_data"))
	}
	if d := regexp.MustCompile(`\d+`).FindString(regexp.MustCompile(`\d+ / \d+`).ReplaceAllString(section3, "")); d != "" {
		t.Errorf("section 3 shows a figure %q: %s", d, section3)
	}
	// Conclusions read in Kazakh, with the region named.
	for _, c := range r.Conclusions {
		if s := flat(report.ConclusionText(c, i18n.KK)); !strings.Contains(all, s) {
			t.Errorf("the conclusions lack %q", s)
		}
	}
	// The annexes: exclusions by reason, the late register, the letter.
	for _, e := range r.Annexes.Exclusions {
		if !row(report.Name(i18n.KK, report.NameReason, e.Reason), e.Count).MatchString(text) {
			t.Errorf("no exclusion row for %s (%d)", e.Reason, e.Count)
		}
	}
	for _, s := range []string{"06.2026 01.07.2026 03.07.2026", "7/2026 02.06.2026 05.2026 05.06.2026 31 25 2 4"} {
		if !strings.Contains(all, s) {
			t.Errorf("the annexes lack %q", s)
		}
	}
}

// TestReportLanguages checks the Russian and English reports: their own
// headings, and the same figures.
func TestReportLanguages(t *testing.T) {
	r := testFixture(t).report
	for _, lang := range []i18n.Lang{i18n.RU, i18n.EN} {
		t.Run(string(lang), func(t *testing.T) {
			text := pdfText(t, writePDF(t, renderReport(t, lang)), "-layout")
			all := flat(text)
			for _, key := range []string{"doc.report.title", "doc.toc", "doc.section.intro", "doc.section.stats", "doc.section.quality", "doc.section.conclusions", "doc.section.annexes", "report.clients_by_region_sector"} {
				if s := flat(i18n.T(lang, key)); !strings.Contains(all, s) {
					t.Errorf("lacks %s %q", key, s)
				}
			}
			if s := i18n.T(lang, "report.services_total") + " " + want(r.Tables.ServicesTotal); !strings.Contains(all, s) {
				t.Errorf("lacks %q", s)
			}
			if s := i18n.T(lang, "doc.national_total") + " " + want(r.National.Clients); !strings.Contains(all, s) {
				t.Errorf("lacks %q", s)
			}
		})
	}
}

// TestReportPages renders the pages as images: as many as the document
// has, each of A4's proportions. With ESEP_WRITE_DOCS=1 it also saves the
// title page and the first page of section 2 as docs/report-page-*.png.
func TestReportPages(t *testing.T) {
	b := renderReport(t, i18n.KK)
	path := writePDF(t, b)
	n := pdfPages(t, path)
	if objs := pageObjects(b); objs != n {
		t.Errorf("fpdf wrote %d pages, pdfinfo counts %d", objs, n)
	}
	if n < 5 {
		t.Errorf("only %d pages", n)
	}
	dir := t.TempDir()
	run(t, "pdftoppm", "-r", "50", "-png", path, filepath.Join(dir, "page"))
	files, _ := filepath.Glob(filepath.Join(dir, "page-*.png"))
	if len(files) != n {
		t.Fatalf("pdftoppm made %d images of %d pages", len(files), n)
	}
	for _, f := range files {
		w, h := pngSize(t, f)
		if math.Abs(float64(w)-210/25.4*50) > 2 || math.Abs(float64(h)/float64(w)-297.0/210) > 0.01 {
			t.Errorf("%s is %d×%d pixels, not A4 at 50 dpi", filepath.Base(f), w, h)
		}
	}

	if os.Getenv("ESEP_WRITE_DOCS") != "1" {
		return
	}
	// The first page of section 2: its services and their chart.
	pages := pagesOf(pdfText(t, path, "-layout"))
	stats := regexp.MustCompile(`(?m)^\s*` + regexp.QuoteMeta(i18n.T(i18n.KK, "doc.section.stats")) + `\s*$`)
	second := 0
	for i, p := range pages[1:] {
		if stats.MatchString(p) {
			second = i + 2
			break
		}
	}
	if second == 0 {
		t.Fatal("section 2 not found")
	}
	for i, page := range []int{1, second} {
		out := filepath.Join("..", "..", "docs", fmt.Sprintf("report-page-%d", i+1))
		p := strconv.Itoa(page)
		run(t, "pdftoppm", "-r", "80", "-png", "-f", p, "-l", p, "-singlefile", path, out)
		if st, err := os.Stat(out + ".png"); err != nil || st.Size() > 300<<10 {
			t.Errorf("%s.png: %v, %d bytes", out, err, st.Size())
		}
	}
}

func pngSize(t *testing.T, path string) (w, h int) {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	c, err := png.DecodeConfig(f)
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return c.Width, c.Height
}

// TestLetter reads the letter back in each language: title, number, the
// deadline, every problem whole (wrapped cells included) in the order
// blocking first, and the headings repeated on each page of the table.
func TestLetter(t *testing.T) {
	l := testFixture(t).letter
	items := sortedItems(l.Items)
	if len(items) < 30 || items[0].Severity != register.Blocking || items[len(items)-1].Severity != register.Warning {
		t.Fatalf("fixture: %d items; want blocking and warnings over more than a page", len(items))
	}
	for _, lang := range i18n.Langs {
		t.Run(string(lang), func(t *testing.T) {
			var buf bytes.Buffer
			if err := Letter(&buf, l, lang); err != nil {
				t.Fatal(err)
			}
			path := writePDF(t, buf.Bytes())
			raw := flat(pdfText(t, path, "-raw"))
			for _, s := range []string{
				i18n.T(lang, "doc.letter.title"),
				i18n.T(lang, "doc.letter.number", "number", l.Number, "date", "02.06.2026"),
				i18n.T(lang, "doc.letter.deadline", "date", "05.06.2026"),
				i18n.T(lang, "doc.letter.blocking_note"),
				i18n.T(lang, "doc.letter.signature"),
			} {
				if !strings.Contains(raw, flat(s)) {
					t.Errorf("lacks %q", s)
				}
			}
			// Every problem, in order: the record, its column, the whole
			// message, its severity.
			at := 0
			for _, it := range items {
				s := flat(it.RecordID + " " + it.Column + " " + it.Message(lang) + " " + i18n.T(lang, "severity."+string(it.Severity)))
				i := strings.Index(raw[at:], s)
				if i < 0 {
					t.Fatalf("lacks, after offset %d, the item %q", at, s)
				}
				at += i + len(s)
			}
			blocking, records := 0, map[string]bool{}
			for _, it := range items {
				if it.Severity == register.Blocking {
					blocking++
				}
				records[it.RecordID] = true
			}
			summary := i18n.T(lang, "doc.letter.summary", "records", want(len(records)), "blocking", want(blocking), "warnings", want(len(items)-blocking))
			if !strings.Contains(raw, flat(summary)) {
				t.Errorf("lacks the summary %q", summary)
			}
			// The table's headings start every page that has rows.
			pages := pagesOf(pdfText(t, path, "-layout"))
			if len(pages) < 2 {
				t.Fatalf("%d page(s): the fixture should need more", len(pages))
			}
			for i, p := range pages {
				if strings.Contains(p, "SRV-") != strings.Contains(p, i18n.T(lang, "doc.col.record_id")) {
					t.Errorf("page %d: rows and headings do not go together", i+1)
				}
			}
		})
	}
}

// TestLetterWithoutDeadline: before the operator has the letter, the
// deadline is described, not dated; a letter with no items says so.
func TestLetterWithoutDeadline(t *testing.T) {
	l := &monitor.Letter{Number: "1/2026", Date: "2026-02-02", Month: "2026-01", Sender: "S", Addressee: "A"}
	var buf bytes.Buffer
	if err := Letter(&buf, l, i18n.EN); err != nil {
		t.Fatal(err)
	}
	raw := flat(pdfText(t, writePDF(t, buf.Bytes()), "-raw"))
	for _, key := range []string{"doc.letter.deadline_pending", "doc.none"} {
		if s := flat(i18n.T(i18n.EN, key)); !strings.Contains(raw, s) {
			t.Errorf("lacks %q", s)
		}
	}
}

// TestKazakhLetters: the nine letters of the Kazakh alphabet beyond the
// Russian one print and extract as themselves; a character the font lacks
// prints as a question mark instead of failing the document.
func TestKazakhLetters(t *testing.T) {
	const upper, lower = "ӘҒҚҢӨҰҮҺІ", "әғқңөұүһі"
	l := &monitor.Letter{Number: "2/2026", Date: "2026-03-02", Month: "2026-02",
		Sender: upper + " " + lower, Addressee: "Шаһар 中 \x07ok", CorrectionDue: "2026-03-05"}
	var buf bytes.Buffer
	if err := Letter(&buf, l, i18n.KK); err != nil {
		t.Fatal(err)
	}
	raw := flat(pdfText(t, writePDF(t, buf.Bytes()), "-raw"))
	for _, s := range []string{upper, lower, "Шаһар ? ok"} {
		if !strings.Contains(raw, s) {
			t.Errorf("lacks %q in %q", s, raw)
		}
	}
}

// TestReportEmpty: a report with nothing in it still renders, and says
// "none" where a list is empty rather than drawing empty tables.
func TestReportEmpty(t *testing.T) {
	r := &report.Report{Version: 1, Kind: report.Annual, Period: "2026", From: "2026-01-01", To: "2026-11-30",
		Due: "2026-12-10", Status: report.Draft, GeneratedAt: "2026-12-01T03:00:00Z"}
	var buf bytes.Buffer
	if err := Report(&buf, r, i18n.EN); err != nil {
		t.Fatal(err)
	}
	all := flat(pdfText(t, writePDF(t, buf.Bytes()), "-layout"))
	for _, s := range []string{
		i18n.T(i18n.EN, "doc.report.period.year", "year", "2026", "from", "01.01.2026", "to", "30.11.2026"),
		i18n.T(i18n.EN, "doc.none"),
		i18n.T(i18n.EN, "doc.plans.none"),
		i18n.T(i18n.EN, "doc.quality.no_data"),
		i18n.T(i18n.EN, "doc.national_total") + " 0",
	} {
		if !strings.Contains(all, flat(s)) {
			t.Errorf("lacks %q", s)
		}
	}
}

// TestErrors: what cannot be dated cannot be rendered reproducibly.
func TestErrors(t *testing.T) {
	var buf bytes.Buffer
	if err := Report(&buf, &report.Report{Period: "2026Q1", GeneratedAt: "yesterday"}, i18n.KK); err == nil {
		t.Error("a report with no valid generated_at rendered")
	}
	if err := Report(&buf, nil, i18n.KK); err == nil {
		t.Error("a nil report rendered")
	}
	if err := Letter(&buf, &monitor.Letter{Number: "1/2026"}, i18n.KK); err == nil {
		t.Error("a letter with no date rendered")
	}
	if err := Letter(&buf, nil, i18n.KK); err == nil {
		t.Error("a nil letter rendered")
	}
	if buf.Len() != 0 {
		t.Errorf("%d bytes written on error", buf.Len())
	}
}

// TestDeterministic: the same report or letter gives the same bytes,
// rendered again in this process and in another one, dated from the data.
func TestDeterministic(t *testing.T) {
	fx := testFixture(t)
	for _, lang := range i18n.Langs {
		a := renderReport(t, lang)
		var b bytes.Buffer
		if err := Report(&b, fx.report, lang); err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(a, b.Bytes()) {
			t.Errorf("%s: two renderings of the report differ", lang)
		}
	}
	if !bytes.Contains(renderReport(t, i18n.KK), []byte("/CreationDate (D:20260710063000")) {
		t.Error("the report is not dated by its generated_at")
	}
	var l1, l2 bytes.Buffer
	if err := Letter(&l1, fx.letter, i18n.KK); err != nil {
		t.Fatal(err)
	}
	if err := Letter(&l2, fx.letter, i18n.KK); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(l1.Bytes(), l2.Bytes()) {
		t.Error("two renderings of the letter differ")
	}

	// Another process has other map seeds and addresses: run this test
	// binary again to render the same documents.
	if testing.Short() {
		return
	}
	dir := t.TempDir()
	cmd := exec.Command(os.Args[0], "-test.run=^TestRenderChild$")
	cmd.Env = append(os.Environ(), "ESEP_PDF_CHILD_DIR="+dir)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("child: %v\n%s", err, out)
	}
	for name, want := range map[string][]byte{"report.pdf": renderReport(t, i18n.KK), "letter.pdf": l1.Bytes()} {
		got, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, want) {
			t.Errorf("%s differs between processes", name)
		}
	}
}

// TestRenderChild renders the fixture into ESEP_PDF_CHILD_DIR for
// TestDeterministic; on its own it does nothing.
func TestRenderChild(t *testing.T) {
	dir := os.Getenv("ESEP_PDF_CHILD_DIR")
	if dir == "" {
		t.Skip("run by TestDeterministic")
	}
	fx := testFixture(t)
	var r, l bytes.Buffer
	if err := Report(&r, fx.report, i18n.KK); err != nil {
		t.Fatal(err)
	}
	if err := Letter(&l, fx.letter, i18n.KK); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "report.pdf"), r.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "letter.pdf"), l.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
}
