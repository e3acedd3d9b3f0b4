package xlsx

import (
	"cmp"
	"errors"
	"io"
	"slices"

	"github.com/xuri/excelize/v2"

	"esep/internal/i18n"
	"esep/internal/monitor"
	"esep/internal/register"
)

// Letter writes l as a workbook in lang: one sheet with the letter's
// particulars (number, date, sender, addressee, register month, when it
// was received, the correction deadline) and a table of its problems, one
// row per finding, blocking findings first and then warnings, each group
// in the letter's own order.
//
// It returns an error when l is nil, when lang is not one esep speaks, or
// when writing to w fails.
func Letter(w io.Writer, l *monitor.Letter, lang i18n.Lang) error {
	if l == nil {
		return errors.New("xlsx: no letter")
	}
	b, err := newBook(lang)
	if err != nil {
		return err
	}
	defer b.close()

	// A stable sort: the operator corrects the blocking findings first,
	// and within each group the letter's order (by row) is kept.
	items := slices.Clone(l.Items)
	slices.SortStableFunc(items, func(x, y monitor.LetterItem) int {
		return cmp.Compare(severityRank(x.Severity), severityRank(y.Severity))
	})
	cols := []column{
		{b.t("doc.col.row"), number}, {b.t("doc.col.record_id"), code}, {b.t("doc.col.column"), code},
		{b.t("doc.col.severity"), text}, {b.t("xlsx.col.rule"), code}, {b.t("doc.col.problem"), text},
	}
	rows := make([][]any, len(items))
	records := map[string]bool{}
	blocking, warnings := 0, 0
	for i, it := range items {
		rows[i] = []any{it.Row, it.RecordID, it.Column, b.t("severity." + string(it.Severity)), it.Rule, it.Message(lang)}
		records[it.RecordID] = true
		switch it.Severity {
		case register.Blocking:
			blocking++
		case register.Warning:
			warnings++
		}
	}
	deadline := b.t("doc.letter.deadline_pending")
	if l.CorrectionDue != "" {
		deadline = l.CorrectionDue
	}
	particulars := [][2]string{
		{"xlsx.letter.number", l.Number},
		{"doc.col.date", l.Date},
		{"xlsx.letter.sender", l.Sender},
		{"xlsx.letter.addressee", l.Addressee},
		{"doc.col.month", l.Month},
		{"doc.col.received_at", l.RegisterReceivedAt},
		{"doc.col.correction_due", deadline},
	}
	// Column A holds the labels of the particulars as well as row numbers.
	labels := make([][]any, len(particulars))
	for i, p := range particulars {
		labels[i] = []any{b.t(p[0])}
	}
	widths := widths(cols, rows, labels)

	// The table's header row comes after the title, the particulars, the
	// summary line and a blank row; the panes freeze everything above the
	// first item, so the particulars stay in view with the header.
	header := 1 + len(particulars) + 2 + 1
	s, err := b.sheet(SheetLetter, widths, header, false)
	if err != nil {
		return err
	}
	s.add(excelize.Cell{StyleID: b.st.title, Value: b.t("doc.letter.title")})
	for _, p := range particulars {
		s.add(excelize.Cell{StyleID: b.st.label, Value: b.t(p[0])}, p[1])
	}
	s.add(b.t("doc.letter.summary", "records", len(records), "blocking", blocking, "warnings", warnings))
	s.skip()
	cells := make([]any, len(cols))
	for i, c := range cols {
		cells[i] = excelize.Cell{StyleID: b.st.header, Value: c.header}
	}
	s.add(cells...)
	for _, r := range rows {
		for i, v := range r {
			r[i] = excelize.Cell{StyleID: b.st.cell[cols[i].kind][0], Value: v}
		}
		s.add(r...)
	}
	if len(rows) == 0 {
		s.add(b.t("doc.none"))
	}
	if err := s.flush(); err != nil {
		return err
	}
	// The letter's date stands for its creation: a letter rendered again
	// later gives the same bytes.
	created, modified := w3cdtf(l.Date + "T00:00:00Z")
	return b.write(w, &excelize.DocProperties{
		Title:          b.t("doc.letter.title") + " " + b.t("doc.letter.number", "number", l.Number, "date", l.Date),
		Creator:        "esep",
		LastModifiedBy: "esep",
		Created:        created,
		Modified:       created,
		Language:       string(lang),
	}, modified)
}

// severityRank orders blocking findings before warnings, and anything else
// last.
func severityRank(s register.Severity) int {
	switch s {
	case register.Blocking:
		return 0
	case register.Warning:
		return 1
	}
	return 2
}
