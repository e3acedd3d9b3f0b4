package tabular

import (
	"bytes"
	"errors"
	"io"
	"math/rand"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/encoding/unicode"
)

// writeFile writes content to a new file in a temporary directory.
func writeFile(t testing.TB, name string, content []byte) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, content, 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// readAll opens path and returns the header and every row.
func readAll(t testing.TB, path string, opts Options) (*Reader, []string, []Row) {
	t.Helper()
	r, err := Open(path, opts)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() { r.Close() })
	var rows []Row
	for {
		row, err := r.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("Next after %d rows: %v", len(rows), err)
		}
		rows = append(rows, row)
	}
	return r, r.Header(), rows
}

func fields(rows []Row) [][]string {
	out := make([][]string, len(rows))
	for i, r := range rows {
		out[i] = r.Fields
	}
	return out
}

func encode(t testing.TB, e encoding.Encoding, s string) []byte {
	t.Helper()
	b, err := e.NewEncoder().Bytes([]byte(s))
	if err != nil {
		t.Fatalf("encode: %v", err)
	}
	return b
}

var (
	utf16LE = unicode.UTF16(unicode.LittleEndian, unicode.IgnoreBOM)
	utf16BE = unicode.UTF16(unicode.BigEndian, unicode.IgnoreBOM)
)

func TestEncodingsAndDelimiters(t *testing.T) {
	kazakh := "record_id;client_full_name;settlement_name\r\n" +
		"R-1;Әлия Ғабитқызы Қасымова;Ақсу\r\n" +
		"R-2;Өмірзақ Ұлан Үсенов;Һ І Ң\r\n"
	kazakhWant := [][]string{
		{"R-1", "Әлия Ғабитқызы Қасымова", "Ақсу"},
		{"R-2", "Өмірзақ Ұлан Үсенов", "Һ І Ң"},
	}
	russian := "record_id;client_full_name;settlement_name\r\n" +
		"R-1;Иванов Пётр Сергеевич;Щучинск\r\n" +
		"R-2;Ёлкина Анна;Усть-Каменогорск\r\n"
	russianWant := [][]string{
		{"R-1", "Иванов Пётр Сергеевич", "Щучинск"},
		{"R-2", "Ёлкина Анна", "Усть-Каменогорск"},
	}
	comma := strings.ReplaceAll(kazakh, ";", ",")
	tab := strings.ReplaceAll(kazakh, ";", "\t")
	header := []string{"record_id", "client_full_name", "settlement_name"}
	tests := []struct {
		name    string
		content []byte
		enc     string
		comma   rune
		want    [][]string
	}{
		{"utf-8 comma", []byte(comma), EncUTF8, ',', kazakhWant},
		{"utf-8 semicolon", []byte(kazakh), EncUTF8, ';', kazakhWant},
		{"utf-8 tab", []byte(tab), EncUTF8, '\t', kazakhWant},
		{"utf-8 lf", []byte(strings.ReplaceAll(kazakh, "\r\n", "\n")), EncUTF8, ';', kazakhWant},
		{"utf-8 cr only", []byte(strings.ReplaceAll(kazakh, "\r\n", "\r")), EncUTF8, ';', kazakhWant},
		{"utf-8 no final newline", []byte(strings.TrimSuffix(kazakh, "\r\n")), EncUTF8, ';', kazakhWant},
		{"utf-8 bom", append([]byte("\xEF\xBB\xBF"), kazakh...), EncUTF8BOM, ';', kazakhWant},
		{"windows-1251", encode(t, charmap.Windows1251, russian), EncWindows1251, ';', russianWant},
		{"utf-16le bom", append([]byte{0xFF, 0xFE}, encode(t, utf16LE, kazakh)...), EncUTF16LE, ';', kazakhWant},
		{"utf-16be bom", append([]byte{0xFE, 0xFF}, encode(t, utf16BE, kazakh)...), EncUTF16BE, ';', kazakhWant},
		{"utf-16le no bom", encode(t, utf16LE, kazakh), EncUTF16LE, ';', kazakhWant},
		{"utf-16be no bom", encode(t, utf16BE, russian), EncUTF16BE, ';', russianWant},
		{"utf-16le tab (Excel unicode text)", append([]byte{0xFF, 0xFE}, encode(t, utf16LE, tab)...), EncUTF16LE, '\t', kazakhWant},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, h, rows := readAll(t, writeFile(t, "reg.csv", tt.content), Options{})
			if r.Format() != FormatCSV || r.Encoding() != tt.enc || r.Comma() != tt.comma {
				t.Errorf("format %s encoding %q comma %q, want csv %q %q", r.Format(), r.Encoding(), r.Comma(), tt.enc, tt.comma)
			}
			if !reflect.DeepEqual(h, header) {
				t.Errorf("header %q, want %q", h, header)
			}
			if got := fields(rows); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("rows %q, want %q", got, tt.want)
			}
			for i, row := range rows {
				if row.Err != nil || row.Num != i+1 || row.Line != i+2 {
					t.Errorf("row %d: Num %d Line %d Err %v", i, row.Num, row.Line, row.Err)
				}
			}
		})
	}
}

// TestDelimiterWithCommasInTitles: a ';' file whose titles contain commas
// (the Russian Annex 1 titles do) is still split on ';'.
func TestDelimiterWithCommasInTitles(t *testing.T) {
	content := "Фамилия, имя, отчество (при наличии) клиента;ИИН/БИН субъекта МСБ\n" +
		"Иванов Иван;123456789012\n"
	r, h, rows := readAll(t, writeFile(t, "r.csv", []byte(content)), Options{})
	if r.Comma() != ';' || len(h) != 2 || len(rows) != 1 || rows[0].Fields[1] != "123456789012" {
		t.Errorf("comma %q header %q rows %q", r.Comma(), h, fields(rows))
	}
}

func TestQuoting(t *testing.T) {
	content := "a;b;c\n" +
		"\"line one\nline two\";\"x;y\";\"say \"\"hi\"\"\"\n" + // rows 1: lines 2-3
		"ТОО \"Ромашка\";plain;\"\"\n" + // 2: bare quotes kept; empty quoted
		"\"ТОО \"Ромашка\"\";next;z\n" + // 3: bad quote, flagged
		"\"crlf\r\ninside\";2;3\r\n" + // 4: CRLF inside a quoted field becomes LF
		"last;\"q\";\n" // 5: quoted then an empty field
	_, _, rows := readAll(t, writeFile(t, "q.csv", []byte(content)), Options{})
	want := [][]string{
		{"line one\nline two", "x;y", `say "hi"`},
		{`ТОО "Ромашка"`, "plain", ""},
		{`ТОО "Ромашка""`, "next", "z"},
		{"crlf\ninside", "2", "3"},
		{"last", "q", ""},
	}
	if got := fields(rows); !reflect.DeepEqual(got, want) {
		t.Fatalf("rows\n%q\nwant\n%q", got, want)
	}
	lines := []int{2, 4, 5, 6, 8}
	for i, row := range rows {
		if row.Line != lines[i] || row.Num != i+1 {
			t.Errorf("row %d: Line %d Num %d, want %d %d", i, row.Line, row.Num, lines[i], i+1)
		}
		var re *RowError
		if bad := errors.As(row.Err, &re) && re.Code == RowBadQuote; bad != (i == 2) {
			t.Errorf("row %d: Err %v", i, row.Err)
		}
	}
}

// TestBlankRowsAndNumbering: blank rows are skipped but keep their number,
// so Num is the row under the header as the user counts it.
func TestBlankRowsAndNumbering(t *testing.T) {
	content := "\n  \n;;\na;b\n1;2\n\n;  \n3;4\n"
	_, h, rows := readAll(t, writeFile(t, "b.csv", []byte(content)), Options{})
	if !reflect.DeepEqual(h, []string{"a", "b"}) {
		t.Fatalf("header %q", h)
	}
	if len(rows) != 2 || rows[0].Num != 1 || rows[0].Line != 5 || rows[1].Num != 4 || rows[1].Line != 8 {
		t.Fatalf("rows %+v", rows)
	}
}

func TestFieldCount(t *testing.T) {
	content := "a;b;c;\n" + // a trailing blank title is dropped
		"1;2\n" + // short: flagged, padded
		"1;2;3;4\n" + // long: flagged, kept
		"1;2;3;;  ;\n" + // trailing blank fields: fine
		"1;2;3\n"
	_, h, rows := readAll(t, writeFile(t, "f.csv", []byte(content)), Options{})
	if len(h) != 3 {
		t.Fatalf("header %q", h)
	}
	want := [][]string{{"1", "2", ""}, {"1", "2", "3", "4"}, {"1", "2", "3"}, {"1", "2", "3"}}
	if got := fields(rows); !reflect.DeepEqual(got, want) {
		t.Fatalf("rows %q, want %q", got, want)
	}
	for i, wantErr := range []bool{true, true, false, false} {
		var re *RowError
		if got := errors.As(rows[i].Err, &re) && re.Code == RowFieldCount; got != wantErr {
			t.Errorf("row %d: Err %v", i, rows[i].Err)
		}
	}
	var re *RowError
	if errors.As(rows[0].Err, &re); re.Got != 2 || re.Want != 3 || re.Key() != "ingest.row.field_count" {
		t.Errorf("row error %+v", re)
	}
}

func TestInvalidUTF8Row(t *testing.T) {
	var b bytes.Buffer
	b.WriteString("record_id;client_full_name\n")
	for i := 0; i < 50; i++ {
		b.WriteString("R;Әлия Қасымова\n")
	}
	b.WriteString("BAD;\xff\xfeИван\xc0\n") // row 51
	b.WriteString("R;Ұлан\n")
	r, _, rows := readAll(t, writeFile(t, "u.csv", b.Bytes()), Options{})
	if r.Encoding() != EncUTF8 {
		t.Fatalf("encoding %s, want utf-8: one bad row must not make the file Windows-1251", r.Encoding())
	}
	if len(rows) != 52 {
		t.Fatalf("%d rows, want 52", len(rows))
	}
	for i, row := range rows {
		var re *RowError
		bad := errors.As(row.Err, &re) && re.Code == RowInvalidUTF8
		if bad != (i == 50) {
			t.Errorf("row %d: Err %v", i+1, row.Err)
		}
	}
	if got := rows[50].Fields[1]; got != "\uFFFDИван\uFFFD" || rows[50].Line != 52 {
		t.Errorf("bad row fields %q line %d", got, rows[50].Line)
	}
	if rows[51].Fields[1] != "Ұлан" {
		t.Errorf("row after the bad one: %q", rows[51].Fields)
	}
}

// TestInvalidUTF8AfterSample: a bad row far past the sniffed start of the
// file is flagged too, and reading goes on.
func TestInvalidUTF8AfterSample(t *testing.T) {
	var b bytes.Buffer
	b.WriteString("a;b\n")
	for b.Len() < 2*sampleSize {
		b.WriteString("1;Қазақстан\n")
	}
	b.WriteString("2;\xd0\n3;ok\n")
	_, _, rows := readAll(t, writeFile(t, "u.csv", b.Bytes()), Options{})
	n := len(rows)
	var re *RowError
	if !errors.As(rows[n-2].Err, &re) || re.Code != RowInvalidUTF8 || rows[n-2].Fields[1] != "\uFFFD" || rows[n-1].Fields[1] != "ok" {
		t.Errorf("last rows %+v", rows[n-2:])
	}
}

// fileErr asserts err is a *FileError with code and returns it.
func fileErr(t testing.TB, err error, code string) *FileError {
	t.Helper()
	var fe *FileError
	if !errors.As(err, &fe) {
		t.Fatalf("error %v (%T), want a *FileError %s", err, err, code)
	}
	if fe.Code != code {
		t.Fatalf("code %s (%v), want %s", fe.Code, err, code)
	}
	if fe.Key() != "ingest.file."+code {
		t.Fatalf("key %s", fe.Key())
	}
	return fe
}

// openOrNext opens path and reads every row, returning the first fatal
// error from Open or Next, and the rows read before it.
func openOrNext(path string, opts Options) ([]Row, error) {
	r, err := Open(path, opts)
	if err != nil {
		return nil, err
	}
	defer r.Close()
	var rows []Row
	for {
		row, err := r.Next()
		if err == io.EOF {
			return rows, nil
		}
		if err != nil {
			if _, again := r.Next(); again != err {
				return rows, errors.New("the error is not sticky")
			}
			return rows, err
		}
		rows = append(rows, row)
	}
}

func TestBadInputs(t *testing.T) {
	random := make([]byte, 4096)
	rand.New(rand.NewSource(1)).Read(random)
	tinyRandom := []byte{0x8f, 0x03, 0xe2, 0x11, 0x99, 0x05, 0x41, 0x17}
	png := []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x10")
	tests := []struct {
		name     string
		file     string
		content  []byte
		code     string
		line     int
		rowsRead int
	}{
		{"empty", "e.csv", nil, CodeEmpty, 0, 0},
		{"only bom", "e.csv", []byte("\xEF\xBB\xBF"), CodeEmpty, 0, 0},
		{"only whitespace", "e.csv", []byte(" \r\n\t\n\n  "), CodeEmpty, 0, 0},
		{"only delimiters", "e.csv", []byte(";;;\n;;;\n"), CodeEmpty, 0, 0},
		{"utf-16 bom only", "e.csv", []byte{0xFF, 0xFE}, CodeEmpty, 0, 0},
		{"header only", "h.csv", []byte("a;b;c\n"), CodeNoRows, 0, 0},
		{"header only no newline", "h.csv", []byte("a;b;c"), CodeNoRows, 0, 0},
		{"header and blank rows", "h.csv", []byte("a;b;c\n;;\n\n"), CodeNoRows, 0, 0},
		{"cut in a quoted field", "t.csv", []byte("a;b;c\n1;2;3\n4;\"five\nand a hal"), CodeTruncated, 3, 1},
		{"cut in a quoted field at eol", "t.csv", []byte("a;b;c\n1;2;3\n4;\"five\n"), CodeTruncated, 3, 1},
		{"cut mid-row", "t.csv", []byte("a;b;c\n1;2;3\n4;5"), CodeTruncated, 3, 1},
		{"random bytes", "r.csv", random, CodeBinary, 0, 0},
		{"tiny random bytes", "r.csv", tinyRandom, CodeBinary, 0, 0},
		{"png", "p.csv", png, CodeBinary, 0, 0},
		{"pdf", "p.csv", []byte("%PDF-1.7\n%âãÏÓ\n1 0 obj\n"), CodeBinary, 0, 0},
		{"gzip", "p.csv.gz", []byte("\x1f\x8b\x08\x00\x00\x00\x00\x00"), CodeBinary, 0, 0},
		{"nul bytes in text", "n.csv", []byte("a;b\x00;c\n1;2;3\n"), CodeBinary, 0, 0},
		{"old excel", "o.xls", []byte("\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1\x00\x00"), CodeOldExcel, 0, 0},
		{"text renamed to xlsx", "register.xlsx", []byte("a;b;c\n1;2;3\n"), CodeNotXLSX, 0, 0},
		{"png renamed to xlsx", "register.xlsx", png, CodeBinary, 0, 0},
		{"empty zip", "z.xlsx", []byte("PK\x05\x06" + strings.Repeat("\x00", 18)), CodeNotXLSX, 0, 0},
		{"cut zip", "z.xlsx", []byte("PK\x03\x04\x14\x00\x00\x00\x08\x00"), CodeTruncated, 0, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rows, err := openOrNext(writeFile(t, tt.file, tt.content), Options{})
			fe := fileErr(t, err, tt.code)
			if fe.Line != tt.line || len(rows) != tt.rowsRead {
				t.Errorf("line %d after %d rows, want line %d after %d rows (%v)", fe.Line, len(rows), tt.line, tt.rowsRead, err)
			}
			if fe.File != tt.file || !strings.Contains(err.Error(), tt.file) {
				t.Errorf("error %q does not name the file %s", err, tt.file)
			}
		})
	}
}

// TestLineTooLong streams a 100 MB file that is one line and checks that the
// reader refuses it after about MaxLineBytes, with bounded memory.
func TestLineTooLong(t *testing.T) {
	path := filepath.Join(t.TempDir(), "long.csv")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	chunk := bytes.Repeat([]byte("abcdefgh;"), 1<<13) // 72 KiB
	f.WriteString("a;b\n")
	for n := 0; n < 100<<20; n += len(chunk) {
		if _, err := f.Write(chunk); err != nil {
			t.Fatal(err)
		}
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	before := memStats()
	r, err := Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	_, err = r.Next()
	after := memStats()
	fe := fileErr(t, err, CodeLineTooLong)
	if fe.Line != 2 {
		t.Errorf("line %d, want 2", fe.Line)
	}
	if done, total := r.Progress(); done > 4<<20 || total < 100<<20 {
		t.Errorf("read %d of %d bytes before failing: not fast", done, total)
	}
	if grew := after.TotalAlloc - before.TotalAlloc; grew > 16<<20 {
		t.Errorf("allocated %d MiB to refuse a long line", grew>>20)
	}
	if after.HeapInuse > before.HeapInuse+16<<20 {
		t.Errorf("heap in use grew from %d to %d MiB", before.HeapInuse>>20, after.HeapInuse>>20)
	}
}

// TestLineTooLongInHeader: the limit holds for the first line too, and for
// a file with no line end at all.
func TestLineTooLongInHeader(t *testing.T) {
	content := bytes.Repeat([]byte("x"), 3000)
	_, err := openOrNext(writeFile(t, "l.csv", content), Options{MaxLineBytes: 1000})
	if fe := fileErr(t, err, CodeLineTooLong); fe.Line != 1 {
		t.Errorf("line %d", fe.Line)
	}
	// Exactly the limit is fine.
	content = append(bytes.Repeat([]byte("x"), 1000), "\n1\n"...)
	if _, err := openOrNext(writeFile(t, "l.csv", content), Options{MaxLineBytes: 1000}); err != nil {
		t.Errorf("a line of exactly the limit: %v", err)
	}
}

// TestRowTooLong: a quote that is never closed swallows the lines after it;
// the row is refused once it passes the limit, so memory stays bounded.
func TestRowTooLong(t *testing.T) {
	var b bytes.Buffer
	b.WriteString("a;b\n1;2\n3;\"open\n")
	for b.Len() < 200<<10 {
		b.WriteString("5;6\n")
	}
	rows, err := openOrNext(writeFile(t, "o.csv", b.Bytes()), Options{MaxLineBytes: 64 << 10})
	if fe := fileErr(t, err, CodeRowTooLong); fe.Line != 3 || len(rows) != 1 {
		t.Errorf("line %d after %d rows", fe.Line, len(rows))
	}
}

func TestTooLarge(t *testing.T) {
	content := []byte("a;b\n" + strings.Repeat("1;2\n", 1000))
	// Open knows the size before reading.
	_, err := openOrNext(writeFile(t, "big.csv", content), Options{MaxBytes: 1000})
	fileErr(t, err, CodeTooLarge)
	// New with an unknown size finds out while streaming.
	r, err := New(io.MultiReader(bytes.NewReader(content)), "big.csv", -1, Options{MaxBytes: 1000})
	if err == nil {
		for err == nil {
			_, err = r.Next()
		}
	}
	fileErr(t, err, CodeTooLarge)
}

func TestNewAndProgress(t *testing.T) {
	content := "a;b\n" + strings.Repeat("1;2\n", 100000)
	r, err := New(strings.NewReader(content), "upload.csv", int64(len(content)), Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	var n int
	var last int64
	for {
		_, err := r.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		n++
		if done, total := r.Progress(); done < last || done > total || total != int64(len(content)) {
			t.Fatalf("progress %d/%d after %d", done, total, last)
		} else {
			last = done
		}
	}
	if done, total := r.Progress(); n != 100000 || done != total {
		t.Errorf("%d rows, progress %d/%d", n, done, total)
	}
}

func TestHeaderTrimmed(t *testing.T) {
	content := "\xEF\xBB\xBF  record_id ;\"\ufeffclient_full_name\" ;\t;x;  ;\n1;2;3;4\n"
	_, h, rows := readAll(t, writeFile(t, "h.csv", []byte(content)), Options{})
	if want := []string{"record_id", "client_full_name", "", "x"}; !reflect.DeepEqual(h, want) {
		t.Errorf("header %q, want %q", h, want)
	}
	if len(rows) != 1 || rows[0].Err != nil {
		t.Errorf("rows %+v", rows)
	}
}

func TestErrorTexts(t *testing.T) {
	fe := &FileError{Code: CodeTruncated, File: "r.csv", Line: 7, Err: io.ErrUnexpectedEOF}
	if got := fe.Error(); got != "read r.csv line 7: truncated: unexpected EOF" {
		t.Errorf("Error() = %q", got)
	}
	if !errors.Is(fe, io.ErrUnexpectedEOF) {
		t.Error("FileError does not unwrap")
	}
	if p := fe.Params(); !reflect.DeepEqual(p, []any{"file", "r.csv", "line", 7}) {
		t.Errorf("Params() = %v", p)
	}
}

// BenchmarkCSV reads a 30-column register of 20,000 rows.
func BenchmarkCSV(b *testing.B) {
	var buf bytes.Buffer
	row := strings.Repeat("Қасымова Әлия Ғабитқызы;", 29) + "\"quoted; value\"\n"
	buf.WriteString(strings.Repeat("col;", 29) + "last\n")
	for i := 0; i < 20000; i++ {
		buf.WriteString(row)
	}
	path := writeFile(b, "bench.csv", buf.Bytes())
	b.SetBytes(int64(buf.Len()))
	b.ReportAllocs()
	for b.Loop() {
		r, err := Open(path, Options{})
		if err != nil {
			b.Fatal(err)
		}
		for {
			if _, err := r.Next(); err != nil {
				if err != io.EOF {
					b.Fatal(err)
				}
				break
			}
		}
		r.Close()
	}
}
