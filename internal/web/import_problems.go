package web

import (
	"context"
	"encoding/csv"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/xuri/excelize/v2"

	"esep/internal/auth"
	"esep/internal/i18n"
	"esep/internal/register"
	"esep/internal/store"
)

// importProblem is one line of an import's problem list.
type importProblem struct {
	Row      int    `json:"row"`
	RecordID string `json:"record_id"`
	Column   string `json:"column"`
	Rule     string `json:"rule"`
	Severity string `json:"severity"`
	Value    string `json:"value"`
	Message  string `json:"message"`
}

// eachImportProblem calls fn for every finding of the import, in row
// order, in lang; with full false the personal data it quotes are masked.
func (s *Server) eachImportProblem(ctx context.Context, importID int64, lang i18n.Lang, full bool, fn func(*importProblem) error) error {
	var p importProblem
	return s.db.EachImportFinding(ctx, importID, func(f *store.ImportFinding) error {
		fd := f.Finding
		if !full {
			fd = maskImportFinding(fd)
		}
		p = importProblem{Row: f.Row, RecordID: f.RecordID, Column: fd.Column, Rule: fd.Rule, Severity: string(fd.Severity), Value: fd.Value, Message: fd.Message(lang)}
		return fn(&p)
	})
}

// maskImportFinding hides the personal data a finding quotes — an IIN, a
// client's name, a phone, an e-mail, a birth date — as maskRecord does for
// a record. The message repeats the value, and a finding about a name
// spelled two ways quotes the other spelling in its detail, so both are
// masked; a detail that is a message key is left as it is.
func maskImportFinding(f register.Finding) register.Finding {
	switch f.Column {
	case "client_iin":
		f.Value = auth.MaskIIN(f.Value)
	case "enterprise_iin_bin":
		if len(f.Value) == 12 && f.Value[4] < '4' { // an IE's IIN is a person's
			f.Value = auth.MaskIIN(f.Value)
		}
	case "client_full_name":
		f.Value = auth.MaskName(f.Value)
		if key, _, _ := strings.Cut(f.Detail, "?"); f.Detail != "" && !i18n.Has(i18n.EN, key) {
			f.Detail = auth.MaskName(f.Detail)
		}
	case "mobile_phone", "work_phone":
		f.Value = auth.MaskPhone(f.Value)
	case "email":
		f.Value = auth.MaskEmail(f.Value)
	case "client_birth_date":
		f.Value = ""
	}
	return f
}

// finishedImport returns the database id of the request's job for its
// problem list, or writes why there is none: the job is not the user's
// (404), still running, or failed (409: nothing was written).
func (s *Server) finishedImport(w http.ResponseWriter, r *http.Request) (int64, bool) {
	j, ok := s.userJob(w, r)
	if !ok {
		return 0, false
	}
	v := j.view()
	if v.State != jobDone {
		s.render(w, r, http.StatusConflict, "error", "web.import.title", "web.import.no_problem_list")
		return 0, false
	}
	return v.Result.ImportID, true
}

// importProblemHeader is the localised header of a problem list.
func importProblemHeader(lang i18n.Lang) []string {
	return []string{i18n.T(lang, "doc.col.row"), i18n.T(lang, "doc.col.record_id"), i18n.T(lang, "doc.col.column"),
		i18n.T(lang, "xlsx.col.rule"), i18n.T(lang, "doc.col.severity"), i18n.T(lang, "doc.col.problem"), i18n.T(lang, "web.import.col.value")}
}

func importAttachment(w http.ResponseWriter, contentType, name string) {
	w.Header().Set("Content-Type", contentType)
	w.Header().Set("Content-Disposition", `attachment; filename="`+name+`"`)
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.Header().Set("Cache-Control", "no-store")
}

// importAbort ends a response whose status is already sent: the client
// sees a broken transfer instead of a list that looks complete.
func (s *Server) importAbort(r *http.Request, err error) {
	s.log.Error("problem list", "err", err, "request_id", requestID(r))
	panic(http.ErrAbortHandler)
}

// importProblemsCSV streams the problem list as CSV for a spreadsheet: UTF-8
// with a byte-order mark and ';', which is what Excel in Kazakhstan and
// Russia opens without asking.
func (s *Server) importProblemsCSV(w http.ResponseWriter, r *http.Request) {
	id, ok := s.finishedImport(w, r)
	if !ok {
		return
	}
	lang := langOf(r)
	importAttachment(w, "text/csv; charset=utf-8", fmt.Sprintf("esep-import-%d-problems.csv", id))
	w.Write([]byte("\uFEFF"))
	cw := csv.NewWriter(w)
	cw.Comma = ';'
	cw.Write(importProblemHeader(lang))
	err := s.eachImportProblem(r.Context(), id, lang, userOf(r).Can(auth.ReadPersonal), func(p *importProblem) error {
		return cw.Write([]string{strconv.Itoa(p.Row), importCell(p.RecordID), p.Column, p.Rule,
			i18n.T(lang, "severity."+p.Severity), importCell(p.Message), importCell(p.Value)})
	})
	if err == nil {
		cw.Flush()
		err = cw.Error()
	}
	if err != nil {
		s.importAbort(r, err)
	}
}

// importCell keeps a spreadsheet from taking a value of the uploaded file for
// a formula (CSV injection): one that starts with = + - @ or a control
// character is prefixed with an apostrophe.
func importCell(v string) string {
	if v != "" && strings.ContainsRune("=+-@\t\r", rune(v[0])) {
		return "'" + v
	}
	return v
}

// importProblemsXLSX writes the problem list as a workbook. Rows are
// streamed to excelize's stream writer, which keeps large sheets in a
// temporary file; a list longer than a sheet holds goes on to more sheets.
func (s *Server) importProblemsXLSX(w http.ResponseWriter, r *http.Request) {
	id, ok := s.finishedImport(w, r)
	if !ok {
		return
	}
	lang := langOf(r)
	f := excelize.NewFile()
	defer f.Close()
	bold, err := f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}})
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	header := importProblemHeader(lang)
	title := i18n.T(lang, "web.import.problems_sheet")
	sheets := 0
	var sw *excelize.StreamWriter
	next := func() error {
		sheets++
		name := title
		if sheets == 1 {
			if err := f.SetSheetName("Sheet1", name); err != nil {
				return err
			}
		} else {
			name = fmt.Sprintf("%s (%d)", title, sheets)
			if _, err := f.NewSheet(name); err != nil {
				return err
			}
		}
		var err error
		if sw, err = f.NewStreamWriter(name); err != nil {
			return err
		}
		for i, width := range []float64{8, 22, 22, 24, 14, 80, 30} {
			if err := sw.SetColWidth(i+1, i+1, width); err != nil {
				return err
			}
		}
		if err := sw.SetPanes(&excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft"}); err != nil {
			return err
		}
		cells := make([]any, len(header))
		for i, h := range header {
			cells[i] = h
		}
		return sw.SetRow("A1", cells, excelize.RowOpts{StyleID: bold})
	}
	row := 1
	if err := next(); err != nil {
		s.serverError(w, r, err)
		return
	}
	err = s.eachImportProblem(r.Context(), id, lang, userOf(r).Can(auth.ReadPersonal), func(p *importProblem) error {
		if row == excelize.TotalRows {
			if err := sw.Flush(); err != nil {
				return err
			}
			if err := next(); err != nil {
				return err
			}
			row = 1
		}
		row++
		cell, _ := excelize.CoordinatesToCellName(1, row)
		return sw.SetRow(cell, []any{p.Row, p.RecordID, p.Column, p.Rule, i18n.T(lang, "severity."+p.Severity), p.Message, p.Value})
	})
	if err == nil {
		err = sw.Flush()
	}
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	importAttachment(w, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", fmt.Sprintf("esep-import-%d-problems.xlsx", id))
	if _, err := f.WriteTo(w); err != nil {
		s.importAbort(r, err)
	}
}
