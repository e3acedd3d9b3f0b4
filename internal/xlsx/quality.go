package xlsx

import (
	"github.com/xuri/excelize/v2"

	"esep/internal/report"
)

// SheetQuality is the sheet of section 3, the quality audit.
const SheetQuality = "quality"

// qualityStyles are the number formats the quality sheet needs beyond the
// workbook's own: a mean rating with two decimals, in a plain and a total
// row. They are made when the sheet is written, always at the same point
// of the workbook, so the style IDs and the bytes stay the same.
type qualityStyles struct {
	mean [2]int
}

func (b *book) qualityStyles() (qualityStyles, error) {
	var qs qualityStyles
	format := "0.00"
	for total := range 2 {
		base, err := b.f.GetStyle(b.st.cell[count][total])
		if err != nil {
			return qs, err
		}
		base.NumFmt, base.CustomNumFmt = 0, &format
		if qs.mean[total], err = b.f.NewStyle(base); err != nil {
			return qs, err
		}
	}
	return qs, nil
}

// quality writes section 3 on a sheet of its own: the blocks of
// report.QualityLayout one under the other, each a caption, its
// paragraphs, a header and its rows. Every figure is a number: a share is
// a percentage (0.0), a mean rating has two decimals, and an interval is
// two columns, its lower and its upper end. A figure that rests on too few
// answers has the mark in the flag column. Without survey data the sheet
// says so and has no figure.
func (b *book) quality(r *report.Report) error {
	qs, err := b.qualityStyles()
	if err != nil {
		return err
	}
	widths := []float64{46}
	for range 16 {
		widths = append(widths, 13)
	}
	s, err := b.sheet(SheetQuality, widths, 0, false)
	if err != nil {
		return err
	}
	s.add(excelize.Cell{StyleID: b.st.title, Value: b.t("doc.section.quality")})
	s.add(b.t("doc.quality.criteria"))
	for _, blk := range report.QualityLayout(r.Quality, b.lang) {
		s.skip()
		switch {
		case blk.Heading:
			s.add(excelize.Cell{StyleID: b.st.heading, Value: blk.Title})
		case blk.Title != "":
			s.add(excelize.Cell{StyleID: b.st.label, Value: blk.Title})
		}
		for _, p := range blk.Paras {
			if blk.Strong {
				s.add(excelize.Cell{StyleID: b.st.label, Value: p})
				continue
			}
			s.add(p)
		}
		if len(blk.Cols) > 0 {
			var header []any
			for _, c := range blk.Cols {
				for _, h := range b.qualityHeaders(c) {
					header = append(header, excelize.Cell{StyleID: b.st.header, Value: h})
				}
			}
			s.add(header...)
		}
		for _, row := range blk.Rows {
			total := 0
			if row.Total {
				total = 1
			}
			var cells []any
			for i, c := range row.Cells {
				cells = append(cells, b.qualityCells(blk.Cols[i].Kind, c, total, qs)...)
			}
			s.add(cells...)
		}
		for _, n := range blk.Notes {
			s.add(n)
		}
	}
	return s.flush()
}

// qualityHeaders are the headers a column of the layout takes in the
// workbook: an interval takes two columns, a mean with its interval three.
func (b *book) qualityHeaders(c report.Column) []string {
	lo, hi := b.t("doc.quality.col.lo"), b.t("doc.quality.col.hi")
	switch c.Kind {
	case report.CellMeanCI, report.CellPercentCI:
		return []string{lo, hi}
	case report.CellMeanWithCI:
		return []string{c.Title + ": " + b.t("doc.quality.col.mean"), c.Title + ": " + lo, c.Title + ": " + hi}
	}
	return []string{c.Title}
}

// qualityCells are the workbook cells of a layout cell of kind k, as
// numbers; an undefined figure is left empty.
func (b *book) qualityCells(k report.CellKind, c report.Cell, total int, qs qualityStyles) []any {
	label := excelize.Cell{StyleID: b.st.cell[text][total], Value: c.Text}
	num := func(style int, v float64) excelize.Cell {
		if c.Undefined {
			return excelize.Cell{StyleID: style}
		}
		return excelize.Cell{StyleID: style, Value: v}
	}
	mean, pct, cnt := qs.mean[total], b.st.cell[percent][total], b.st.cell[count][total]
	switch k {
	case report.CellCount:
		return []any{excelize.Cell{StyleID: cnt, Value: int(c.Value)}}
	case report.CellMean:
		return []any{num(mean, c.Value)}
	case report.CellPercent:
		return []any{num(pct, 100*c.Value)}
	case report.CellMeanCI:
		return []any{num(mean, c.Lo), num(mean, c.Hi)}
	case report.CellPercentCI:
		return []any{num(pct, 100*c.Lo), num(pct, 100*c.Hi)}
	case report.CellMeanWithCI:
		return []any{num(mean, c.Value), num(mean, c.Lo), num(mean, c.Hi)}
	}
	return []any{label}
}
