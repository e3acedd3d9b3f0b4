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
	d    *doc
	cols []column
	size float64
	// headSize is the size of the headings, smaller than the body's when
	// a word of a heading would not fit its column otherwise.
	headSize float64
	header   bool
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
	for i, c := range cols {
		c.width = c.width / total * bodyWidth
		scaled[i] = c
	}
	return d.newTableMM(scaled)
}

// newTableMM starts a table whose column widths are in mm, and draws its
// headings (unless every title is empty).
func (d *doc) newTableMM(cols []column) *table {
	cols = append([]column(nil), cols...)
	header := false
	for i := range cols {
		if cols[i].align == "" {
			cols[i].align = "L"
		}
		header = header || cols[i].title != ""
	}
	t := &table{d: d, cols: cols, size: sizeTable, headSize: sizeTable, header: header}
	if header {
		t.fitHeader()
		titles := make([]string, len(cols))
		for i, c := range cols {
			titles[i] = c.title
		}
		_, h := t.measure(titles, true, t.headSize)
		// Headings with no row under them are useless: keep them with at
		// least two rows.
		d.room(h + 2*(lineHeight(t.size)+2*padV))
		t.drawHeader()
	}
	return t
}

// fitHeader shrinks the headings until their longest words fit their
// columns: a word broken in the middle is harder to read than small type.
func (t *table) fitHeader() {
	const smallest = 7.0
	for t.headSize > smallest {
		t.d.font(true, t.headSize)
		fits := true
		for _, c := range t.cols {
			for _, word := range strings.Fields(clean(c.title)) {
				if t.d.f.GetStringWidth(word) > c.width-2*padH {
					fits = false
				}
			}
		}
		if fits {
			return
		}
		t.headSize -= 0.5
	}
}

// measure splits the cells into lines in the font of size points and
// gives the row's height.
func (t *table) measure(cells []string, bold bool, size float64) ([][]string, float64) {
	t.d.font(bold, size)
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
	return lines, float64(most)*lineHeight(size) + 2*padV
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
	lines, h := t.measure(titles, true, t.headSize)
	t.draw(lines, h, rowStyle{bold: true, fill: true}, "C", t.headSize)
	t.rowsOnPage = 0
}

// row draws one row, first moving to a new page when it does not fit.
func (t *table) row(cells []string, st rowStyle) {
	cells = append([]string(nil), cells...)
	newGroup := st.group != "" && st.group != t.group
	if st.group != "" && (newGroup || t.rowsOnPage == 0) {
		cells[0] = st.group
	}
	lines, h := t.measure(cells, st.bold, t.size)
	// A row taller than a whole page is cut to fit it rather than running
	// off the page; only absurd input comes near this.
	maxH := bottom() - marginTop - 20
	if h > maxH {
		keep := int((maxH - 2*padV) / lineHeight(t.size))
		for i, ls := range lines {
			if len(ls) > keep {
				lines[i] = append(ls[:keep-1:keep-1], ls[keep-1]+" …")
			}
		}
		h = float64(keep)*lineHeight(t.size) + 2*padV
	}
	if t.d.f.GetY()+h > bottom() {
		t.d.f.AddPage()
		if t.header {
			t.drawHeader()
		}
		t.rowsOnPage = 0
		if st.group != "" && cells[0] == "" {
			cells[0] = st.group
			lines, h = t.measure(cells, st.bold, t.size)
		}
	}
	if newGroup && t.rowsOnPage > 0 {
		// A heavier rule between groups binds the rows of a region.
		y := t.d.f.GetY()
		t.d.f.SetLineWidth(0.5)
		t.d.f.Line(marginLeft, y, marginLeft+bodyWidth, y)
		t.d.f.SetLineWidth(0.2)
	}
	t.draw(lines, h, st, "", t.size)
	t.group = st.group
	t.rowsOnPage++
}

// draw draws a measured row at the current position in the font of size
// points; align "" keeps each column's own alignment.
func (t *table) draw(lines [][]string, h float64, st rowStyle, align string, size float64) {
	lh := lineHeight(size)
	f := t.d.f
	y := f.GetY()
	x := marginLeft
	f.SetLineWidth(0.2)
	f.SetDrawColor(110, 110, 110)
	if st.fill {
		f.SetFillColor(232, 232, 232)
	}
	t.d.font(st.bold, size)
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
			f.SetXY(x+padH-t.cMargin(), y+padV+float64(j)*lh)
			f.CellFormat(c.width-2*padH+2*t.cMargin(), lh, line, "", 0, a, false, 0, "")
		}
		x += c.width
	}
	f.SetDrawColor(0, 0, 0)
	f.SetXY(marginLeft, y+h)
}
