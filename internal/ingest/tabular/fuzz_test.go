package tabular

import (
	"bytes"
	"errors"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"
	"golang.org/x/text/encoding/charmap"
)

var knownCodes = map[string]bool{
	CodeEmpty: true, CodeNoRows: true, CodeBinary: true, CodeTruncated: true,
	CodeLineTooLong: true, CodeRowTooLong: true, CodeTooLarge: true, CodeZipBomb: true,
	CodeNotXLSX: true, CodeOldExcel: true, CodeUnreadable: true,
}

// FuzzReader feeds arbitrary bytes to New, as a CSV or an XLSX upload, and
// checks that reading never panics and keeps its promises: only
// *FileError for the file, only *RowError for a row, valid UTF-8 text,
// rows as wide as the header, numbers that grow.
func FuzzReader(f *testing.F) {
	for _, s := range []string{
		"a;b;c\n1;2;3\n",
		"a,b\n\"x\ny\",\"q\"\"q\"\n",
		"a;b\n\"open\n1;2\n",
		"a;b\n\"x\"y;z\n",
		"a;b\n1;2\n3",
		"\xEF\xBB\xBFa;b\r\n1;2\r\n",
		"a;b\r1;2\r",
		"a\tb\n1\t2\n",
		"a;b\n\xff\xfe;1\n",
		"\n\n;;\n",
		"",
		"%PDF-1.4",
		"PK\x03\x04garbage",
		"PK\x05\x06\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00",
		"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1",
	} {
		f.Add([]byte(s), false)
	}
	f.Add(encode(f, utf16LE, "a;b\n1;Қ\n"), false)
	f.Add(append([]byte{0xFE, 0xFF}, encode(f, utf16BE, "a;b\n1;2\n")...), false)
	f.Add(encode(f, charmap.Windows1251, "Фамилия;Пол\nИванов;М\n"), false)
	f.Add(workbook(f, func(x *excelize.File, s string) {
		x.SetSheetRow(s, "A1", &[]any{"a", "b"})
		x.SetSheetRow(s, "A2", &[]any{"Ә", 45371})
	}), true)
	f.Add(makeZip(f, workbookParts(bombSheet(1<<16))...), true)
	dir := f.TempDir()
	f.Fuzz(func(t *testing.T, data []byte, xlsx bool) {
		name := "fuzz.csv"
		if xlsx {
			name = "fuzz.xlsx"
		}
		opts := Options{MaxBytes: 1 << 20, MaxLineBytes: 1 << 12, MaxUnzipBytes: 4 << 20, MaxUnzipXMLBytes: 1 << 20, TempDir: dir}
		r, err := New(bytes.NewReader(data), name, int64(len(data)), opts)
		if err != nil {
			checkFileError(t, err)
			return
		}
		defer r.Close()
		h := r.Header()
		if len(h) == 0 {
			t.Fatal("a reader without a header")
		}
		for _, s := range h {
			if !utf8.ValidString(s) || s != strings.TrimSpace(s) {
				t.Fatalf("header title %q", s)
			}
		}
		lastNum, lastLine := 0, 0
		for i := 0; i < 10000; i++ {
			row, err := r.Next()
			if err != nil {
				if err.Error() != "EOF" {
					checkFileError(t, err)
				}
				return
			}
			if row.Num <= lastNum || row.Line <= lastLine {
				t.Fatalf("row Num %d Line %d after %d %d", row.Num, row.Line, lastNum, lastLine)
			}
			lastNum, lastLine = row.Num, row.Line
			if len(row.Fields) < len(h) || len(row.Fields) > len(h) && row.Err == nil {
				t.Fatalf("%d fields for %d titles, Err %v", len(row.Fields), len(h), row.Err)
			}
			for _, s := range row.Fields {
				if !utf8.ValidString(s) {
					t.Fatalf("invalid UTF-8 %q", s)
				}
			}
			if row.Err != nil {
				var re *RowError
				if !errors.As(row.Err, &re) {
					t.Fatalf("row error %T %v", row.Err, row.Err)
				}
			}
			if done, total := r.Progress(); done < 0 || done > total {
				t.Fatalf("progress %d/%d", done, total)
			}
		}
	})
}

func checkFileError(t *testing.T, err error) {
	t.Helper()
	var fe *FileError
	if !errors.As(err, &fe) || !knownCodes[fe.Code] {
		t.Fatalf("error %T %v, want a *FileError with a known code", err, err)
	}
}
