// Package xlsx renders the Annex 3 report and the notification letter as
// Excel workbooks (Office Open XML), in Kazakh, Russian or English.
//
// The workbooks are for people who work on the figures in a spreadsheet, so
// every count is a numeric cell (it sums, sorts and charts), every code is a
// text cell (a KATO code such as 710000000 keeps its digits and never turns
// into 7.1E+08), and each table has its code columns next to the names, so a
// sheet can be matched with the JSON of spec §4 column by column.
//
// Sheet names are stable ASCII codes (SheetSummary, SheetClientsByRegion,
// ...), the same in every language: they are at most 31 characters, valid in
// every spreadsheet program, and a script that reads the workbook finds its
// sheet whatever language the reader chose. The localized title of each
// table is on the first row of its sheet and in the contents on the summary
// sheet.
//
// Rendering is deterministic: the same report gives the same bytes, which is
// what a sent report needs, as it is frozen and re-rendered from its
// snapshot. See deterministicZip for what that takes with excelize. The
// promise holds for one build of esep: another excelize version may write
// different XML, and another Go release may compress it differently, so
// the cells stay the same across upgrades but the bytes need not.
//
// Labels are the catalog's doc.*, report.* and code-name keys; the few the
// workbooks alone need are the xlsx.* keys of locales/*/xlsx.json.
package xlsx

import (
	"archive/zip"
	"bytes"
	"fmt"
	"io"
	"io/fs"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"

	"esep/internal/i18n"
)

// kind is what a column holds; it decides the cell's type and format.
type kind int

const (
	text    kind = iota // words in the reader's language
	code                // an identifier kept as text: KATO, OKED letter, record_id, dates
	count               // an integer shown with thousands grouping
	number              // an integer shown as it is: a row number, an ordinal
	percent             // a number with one decimal (already ×100)
	nKinds
)

// styles are the style IDs of one workbook. excelize numbers styles in the
// order they are made, so making them in a fixed order keeps the bytes
// stable.
type styles struct {
	title, heading, header, label, link, plainCount int
	cell                                            [nKinds][2]int // [kind][total row]
}

func newStyles(f *excelize.File) (styles, error) {
	var st styles
	border := func(color string) []excelize.Border {
		var b []excelize.Border
		for _, side := range []string{"left", "top", "right", "bottom"} {
			b = append(b, excelize.Border{Type: side, Color: color, Style: 1})
		}
		return b
	}
	pct := "0.0"
	var err error
	add := func(dst *int, s *excelize.Style) {
		if err == nil {
			*dst, err = f.NewStyle(s)
		}
	}
	add(&st.title, &excelize.Style{Font: &excelize.Font{Bold: true, Size: 14}})
	add(&st.heading, &excelize.Style{Font: &excelize.Font{Bold: true, Size: 12}})
	add(&st.header, &excelize.Style{
		Font:      &excelize.Font{Bold: true},
		Fill:      excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"DDEBF7"}},
		Border:    border("808080"),
		Alignment: &excelize.Alignment{WrapText: true, Vertical: "center", Horizontal: "center"},
	})
	add(&st.label, &excelize.Style{Font: &excelize.Font{Bold: true}})
	add(&st.link, &excelize.Style{Font: &excelize.Font{Color: "0563C1", Underline: "single"}})
	add(&st.plainCount, &excelize.Style{NumFmt: 3})
	for total := range 2 {
		base := func() *excelize.Style {
			s := &excelize.Style{Border: border("BFBFBF")}
			if total == 1 {
				// The nationwide rows stand out: they are not the sums of
				// the rows above them (spec §4), and a reader must not
				// take them for a subtotal of the same kind.
				s.Font = &excelize.Font{Bold: true}
				s.Fill = excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"F2F2F2"}}
			}
			return s
		}
		s := base()
		add(&st.cell[text][total], s)
		s = base()
		s.NumFmt = 49 // "@": the cell stays text if someone edits it
		add(&st.cell[code][total], s)
		s = base()
		s.NumFmt = 3 // #,##0
		add(&st.cell[count][total], s)
		s = base()
		s.NumFmt = 1 // 0
		add(&st.cell[number][total], s)
		s = base()
		s.CustomNumFmt = &pct
		add(&st.cell[percent][total], s)
	}
	return st, err
}

// book is a workbook being written: its sheets are streamed one after the
// other, each flushed before the next starts.
type book struct {
	f      *excelize.File
	lang   i18n.Lang
	st     styles
	sheets int
}

func newBook(lang i18n.Lang) (*book, error) {
	if !slices.Contains(i18n.Langs, lang) {
		return nil, fmt.Errorf("xlsx: language %q is not supported", lang)
	}
	f := excelize.NewFile()
	st, err := newStyles(f)
	if err != nil {
		_ = f.Close()
		return nil, fmt.Errorf("xlsx: styles: %w", err)
	}
	return &book{f: f, lang: lang, st: st}, nil
}

func (b *book) close() { _ = b.f.Close() } // removes the stream writers' temporary files

func (b *book) t(key string, params ...any) string { return i18n.T(b.lang, key, params...) }

// sheetWriter streams the rows of one sheet, numbering them. Like a
// bufio.Writer it keeps the first error and ignores what follows, so that a
// sheet is written as straight-line code and the error is read at flush.
type sheetWriter struct {
	name string
	sw   *excelize.StreamWriter
	row  int
	err  error
}

// sheet starts a sheet with its column widths and, when freeze > 0, the
// first freeze rows frozen. When fit is set, the sheet prints one page
// wide: right for a table, wrong for a sheet of long lines that run over
// the empty cells beside them (the whole line would be shrunk to fit). The
// workbook's first sheet is the template's Sheet1 renamed: deleting it
// instead would leave a gap in the sheet IDs.
func (b *book) sheet(name string, widths []float64, freeze int, fit bool) (*sheetWriter, error) {
	var err error
	if b.sheets == 0 {
		err = b.f.SetSheetName(b.f.GetSheetName(0), name)
	} else {
		_, err = b.f.NewSheet(name)
	}
	if err != nil {
		return nil, fmt.Errorf("xlsx: sheet %s: %w", name, err)
	}
	b.sheets++
	// Printed, a sheet is on A4 and, when fit, as wide as the page and as
	// long as it needs. These settings live in parts of the worksheet that
	// the stream writer copies as they are, so they are made before it
	// starts.
	a4, wide, tall := 9, 1, 0
	layout := &excelize.PageLayoutOptions{Size: &a4}
	if fit {
		if err := b.f.SetSheetProps(name, &excelize.SheetPropsOptions{FitToPage: &fit}); err != nil {
			return nil, fmt.Errorf("xlsx: sheet %s: %w", name, err)
		}
		layout.FitToWidth, layout.FitToHeight = &wide, &tall
	}
	if err := b.f.SetPageLayout(name, layout); err != nil {
		return nil, fmt.Errorf("xlsx: sheet %s: %w", name, err)
	}
	sw, err := b.f.NewStreamWriter(name)
	if err != nil {
		return nil, fmt.Errorf("xlsx: sheet %s: %w", name, err)
	}
	// The stream writer takes widths and panes only before the first row.
	for i, w := range widths {
		if err := sw.SetColWidth(i+1, i+1, w); err != nil {
			return nil, fmt.Errorf("xlsx: sheet %s: %w", name, err)
		}
	}
	if freeze > 0 {
		top := "A" + strconv.Itoa(freeze+1)
		err := sw.SetPanes(&excelize.Panes{Freeze: true, YSplit: freeze, TopLeftCell: top, ActivePane: "bottomLeft",
			Selection: []excelize.Selection{{SQRef: top, ActiveCell: top, Pane: "bottomLeft"}}})
		if err != nil {
			return nil, fmt.Errorf("xlsx: sheet %s: %w", name, err)
		}
	}
	return &sheetWriter{name: name, sw: sw}, nil
}

// add writes the next row; nil cells are left empty.
func (s *sheetWriter) add(cells ...any) {
	s.row++
	if s.err == nil {
		if err := s.sw.SetRow("A"+strconv.Itoa(s.row), cells); err != nil {
			s.err = fmt.Errorf("xlsx: sheet %s row %d: %w", s.name, s.row, err)
		}
	}
}

// skip leaves a blank row.
func (s *sheetWriter) skip() { s.row++ }

// flush ends the sheet and reports the first error of its writing.
func (s *sheetWriter) flush() error {
	if s.err != nil {
		return s.err
	}
	if err := s.sw.Flush(); err != nil {
		return fmt.Errorf("xlsx: sheet %s: %w", s.name, err)
	}
	return nil
}

// column is one column of a table: its header and what it holds.
type column struct {
	header string
	kind   kind
}

// table is one table sheet: a title, a line that says what it covers, the
// header, the rows, and the nationwide rows in bold. Cells hold string
// (text and code columns), int (count and number) or float64 (percent).
type table struct {
	sheet  string
	title  string
	note   string
	cols   []column
	rows   [][]any
	totals [][]any
	// empty is shown under the header when the table has no rows at all,
	// so an empty annex reads "None." rather than looking unfinished.
	empty string
}

// The layout of a table sheet: title, note, header, then the rows.
const (
	headerRow = 3
	firstRow  = headerRow + 1
)

func (b *book) table(t *table) error {
	s, err := b.sheet(t.sheet, widths(t.cols, t.rows, t.totals), headerRow, true)
	if err != nil {
		return err
	}
	s.add(excelize.Cell{StyleID: b.st.title, Value: t.title})
	s.add(t.note)
	header := make([]any, len(t.cols))
	for i, c := range t.cols {
		header[i] = excelize.Cell{StyleID: b.st.header, Value: c.header}
	}
	s.add(header...)
	for total, rows := range [][][]any{t.rows, t.totals} {
		for _, r := range rows {
			cells := make([]any, len(r))
			for i, v := range r {
				cells[i] = excelize.Cell{StyleID: b.st.cell[t.cols[i].kind][total], Value: v}
			}
			s.add(cells...)
		}
	}
	if len(t.rows) == 0 && len(t.totals) == 0 && t.empty != "" {
		s.add(t.empty)
	}
	return s.flush()
}

// widths fits each column to its longest value, so that codes and numbers
// are never shown as ####. A header wraps, so only its longest word must
// fit. Long text is capped: it runs over the empty cells beside it.
func widths(cols []column, rowSets ...[][]any) []float64 {
	out := make([]float64, len(cols))
	for i, c := range cols {
		w := 0
		for word := range strings.FieldsSeq(c.header) {
			w = max(w, textWidth(word))
		}
		w = max(w, min(textWidth(c.header), 16))
		for _, rows := range rowSets {
			for _, r := range rows {
				if i < len(r) {
					w = max(w, displayLen(r[i]))
				}
			}
		}
		out[i] = float64(min(max(w+2, 8), 60))
	}
	return out
}

// displayLen is how wide a value is once formatted, in the unit of column
// widths: the width of a digit.
func displayLen(v any) int {
	switch v := v.(type) {
	case string:
		return textWidth(v)
	case int:
		n := len(strconv.Itoa(v))
		return n + (n-1)/3 // the thousands separators of #,##0
	case float64:
		return len(strconv.FormatFloat(v, 'f', 1, 64))
	}
	return 0
}

// textWidth is the width of a string in digit widths. A column's width is
// counted in digits, and letters are wider, Cyrillic and bold ones most:
// counted one for one, a region name in a bold national row is clipped.
func textWidth(s string) int { return (utf8.RuneCountInString(s)*6 + 4) / 5 } // ×1.2, rounded up

// write finishes the workbook: its properties, then the archive.
func (b *book) write(w io.Writer, props *excelize.DocProperties, modified time.Time) error {
	if err := b.f.SetDocProps(props); err != nil {
		return fmt.Errorf("xlsx: document properties: %w", err)
	}
	b.f.SetActiveSheet(0)
	b.f.SetZipWriter(func(w io.Writer) excelize.ZipWriter { return &deterministicZip{w: w, modified: modified} })
	if err := b.f.Write(w); err != nil {
		return fmt.Errorf("xlsx: write: %w", err)
	}
	return nil
}

// w3cdtf gives an RFC 3339 time as the document properties want it (UTC,
// seconds) and as a time for the archive's entries. A value that does not
// parse gives "", leaving excelize's fixed template date: still
// deterministic, just not informative.
func w3cdtf(ts string) (string, time.Time) {
	t, err := time.Parse(time.RFC3339, ts)
	if err != nil {
		return "", time.Time{}
	}
	t = t.UTC()
	return t.Format("2006-01-02T15:04:05Z"), t
}

// deterministicZip is the archive writer given to excelize. excelize v2.11.0
// writes the parts of stream-written sheets in the iteration order of a Go
// map (File.writeToZip ranges over f.streams), so two renders of the same
// report put the sheets in the archive in a different order and the bytes
// differ. This writer keeps each part in memory and writes them all on
// Close, sorted by name ("[Content_Types].xml" sorts first, as is
// customary), each stamped with one fixed time. The parts
// themselves excelize writes deterministically: styles are numbered in the
// order made, strings are inline (no shared-strings table), and the
// document properties are set from the data.
type deterministicZip struct {
	w        io.Writer
	modified time.Time
	names    []string
	parts    map[string]*bytes.Buffer
}

func (z *deterministicZip) Create(name string) (io.Writer, error) {
	if z.parts == nil {
		z.parts = map[string]*bytes.Buffer{}
	}
	if _, dup := z.parts[name]; dup {
		return nil, fmt.Errorf("xlsx: archive part %s written twice", name)
	}
	buf := new(bytes.Buffer)
	z.parts[name] = buf
	z.names = append(z.names, name)
	return buf, nil
}

// AddFS is part of excelize's ZipWriter interface; excelize does not call
// it when saving, but it is honoured all the same.
func (z *deterministicZip) AddFS(fsys fs.FS) error {
	return fs.WalkDir(fsys, ".", func(name string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := fs.ReadFile(fsys, name)
		if err != nil {
			return err
		}
		w, err := z.Create(name)
		if err != nil {
			return err
		}
		_, err = w.Write(b)
		return err
	})
}

func (z *deterministicZip) Close() error {
	slices.Sort(z.names)
	zw := zip.NewWriter(z.w)
	for _, name := range z.names {
		w, err := zw.CreateHeader(&zip.FileHeader{Name: name, Method: zip.Deflate, Modified: z.modified})
		if err != nil {
			return err
		}
		if _, err := z.parts[name].WriteTo(w); err != nil {
			return err
		}
	}
	return zw.Close()
}
