// Package pdf renders the documents that go out on paper: the Annex 3
// report on monitoring of service support (clauses 12-14 of the
// methodology) and the notification letter to the operator (clause 8).
//
// The documents are A4 portrait, set in the embedded DejaVu Sans, which has
// every letter of the Kazakh alphabet (Ә Ғ Қ Ң Ө Ұ Ү Һ І), so the text both
// prints and can be copied or searched in any PDF reader. Every label comes
// from the i18n catalogs: the same document renders in Kazakh, Russian or
// English.
//
// Rendering is deterministic: the same input gives the same bytes. A report
// that has been sent is frozen and re-rendered from its snapshot, and a
// second copy must be the same file as the first. So the document dates
// come from the data (never the clock), the PDF catalogs are sorted, nothing
// is random, and no map iteration decides an order.
package pdf

import (
	_ "embed"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode"
	"unicode/utf8"

	"codeberg.org/go-pdf/fpdf"
	"golang.org/x/image/font/sfnt"

	"esep/internal/i18n"
	"esep/internal/kz"
)

// The fonts are embedded so that a PDF renders the same on any machine,
// with no font lookup on the host (DejaVu's licence is beside them).
var (
	//go:embed fonts/DejaVuSans.ttf
	fontRegular []byte
	//go:embed fonts/DejaVuSans-Bold.ttf
	fontBold []byte
)

// family is the name the documents give the embedded font.
const family = "DejaVu"

// Page geometry, in millimetres. The wider left margin leaves room for
// binding: the report is filed on paper (clause 13).
const (
	marginLeft   = 25.0
	marginRight  = 15.0
	marginTop    = 20.0
	marginBottom = 20.0
	pageWidth    = 210.0
	pageHeight   = 297.0
	bodyWidth    = pageWidth - marginLeft - marginRight
)

// Font sizes, in points.
const (
	sizeBody  = 10.0
	sizeTable = 8.5
	sizeSmall = 8.0
)

// kzZone is Kazakhstan's single time zone (UTC+5), in which the documents
// show times, as the monitoring cycle reads dates in it. It is a fixed zone
// rather than a tz database lookup, so the output never depends on the
// host's zone files.
var kzZone = kz.Zone

// doc is one document being drawn: the fpdf document and the language.
type doc struct {
	f    *fpdf.Fpdf
	lang i18n.Lang
}

// newDoc starts an A4 portrait document dated created, with the embedded
// fonts and a footer that numbers the pages (from page firstNumbered on).
func newDoc(lang i18n.Lang, created time.Time, title string, firstNumbered int) *doc {
	f := fpdf.NewCustom(&fpdf.InitType{OrientationStr: "P", UnitStr: "mm", SizeStr: "A4"})
	d := &doc{f: f, lang: lang}
	f.SetMargins(marginLeft, marginTop, marginRight)
	f.SetAutoPageBreak(true, marginBottom)
	f.AddUTF8FontFromBytes(family, "", fontRegular)
	f.AddUTF8FontFromBytes(family, "B", fontBold)
	// Determinism: sorted catalogs and dates from the data, not the clock
	// (fpdf would otherwise stamp time.Now into the file).
	f.SetCatalogSort(true)
	f.SetCreationDate(created)
	f.SetModificationDate(created)
	f.SetTitle(clean(title), true)
	f.SetLang(string(lang))
	f.SetCreator("esep", false)
	f.SetProducer("esep", false)
	// {nb} is replaced by the page count when the document is closed.
	f.AliasNbPages("{nb}")
	f.SetFooterFunc(func() {
		if f.PageNo() < firstNumbered {
			return
		}
		f.SetY(-marginBottom + 6)
		d.font(false, sizeSmall)
		f.SetTextColor(90, 90, 90)
		f.CellFormat(0, 5, d.t("doc.page", "page", f.PageNo(), "pages", "{nb}"), "", 0, "C", false, 0, "")
		f.SetTextColor(0, 0, 0)
	})
	d.font(false, sizeBody)
	return d
}

// t is a label in the document's language, cleaned for the font.
func (d *doc) t(key string, params ...any) string {
	return clean(i18n.T(d.lang, key, params...))
}

// font selects the regular or bold face at size points.
func (d *doc) font(bold bool, size float64) {
	style := ""
	if bold {
		style = "B"
	}
	d.f.SetFont(family, style, size)
}

// lineHeight is the distance between lines of text of size points, in mm.
func lineHeight(size float64) float64 { return size * 0.3528 * 1.35 }

// para writes a paragraph of text across the body width, wrapping it; text
// that does not fit on the page goes on to the next.
func (d *doc) para(text string, bold bool, size float64, align string) {
	d.font(bold, size)
	d.f.SetX(marginLeft)
	d.f.MultiCell(bodyWidth, lineHeight(size), clean(text), "", align, false)
}

// space moves down by mm, unless that is the top of a page.
func (d *doc) space(mm float64) {
	if d.f.GetY() > marginTop+0.1 {
		d.f.Ln(mm)
	}
}

// room starts a new page unless mm of height is left on this one: a
// heading is never left alone at the foot of a page.
func (d *doc) room(mm float64) {
	if d.f.GetY()+mm > pageHeight-marginBottom {
		d.f.AddPage()
	}
}

// bottom is the lowest y that content may reach.
func bottom() float64 { return pageHeight - marginBottom }

// glyphs tells whether both embedded faces have a glyph for a rune. Data
// from registers can hold any character; one the font lacks would print as
// an empty box and extract as garbage, and fpdf fails on some of them.
var glyphs = sync.OnceValue(func() func(rune) bool {
	var faces []*sfnt.Font
	for _, b := range [][]byte{fontRegular, fontBold} {
		f, err := sfnt.Parse(b)
		if err != nil {
			panic(fmt.Errorf("pdf: embedded font: %w", err)) // a build defect
		}
		faces = append(faces, f)
	}
	var mu sync.Mutex
	var buf sfnt.Buffer
	known := map[rune]bool{}
	return func(r rune) bool {
		mu.Lock()
		defer mu.Unlock()
		if ok, seen := known[r]; seen {
			return ok
		}
		ok := true
		for _, f := range faces {
			if g, err := f.GlyphIndex(&buf, r); err != nil || g == 0 {
				ok = false
			}
		}
		known[r] = ok
		return ok
	}
})

// clean makes text safe for the font: control characters other than a line
// break become spaces, and a character the font does not have becomes a
// question mark, which reads plainly on paper.
func clean(s string) string {
	ok := true
	for _, r := range s {
		if r == utf8.RuneError || (r != '\n' && unicode.IsControl(r)) || (r > 0x7e && !glyphs()(r)) {
			ok = false
			break
		}
	}
	if ok {
		return s
	}
	var b strings.Builder
	for _, r := range s {
		switch {
		case r == '\n':
			b.WriteRune(r)
		case unicode.IsControl(r):
			b.WriteByte(' ')
		case r == utf8.RuneError || (r > 0x7e && !glyphs()(r)):
			b.WriteByte('?')
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// groupSep separates thousands: a narrow no-break space, the usual
// grouping in Kazakh and Russian and accepted in English (SI), so one rule
// serves all three languages and a number never breaks across lines.
const groupSep = "\u202f"

// num formats a count with thousands grouped: 12345 → "12 345" (with a
// narrow no-break space). Tests use it to find the model's numbers in the
// text extracted from a PDF.
func num(n int) string {
	s := strconv.Itoa(n)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	var b strings.Builder
	if neg {
		b.WriteByte('-')
	}
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteString(groupSep)
		}
		b.WriteRune(c)
	}
	return b.String()
}

// percent formats a percentage with one decimal. The decimal point matches
// the conclusions, whose figures the report package writes with a point.
func percent(p float64) string { return strconv.FormatFloat(p, 'f', 1, 64) }

// dateText shows a YYYY-MM-DD date as DD.MM.YYYY, the civil form of the
// country (and of esep's holiday messages); anything else is shown as is.
func dateText(s string) string {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		return s
	}
	return t.Format("02.01.2006")
}

// monthText shows a register month YYYY-MM as MM.YYYY.
func monthText(s string) string {
	t, err := time.Parse("2006-01", s)
	if err != nil {
		return s
	}
	return t.Format("01.2006")
}

// timeText shows an RFC 3339 instant as a date and time in Kazakhstan.
func timeText(s string) string {
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return s
	}
	return t.In(kzZone).Format("02.01.2006 15:04")
}

// parseDate reads the date a document carries as its PDF creation date:
// an RFC 3339 instant or a YYYY-MM-DD day (midnight UTC).
func parseDate(s string) (time.Time, error) {
	if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
		return t.UTC(), nil
	}
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		return time.Time{}, fmt.Errorf("date %q: want RFC 3339 or YYYY-MM-DD", s)
	}
	return t, nil
}
