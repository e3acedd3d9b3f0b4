package pdf

import (
	"strings"
)

// column is one column of a table: its heading, its share of the body
// width, and how its cells are aligned ("L" or "R").
type column struct {
	title string
	width float64
	align string
}

// table draws a ruled table row by row. A cell's text wraps within its
// column and a row is as tall as its tallest cell. A row that does not fit
// goes to the next page, which starts with the column headings again (and,
// in a grouped table, the group's name), so every page can be read alone.
type table struct {
	d      *doc
	cols   []column
	size   float64
	header bool
	// group is the name of the group the last row belonged to: it is shown
	// on the group's first row and again at the top of a page.
	group string
	// rowsOnPage counts the body rows drawn on the current page.
	rowsOnPage int
}

// rowStyle says how a row is drawn.
type rowStyle struct {
	bold  bool
	fill  bool   // shaded, for totals
	group string // the group the row belongs to, shown in its first cell
}

// Cell padding, in mm.
const (
	padV = 1.0
	padH = 1.2
)

// newTable starts a table whose columns share the body width in proportion
// to their widths, and draws its headings (unless every title is empty).
func (d *doc) newTable(cols []column) *table {
	total := 0.0
	for _, c := range cols {
		total += c.width
	}
	scaled := make([]column, len(cols))
	header := false
	for i, c := range cols {
		c.width = c.width / total * bodyWidth
		if c.align == "" {
			c.align = "L"
		}
		scaled[i] = c
		header = header || c.title != ""
	}
	t := &table{d: d, cols: scaled, size: sizeTable, header: header}
	if header {
		titles := make([]string, len(cols))
		for i, c := range scaled {
			titles[i] = c.title
		}
		_, h := t.measure(titles, true)
		// Headings with no row under them are useless: keep them with at
		// least two rows.
		d.room(h + 2*(lineHeight(t.size)+2*padV))
		t.drawHeader()
	}
	return t
}

// lineH is the height of one line of text in a cell.
func (t *table) lineH() float64 { return lineHeight(t.size) }

// measure splits the cells into lines and gives the row's height.
func (t *table) measure(cells []string, bold bool) ([][]string, float64) {
	t.d.font(bold, t.size)
	lines := make([][]string, len(t.cols))
	most := 1
	for i := range t.cols {
		text := ""
		if i < len(cells) {
			text = clean(cells[i])
		}
		var ls []string
		for _, part := range strings.Split(text, "\n") {
			split := t.d.f.SplitText(part, t.cols[i].width-2*padH+2*t.cMargin())
			if len(split) == 0 {
				split = []string{""}
			}
			ls = append(ls, split...)
		}
		lines[i] = ls
		most = max(most, len(ls))
	}
	return lines, float64(most)*t.lineH() + 2*padV
}

// cMargin is fpdf's own cell margin, which SplitText subtracts: the table
// pads cells itself, so it is added back.
func (t *table) cMargin() float64 { return t.d.f.GetCellMargin() }

// drawHeader draws the column headings, shaded and bold, centred.
func (t *table) drawHeader() {
	titles := make([]string, len(t.cols))
	for i, c := range t.cols {
		titles[i] = c.title
	}
	lines, h := t.measure(titles, true)
	t.draw(lines, h, rowStyle{bold: true, fill: true}, "C")
	t.rowsOnPage = 0
}

// row draws one row, first moving to a new page when it does not fit.
func (t *table) row(cells []string, st rowStyle) {
	cells = append([]string(nil), cells...)
	newGroup := st.group != "" && st.group != t.group
	if st.group != "" && (newGroup || t.rowsOnPage == 0) {
		cells[0] = st.group
	}
	lines, h := t.measure(cells, st.bold)
	// A row taller than a whole page is cut to fit it rather than running
	// off the page; only absurd input comes near this.
	maxH := bottom() - marginTop - 20
	if h > maxH {
		keep := int((maxH - 2*padV) / t.lineH())
		for i, ls := range lines {
			if len(ls) > keep {
				lines[i] = append(ls[:keep-1:keep-1], ls[keep-1]+" …")
			}
		}
		h = float64(keep)*t.lineH() + 2*padV
	}
	if t.d.f.GetY()+h > bottom() {
		t.d.f.AddPage()
		if t.header {
			t.drawHeader()
		}
		t.rowsOnPage = 0
		if st.group != "" && cells[0] == "" {
			cells[0] = st.group
			lines, h = t.measure(cells, st.bold)
		}
	}
	if newGroup && t.rowsOnPage > 0 {
		// A heavier rule between groups binds the rows of a region.
		y := t.d.f.GetY()
		t.d.f.SetLineWidth(0.5)
		t.d.f.Line(marginLeft, y, marginLeft+bodyWidth, y)
		t.d.f.SetLineWidth(0.2)
	}
	t.draw(lines, h, st, "")
	t.group = st.group
	t.rowsOnPage++
}

// draw draws a measured row at the current position; align "" keeps each
// column's own alignment.
func (t *table) draw(lines [][]string, h float64, st rowStyle, align string) {
	f := t.d.f
	y := f.GetY()
	x := marginLeft
	f.SetLineWidth(0.2)
	f.SetDrawColor(110, 110, 110)
	if st.fill {
		f.SetFillColor(232, 232, 232)
	}
	t.d.font(st.bold, t.size)
	for i, c := range t.cols {
		style := "D"
		if st.fill {
			style = "FD"
		}
		f.Rect(x, y, c.width, h, style)
		a := c.align
		if align != "" {
			a = align
		}
		for j, line := range lines[i] {
			f.SetXY(x+padH-t.cMargin(), y+padV+float64(j)*t.lineH())
			f.CellFormat(c.width-2*padH+2*t.cMargin(), t.lineH(), line, "", 0, a, false, 0, "")
		}
		x += c.width
	}
	f.SetDrawColor(0, 0, 0)
	f.SetXY(marginLeft, y+h)
}
