package pdf

import (
	"cmp"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"

	"esep/internal/i18n"
	"esep/internal/monitor"
	"esep/internal/register"
)

// Letter writes the notification letter l (clause 8) in lang as a PDF to
// w: sender and addressee, number and date, the request to correct the
// register within 3 working days (clause 9) and its deadline, then the
// problems record by record, blocking ones first, and a summary.
//
// The same letter renders to the same bytes: the document is dated l.Date,
// which must be YYYY-MM-DD or RFC 3339 (an error says so otherwise).
// Errors also come from fpdf.
func Letter(w io.Writer, l *monitor.Letter, lang i18n.Lang) error {
	if l == nil {
		return errors.New("pdf letter: no letter")
	}
	created, err := parseDate(l.Date)
	if err != nil {
		return fmt.Errorf("pdf letter %s: date: %w", l.Number, err)
	}
	d := newDoc(lang, created, i18n.T(lang, "doc.letter.title")+" "+l.Number, 1)
	f := d.f
	f.AddPage()

	// Sender on the left, addressee on the right, as a letter is laid out.
	half := bodyWidth/2 - 4
	y := f.GetY()
	d.font(true, sizeBody)
	f.SetXY(marginLeft, y)
	f.MultiCell(half, lineHeight(sizeBody), d.t("doc.letter.from", "sender", clean(l.Sender)), "", "L", false)
	yLeft := f.GetY()
	d.font(false, sizeBody)
	f.SetXY(marginLeft+bodyWidth-half, y)
	f.MultiCell(half, lineHeight(sizeBody), d.t("doc.letter.to", "addressee", clean(l.Addressee)), "", "L", false)
	f.SetXY(marginLeft, max(yLeft, f.GetY()))
	f.Ln(6)
	d.para(d.t("doc.letter.number", "number", clean(l.Number), "date", dateText(l.Date)), false, sizeBody, "L")
	f.Ln(8)
	d.para(d.t("doc.letter.title"), true, 14, "C")
	f.Ln(5)

	received := timeText(l.RegisterReceivedAt)
	if l.RegisterReceivedAt == "" {
		received = "—"
	}
	d.para(d.t("doc.letter.body", "month", monthText(l.Month), "received", received), false, sizeBody, "L")
	f.Ln(3)
	deadline := d.t("doc.letter.deadline_pending")
	if l.CorrectionDue != "" {
		deadline = d.t("doc.letter.deadline", "date", dateText(l.CorrectionDue))
	}
	d.para(deadline, true, sizeBody, "L")

	items := sortedItems(l.Items)
	blocking, warnings := 0, 0
	records := map[string]bool{}
	for _, it := range items {
		if it.Severity == register.Blocking {
			blocking++
		} else {
			warnings++
		}
		records[it.RecordID] = true
	}
	if blocking > 0 {
		f.Ln(2)
		d.para(d.t("doc.letter.blocking_note"), false, sizeBody, "L")
	}
	f.Ln(5)
	if len(items) == 0 {
		d.para(d.t("doc.none"), false, sizeBody, "L")
	} else {
		type cells = [5]string
		rows := make([]cells, len(items))
		for i, it := range items {
			row := ""
			if it.Row > 0 {
				row = strconv.Itoa(it.Row)
			}
			rows[i] = cells{row, it.RecordID, it.Column, it.Message(lang), d.t("severity." + string(it.Severity))}
		}
		// The short columns are as wide as their longest value (within
		// limits), so record IDs and column names stay on one line; the
		// problem, which is prose, takes the rest and wraps.
		width := func(col int, title string, least, most float64) float64 {
			w := least
			d.font(true, sizeTable)
			for _, word := range strings.Fields(title) {
				w = max(w, d.f.GetStringWidth(word)+2*padH+0.5)
			}
			d.font(false, sizeTable)
			for _, r := range rows {
				w = max(w, d.f.GetStringWidth(clean(r[col]))+2*padH+0.5)
			}
			return min(w, most)
		}
		cols := []column{
			{d.t("doc.col.row"), 0, "R"},
			{d.t("doc.col.record_id"), 0, "L"},
			{d.t("doc.col.column"), 0, "L"},
			{d.t("doc.col.problem"), 0, "L"},
			{d.t("doc.col.severity"), 0, "L"},
		}
		for i, limits := range [][2]float64{{10, 16}, {18, 38}, {18, 36}, {}, {16, 34}} {
			if i != 3 {
				cols[i].width = width(i, cols[i].title, limits[0], limits[1])
			}
		}
		cols[3].width = bodyWidth - cols[0].width - cols[1].width - cols[2].width - cols[4].width
		t := d.newTableMM(cols)
		for _, r := range rows {
			t.row(r[:], rowStyle{})
		}
	}
	f.Ln(4)
	d.para(d.t("doc.letter.summary", "records", num(len(records)), "blocking", num(blocking), "warnings", num(warnings)), false, sizeBody, "L")

	// The signature block stays whole at the foot of the letter.
	d.room(30)
	f.Ln(14)
	y = f.GetY()
	d.font(true, sizeBody)
	f.SetXY(marginLeft, y)
	f.CellFormat(bodyWidth/2, lineHeight(sizeBody), d.t("doc.letter.signature"), "", 0, "L", false, 0, "")
	f.Line(marginLeft+bodyWidth-60, y+lineHeight(sizeBody), marginLeft+bodyWidth, y+lineHeight(sizeBody))

	if err := f.Error(); err != nil {
		return fmt.Errorf("pdf letter %s: %w", l.Number, err)
	}
	if err := f.Output(w); err != nil {
		return fmt.Errorf("pdf letter %s: %w", l.Number, err)
	}
	return nil
}

// sortedItems orders a letter's problems for the reader: blocking ones
// first (they decide whether a record counts), then by row and rule, then
// by the rest of the finding, so the order never depends on how the items
// were collected.
func sortedItems(items []monitor.LetterItem) []monitor.LetterItem {
	out := slices.Clone(items)
	rank := func(s register.Severity) int {
		if s == register.Blocking {
			return 0
		}
		return 1
	}
	slices.SortStableFunc(out, func(a, b monitor.LetterItem) int {
		return cmp.Or(
			cmp.Compare(rank(a.Severity), rank(b.Severity)),
			cmp.Compare(a.Row, b.Row),
			cmp.Compare(a.Rule, b.Rule),
			cmp.Compare(a.RecordID, b.RecordID),
			cmp.Compare(a.Column, b.Column),
			cmp.Compare(a.Value, b.Value),
			cmp.Compare(a.Detail, b.Detail),
		)
	})
	return out
}
