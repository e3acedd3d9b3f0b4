package xlsx

import (
	"io"
	"strconv"

	"github.com/xuri/excelize/v2"

	"esep/internal/i18n"
	"esep/internal/ingest"
	"esep/internal/store"
)

// SheetQuestionnaires is the sheet of the Register of questionnaires.
const SheetQuestionnaires = "Questionnaires"

// Questionnaires writes the Register of questionnaires as a workbook in
// lang: one sheet whose first row is the header of the file format
// (docs/questionnaires.md: the canonical column names, then the option
// labels in lang) and one answer a row, so the workbook imports back as it
// is. Ratings are numeric cells; codes, dates and ids stay text. The
// period goes into the document's title, not above the header, because the
// import reads the first row as the header. generated (RFC 3339) dates the
// document, so the same answers give the same bytes.
func Questionnaires(w io.Writer, qs []store.Questionnaire, from, to, generated string, lang i18n.Lang) error {
	b, err := newBook(lang)
	if err != nil {
		return err
	}
	defer b.close()
	header := ingest.QuestionnaireHeader(lang)
	cols := make([]column, len(header))
	for i, h := range header {
		cols[i] = column{h, code}
		if i >= 3 && i <= 6 { // the four ratings
			cols[i].kind = number
		}
		if i >= len(ingest.QuestionnaireColumns) { // the labels, for people
			cols[i].kind = text
		}
	}
	rows := make([][]any, len(qs))
	for i := range qs {
		cells := ingest.QuestionnaireRow(&qs[i], lang)
		row := make([]any, len(cells))
		for j, c := range cells {
			row[j] = c
			if cols[j].kind == number {
				row[j], _ = strconv.Atoi(c)
			}
		}
		rows[i] = row
	}
	s, err := b.sheet(SheetQuestionnaires, widths(cols, rows), 1, false)
	if err != nil {
		return err
	}
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
	if err := s.flush(); err != nil {
		return err
	}
	created, modified := w3cdtf(generated)
	return b.write(w, &excelize.DocProperties{
		Title:          b.t("questionnaires.sheet_title", "from", from, "to", to),
		Creator:        "esep",
		LastModifiedBy: "esep",
		Created:        created,
		Modified:       created,
		Language:       string(lang),
	}, modified)
}
