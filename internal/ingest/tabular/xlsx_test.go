package tabular

import (
	"archive/zip"
	"bytes"
	"compress/flate"
	"errors"
	"hash/crc32"
	"io"
	"os"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"
)

// workbook builds an XLSX file with excelize; build fills it.
func workbook(t testing.TB, build func(f *excelize.File, sheet string)) []byte {
	t.Helper()
	f := excelize.NewFile()
	defer f.Close()
	build(f, "Sheet1")
	buf, err := f.WriteToBuffer()
	if err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func must(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func style(t testing.TB, f *excelize.File, code string) int {
	t.Helper()
	id, err := f.NewStyle(&excelize.Style{CustomNumFmt: &code})
	must(t, err)
	return id
}

func TestXLSX(t *testing.T) {
	kazakh := "Әә Ғғ Ққ Ңң Өө Ұұ Үү Һһ Іі"
	data := workbook(t, func(f *excelize.File, s string) {
		must(t, f.SetSheetRow(s, "A1", &[]any{"record_id", "client_full_name", "start_date", "end_date", "act_signed_at", "enterprise_iin_bin", "client_age", "note"}))
		must(t, f.SetSheetRow(s, "A2", &[]any{"R-1", kazakh, time.Date(2024, 3, 15, 0, 0, 0, 0, time.UTC), 45371, 45371.4375, 12345678901, 42, 0.1 + 0.2}))
		must(t, f.SetCellStyle(s, "D2", "D2", style(t, f, "dd.mm.yyyy")))
		must(t, f.SetCellStyle(s, "E2", "E2", style(t, f, "dd.mm.yyyy hh:mm")))
		must(t, f.SetCellStyle(s, "F2", "F2", style(t, f, "000000000000")))
		// Row 3 blank, row 4 short (trailing cells empty), row 5 too long.
		must(t, f.SetSheetRow(s, "A4", &[]any{"R-2", "Иванов Пётр", "15.03.2024"}))
		must(t, f.SetCellStyle(s, "C4", "C4", style(t, f, "dd.mm.yyyy"))) // text stays text
		must(t, f.SetSheetRow(s, "A5", &[]any{"R-3", "x", "", "", "", "", "", "", "extra"}))
	})
	r, h, rows := readAll(t, writeFile(t, "reg.xlsx", data), Options{})
	if r.Format() != FormatXLSX || r.Sheet() != "Sheet1" || r.Encoding() != "" || r.Comma() != 0 {
		t.Errorf("format %s sheet %q encoding %q comma %q", r.Format(), r.Sheet(), r.Encoding(), r.Comma())
	}
	if len(h) != 8 || h[1] != "client_full_name" {
		t.Fatalf("header %q", h)
	}
	want := [][]string{
		{"R-1", kazakh, "2024-03-15", "2024-03-20", "2024-03-20 10:30:00", "012345678901", "42", "0.3"},
		{"R-2", "Иванов Пётр", "15.03.2024", "", "", "", "", ""},
		{"R-3", "x", "", "", "", "", "", "", "extra"},
	}
	if got := fields(rows); !reflect.DeepEqual(got, want) {
		t.Fatalf("rows\n%q\nwant\n%q", got, want)
	}
	for i, w := range []struct{ num, line int }{{1, 2}, {3, 4}, {4, 5}} {
		if rows[i].Num != w.num || rows[i].Line != w.line {
			t.Errorf("row %d: Num %d Line %d, want %d %d", i, rows[i].Num, rows[i].Line, w.num, w.line)
		}
	}
	if rows[0].Err != nil || rows[1].Err != nil {
		t.Errorf("errors on good rows: %v, %v", rows[0].Err, rows[1].Err)
	}
	var re *RowError
	if !errors.As(rows[2].Err, &re) || re.Code != RowFieldCount || re.Got != 9 || re.Want != 8 {
		t.Errorf("row with an extra cell: %v", rows[2].Err)
	}
	if done, total := r.Progress(); done != total || total != int64(len(data)) {
		t.Errorf("progress at the end %d/%d, want %d", done, total, len(data))
	}
}

// TestXLSXSheetChoice: the first visible sheet is read, and a header below
// blank rows is found.
func TestXLSXSheetChoice(t *testing.T) {
	data := workbook(t, func(f *excelize.File, s string) {
		must(t, f.SetCellValue(s, "A1", "lookup"))
		idx, err := f.NewSheet("Тізілім")
		must(t, err)
		f.SetActiveSheet(idx)
		must(t, f.SetSheetVisible(s, false))
		must(t, f.SetSheetRow("Тізілім", "A3", &[]any{"a", "b"}))
		must(t, f.SetSheetRow("Тізілім", "A4", &[]any{"1", "2"}))
	})
	r, h, rows := readAll(t, writeFile(t, "s.xlsx", data), Options{})
	if r.Sheet() != "Тізілім" || !reflect.DeepEqual(h, []string{"a", "b"}) || len(rows) != 1 || rows[0].Line != 4 || rows[0].Num != 1 {
		t.Errorf("sheet %q header %q rows %+v", r.Sheet(), h, rows)
	}
}

func TestXLSXEmptyAndHeaderOnly(t *testing.T) {
	empty := workbook(t, func(*excelize.File, string) {})
	_, err := openOrNext(writeFile(t, "e.xlsx", empty), Options{})
	fileErr(t, err, CodeEmpty)
	headerOnly := workbook(t, func(f *excelize.File, s string) {
		must(t, f.SetSheetRow(s, "A1", &[]any{"a", "b"}))
	})
	_, err = openOrNext(writeFile(t, "h.xlsx", headerOnly), Options{})
	fileErr(t, err, CodeNoRows)
}

// TestXLSXUpload: New spools a workbook that is not a file, and leaves no
// temporary file behind.
func TestXLSXUpload(t *testing.T) {
	data := workbook(t, func(f *excelize.File, s string) {
		must(t, f.SetSheetRow(s, "A1", &[]any{"a", "b"}))
		must(t, f.SetSheetRow(s, "A2", &[]any{"Қ", "Ү"}))
	})
	tmp := t.TempDir()
	r, err := New(bytes.NewReader(data), "upload.csv", -1, Options{TempDir: tmp})
	if err != nil {
		t.Fatal(err)
	}
	row, err := r.Next()
	if err != nil || !reflect.DeepEqual(row.Fields, []string{"Қ", "Ү"}) {
		t.Errorf("row %q, %v", row.Fields, err)
	}
	if _, total := r.Progress(); total != int64(len(data)) {
		t.Errorf("total %d, want %d", total, len(data))
	}
	must(t, r.Close())
	if left, _ := os.ReadDir(tmp); len(left) != 0 {
		t.Errorf("temporary files left: %v", left)
	}
	// The spool is bounded too.
	_, err = New(bytes.NewReader(data), "upload.xlsx", -1, Options{TempDir: tmp, MaxBytes: 1000})
	fileErr(t, err, CodeTooLarge)
	if left, _ := os.ReadDir(tmp); len(left) != 0 {
		t.Errorf("temporary files left: %v", left)
	}
}

// zipPart is one part of a hand-made archive.
type zipPart struct {
	name string
	data []byte
	// declare, if not zero, is the uncompressed size written in the
	// headers instead of the true one: a lying archive.
	declare uint64
	store   bool
}

func makeZip(t testing.TB, parts ...zipPart) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, p := range parts {
		if p.declare == 0 {
			method := zip.Deflate
			if p.store {
				method = zip.Store
			}
			w, err := zw.CreateHeader(&zip.FileHeader{Name: p.name, Method: method})
			must(t, err)
			_, err = w.Write(p.data)
			must(t, err)
			continue
		}
		var packed bytes.Buffer
		fw, _ := flate.NewWriter(&packed, flate.BestCompression)
		fw.Write(p.data)
		fw.Close()
		w, err := zw.CreateRaw(&zip.FileHeader{Name: p.name, Method: zip.Deflate,
			CRC32: crc32.ChecksumIEEE(p.data), CompressedSize64: uint64(packed.Len()), UncompressedSize64: p.declare})
		must(t, err)
		_, err = w.Write(packed.Bytes())
		must(t, err)
	}
	must(t, zw.Close())
	return buf.Bytes()
}

// minimal parts of a workbook, enough to pass as one.
func workbookParts(sheet []byte) []zipPart {
	return []zipPart{
		{name: "[Content_Types].xml", data: []byte(`<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"></Types>`)},
		{name: "xl/workbook.xml", data: []byte(`<?xml version="1.0"?><workbook/>`)},
		{name: "xl/worksheets/sheet1.xml", data: sheet},
	}
}

func bombSheet(size int) []byte {
	var b bytes.Buffer
	b.WriteString(`<worksheet><sheetData><row r="1"><c t="inlineStr"><is><t>`)
	b.Write(bytes.Repeat([]byte("A"), size))
	b.WriteString(`</t></is></c></row></sheetData></worksheet>`)
	return b.Bytes()
}

func TestZipBomb(t *testing.T) {
	// The defaults are finite, and excelize gets them.
	d := Options{}.withDefaults()
	if d.MaxUnzipBytes <= 0 || d.MaxUnzipBytes > 4<<30 || d.MaxUnzipXMLBytes <= 0 || d.MaxUnzipXMLBytes > d.MaxUnzipBytes || d.MaxBytes <= 0 {
		t.Fatalf("default limits %+v", d)
	}
	small := Options{MaxUnzipBytes: 1 << 20, MaxUnzipXMLBytes: 256 << 10}
	random := make([]byte, 2<<20)
	for i := range random {
		random[i] = byte(i*7919 + i>>8*31)
	}
	tests := []struct {
		name  string
		parts []zipPart
		opts  Options
		code  string
	}{
		{"sheet inflates past the limit", workbookParts(bombSheet(8 << 20)), small, CodeZipBomb},
		{"style part inflates past the in-memory limit",
			append(workbookParts(bombSheet(10)), zipPart{name: "xl/styles.xml", data: bombSheet(1 << 20)}), small, CodeZipBomb},
		{"part lies about its size", append(workbookParts(bombSheet(10)),
			zipPart{name: "xl/theme/theme1.xml", data: bombSheet(1 << 20), declare: 100}), small, CodeZipBomb},
		{"lies past the default limit", append(workbookParts(bombSheet(10)),
			zipPart{name: "xl/worksheets/sheet2.xml", data: bombSheet(100), declare: 3 << 30}), Options{}, CodeZipBomb},
		{"big but not a bomb", append(workbookParts(bombSheet(10)),
			zipPart{name: "xl/media/image1.png", data: random, store: true}), small, CodeTooLarge},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := memStats()
			_, err := openOrNext(writeFile(t, "bomb.xlsx", makeZip(t, tt.parts...)), tt.opts)
			fileErr(t, err, tt.code)
			if after := memStats(); after.TotalAlloc-before.TotalAlloc > 64<<20 {
				t.Errorf("allocated %d MiB to refuse it", (after.TotalAlloc-before.TotalAlloc)>>20)
			}
		})
	}
}

func TestZipNotWorkbook(t *testing.T) {
	for name, parts := range map[string][]zipPart{
		"plain zip": {{name: "hello.txt", data: []byte("hello")}},
		"docx": {{name: "[Content_Types].xml", data: []byte("<Types/>")},
			{name: "word/document.xml", data: []byte("<document/>")}},
	} {
		_, err := openOrNext(writeFile(t, "z.xlsx", makeZip(t, parts...)), Options{})
		if errCode(err) != CodeNotXLSX {
			t.Errorf("%s: %v", name, err)
		}
	}
}

func TestXLSXCorrupt(t *testing.T) {
	data := workbook(t, func(f *excelize.File, s string) {
		for i := 1; i <= 200; i++ {
			must(t, f.SetSheetRow(s, "A"+strconv.Itoa(i), &[]any{"Қасымова Әлия", i, "text " + strconv.Itoa(i*i)}))
		}
	})
	// Cut in half: the central directory at the end is gone.
	_, err := openOrNext(writeFile(t, "cut.xlsx", data[:len(data)/2]), Options{})
	fileErr(t, err, CodeTruncated)
	// A damaged byte inside the worksheet's compressed data.
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	must(t, err)
	for _, f := range zr.File {
		if f.Name == "xl/worksheets/sheet1.xml" {
			off, err := f.DataOffset()
			must(t, err)
			bad := append([]byte(nil), data...)
			bad[off+int64(f.CompressedSize64)/2] ^= 0x55
			_, err = openOrNext(writeFile(t, "bad.xlsx", bad), Options{})
			fileErr(t, err, CodeTruncated)
		}
	}
}

func TestClassifyNumFmt(t *testing.T) {
	tests := []struct {
		code        string
		date, clock bool
	}{
		{"dd.mm.yyyy", true, false},
		{"yyyy-mm-dd", true, false},
		{"[$-419]d mmmm yyyy \"г.\"", true, false},
		{"mmm yy", true, false},
		{"dd/mm/yyyy hh:mm", true, true},
		{"m/d/yy h:mm AM/PM", true, true},
		{"h:mm:ss", false, true},
		{"mm:ss", false, true},
		{"[h]:mm", false, true},
		{"General", false, false},
		{"0.00E+00", false, false},
		{"#,##0.00 \"days\"", false, false},
		{"000000000000", false, false},
		{"[Red]#,##0;[Blue]-#,##0", false, false},
		{"@", false, false},
	}
	for _, tt := range tests {
		if d, c := classifyNumFmt(tt.code); d != tt.date || c != tt.clock {
			t.Errorf("classifyNumFmt(%q) = %v, %v; want %v, %v", tt.code, d, c, tt.date, tt.clock)
		}
	}
}

// replacePart rewrites one part of an archive.
func replacePart(t testing.TB, data []byte, name string, edit func([]byte) []byte) []byte {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	must(t, err)
	var parts []zipPart
	for _, f := range zr.File {
		rc, err := f.Open()
		must(t, err)
		b, err := io.ReadAll(rc)
		must(t, err)
		rc.Close()
		if f.Name == name {
			b = edit(b)
		}
		parts = append(parts, zipPart{name: f.Name, data: b})
	}
	return makeZip(t, parts...)
}

// TestXLSXCutSheet: excelize stops quietly at malformed XML; a worksheet
// that a crashed program left without its end is reported as truncated
// rather than imported in part.
func TestXLSXCutSheet(t *testing.T) {
	data := workbook(t, func(f *excelize.File, s string) {
		for i := 1; i <= 50; i++ {
			must(t, f.SetSheetRow(s, "A"+strconv.Itoa(i), &[]any{"x", i}))
		}
	})
	bad := replacePart(t, data, "xl/worksheets/sheet1.xml", func(b []byte) []byte {
		i := bytes.Index(b, []byte(`<row r="20"`))
		return append(b[:i:i], `<row r="20"><c r="A20" t="str"><v>x</v></c><c r="B20"><`...)
	})
	_, err := openOrNext(writeFile(t, "m.xlsx", bad), Options{})
	fileErr(t, err, CodeTruncated)
	// The same sheet with its end is fine.
	good := replacePart(t, data, "xl/worksheets/sheet1.xml", func(b []byte) []byte { return append(b, "\r\n"...) })
	if rows, err := openOrNext(writeFile(t, "g.xlsx", good), Options{}); err != nil || len(rows) != 49 {
		t.Errorf("%d rows, %v", len(rows), err)
	}
}

func TestTailWriter(t *testing.T) {
	var w tailWriter
	for _, s := range []string{"ab", "", strings.Repeat("x", 100), "</worksheet>", "\n"} {
		w.Write([]byte(s))
	}
	if got := string(w.last()); !strings.HasSuffix(got, "x</worksheet>\n") || len(got) != 64 {
		t.Errorf("last %q", got)
	}
	var v tailWriter
	v.Write([]byte("abc"))
	if string(v.last()) != "abc" {
		t.Errorf("last %q", v.last())
	}
}
