package tabular

import (
	"errors"
	"fmt"
)

// Codes of a FileError. They are stable: the importer, the HTTP layer and the
// translations depend on them. Each has the i18n key "ingest.file.<code>".
const (
	// CodeEmpty: the file has no bytes, or only whitespace, blank rows or a
	// byte-order mark.
	CodeEmpty = "empty"
	// CodeNoRows: the file has a header but no data row.
	CodeNoRows = "no_rows"
	// CodeBinary: the file is not text (NUL or control bytes, or the magic
	// number of a known binary format such as PDF, PNG, gzip or ELF).
	CodeBinary = "binary"
	// CodeTruncated: the file ends in the middle of a row or of a quoted
	// field, or an XLSX archive is damaged.
	CodeTruncated = "truncated"
	// CodeLineTooLong: a physical line is longer than Options.MaxLineBytes.
	CodeLineTooLong = "line_too_long"
	// CodeRowTooLong: a row spread over several lines by a quoted field is
	// longer than Options.MaxLineBytes, usually because a quote is not closed.
	CodeRowTooLong = "row_too_long"
	// CodeTooLarge: the file, or the unpacked content of a workbook, is over
	// the limits of Options.
	CodeTooLarge = "too_large"
	// CodeZipBomb: the workbook would unpack past the limits of Options at a
	// compression ratio no real spreadsheet has.
	CodeZipBomb = "zip_bomb"
	// CodeNotXLSX: the name says XLSX but the content is not a zip archive,
	// or the archive is not a spreadsheet workbook.
	CodeNotXLSX = "not_xlsx"
	// CodeOldExcel: an Excel 97-2003 workbook (.xls) or a password-protected
	// workbook; both are OLE2 compound files that esep does not read.
	CodeOldExcel = "old_excel"
	// CodeUnreadable: the file could not be read (I/O error).
	CodeUnreadable = "unreadable"
)

// FileError is a problem that stops the reading of the whole file. Open, New
// and Reader.Next return it; test for it with errors.As.
type FileError struct {
	Code string // one of the Code constants
	File string // the name of the file as given to Open or New
	Line int    // 1-based physical line (CSV) or sheet row (XLSX); 0 when the problem is not at a line
	Err  error  // the underlying cause, for logs; may be nil
}

func (e *FileError) Error() string {
	msg := "read " + e.File
	if e.Line > 0 {
		msg += fmt.Sprintf(" line %d", e.Line)
	}
	msg += ": " + e.Code
	if e.Err != nil {
		msg += ": " + e.Err.Error()
	}
	return msg
}

// Unwrap returns the underlying cause.
func (e *FileError) Unwrap() error { return e.Err }

// Key returns the i18n key of the error's message, "ingest.file.<code>".
func (e *FileError) Key() string { return "ingest.file." + e.Code }

// Params returns the parameters of the message in the name, value pairs
// that i18n.T takes: file and line. Line is 0 when the problem is not at a
// line, so only the texts of codes that always have one (line_too_long,
// row_too_long) use {line}; for the others a UI shows Line itself when it
// is not 0.
func (e *FileError) Params() []any { return []any{"file", e.File, "line", e.Line} }

// Codes of a RowError, with the i18n key "ingest.row.<code>".
const (
	// RowFieldCount: the row has fewer fields than the header, or more
	// non-blank ones.
	RowFieldCount = "field_count"
	// RowBadQuote: a quoted field is followed by something other than a
	// delimiter or the end of the line (`"a"b;`); the field is kept as read.
	RowBadQuote = "bad_quote"
	// RowInvalidUTF8: the row has bytes that are not UTF-8 in a file that
	// is otherwise UTF-8; they were replaced by U+FFFD.
	RowInvalidUTF8 = "invalid_utf8"
	// RowBadCell: a workbook cell could not be read.
	RowBadCell = "bad_cell"
)

// RowError is a problem with one row: the row is unusable as read, but the
// rest of the file is read on. It is found in Row.Err.
type RowError struct {
	Code string // one of the Row constants
	Line int    // 1-based physical line (CSV) or sheet row (XLSX) where the row starts
	Got  int    // for RowFieldCount: the fields in the row
	Want int    // for RowFieldCount: the fields in the header
	Err  error  // the underlying cause, for logs; may be nil
}

func (e *RowError) Error() string {
	msg := fmt.Sprintf("line %d: %s", e.Line, e.Code)
	if e.Code == RowFieldCount {
		msg += fmt.Sprintf(": %d fields, header has %d", e.Got, e.Want)
	}
	if e.Err != nil {
		msg += ": " + e.Err.Error()
	}
	return msg
}

// Unwrap returns the underlying cause.
func (e *RowError) Unwrap() error { return e.Err }

// Key returns the i18n key of the error's message, "ingest.row.<code>".
func (e *RowError) Key() string { return "ingest.row." + e.Code }

// Params returns the parameters of the message in the name, value pairs
// that i18n.T takes: line, got and want.
func (e *RowError) Params() []any {
	return []any{"line", e.Line, "got", e.Got, "want", e.Want}
}

// errCode reports the code of a *FileError in err's chain, or "".
func errCode(err error) string {
	var fe *FileError
	if errors.As(err, &fe) {
		return fe.Code
	}
	return ""
}
