package pdf

import (
	"esep/internal/report"
)

// quality is section 3, the quality audit: the criteria, then the blocks
// report.QualityLayout gives (a subsection heading, a caption, paragraphs,
// a table and its small print each). Without survey data the layout is the
// one sentence saying so, and the section shows no figure.
func (rr *reportDoc) quality() {
	rr.para(rr.tr("doc.quality.criteria"), false, sizeBody, "L")
	rr.f.Ln(3)
	for _, b := range report.QualityLayout(rr.r.Quality, rr.lang) {
		rr.qualityBlock(b)
	}
}

func (rr *reportDoc) qualityBlock(b report.Block) {
	switch {
	case b.Heading:
		rr.space(4)
		rr.room(30)
		rr.para(clean(b.Title), true, 11, "L")
		rr.f.Ln(2)
	case b.Title != "":
		rr.space(3)
		rr.caption(clean(b.Title))
	}
	for _, p := range b.Paras {
		rr.para(clean(p), b.Strong, sizeBody, "L")
		rr.f.Ln(1.5)
	}
	if len(b.Cols) > 0 {
		cols := make([]column, len(b.Cols))
		for i, c := range b.Cols {
			align := "R"
			if c.Kind == report.CellText {
				align = "L"
			}
			if c.Kind == report.CellFlag {
				align = "C"
			}
			cols[i] = column{c.Title, c.Width, align}
		}
		t := rr.newTable(cols)
		for _, row := range b.Rows {
			cells := make([]string, len(row.Cells))
			for i, c := range row.Cells {
				cells[i] = c.Text
				if c.Sub != "" {
					cells[i] += "\n" + c.Sub
				}
			}
			t.row(cells, rowStyle{bold: row.Total, fill: row.Total})
		}
	}
	for _, n := range b.Notes {
		rr.f.Ln(1)
		rr.para(clean(n), false, sizeSmall, "L")
	}
}
