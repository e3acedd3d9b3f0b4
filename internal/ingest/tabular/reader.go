package tabular

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"unicode"

	"golang.org/x/text/transform"
)

// Format is the kind of file a Reader reads.
type Format string

// The formats a Reader reads.
const (
	FormatCSV  Format = "csv"  // delimited text in any of the supported encodings
	FormatXLSX Format = "xlsx" // an Office Open XML workbook
)

// Row is one data row of a file.
type Row struct {
	// Num is the 1-based number of the row below the header, counting the
	// blank rows that Next skips, so that it stays the row number the user
	// sees: data row 5 is the fifth row under the header whether or not
	// rows 3 and 4 are empty. A CSV row spread over several lines by quoted
	// fields counts once.
	Num int
	// Line is the 1-based physical line of a CSV file where the row starts,
	// or the row number of the worksheet, header included.
	Line int
	// Fields are the values of the row as text, one per header column:
	// there are exactly len(Header()) of them (missing ones are ""), except
	// when Err reports extra non-blank fields, which are kept. Values are
	// not trimmed. Workbook cells come as Excel displays them, except that
	// date cells come as YYYY-MM-DD and date-time cells as
	// YYYY-MM-DD hh:mm:ss.
	Fields []string
	// Err is a *RowError when the row is bad (a wrong number of fields, a
	// misplaced quote, invalid UTF-8, an unreadable cell). The row should be
	// reported and skipped; reading goes on.
	Err error
}

// Reader reads the rows of a CSV or XLSX file one at a time. Memory stays
// bounded whatever the size of the file: a CSV file is streamed, and a
// workbook's worksheet is streamed from memory or from a temporary file.
// A Reader is not safe for concurrent use, except Progress, which may be
// called from another goroutine while Next runs.
type Reader struct {
	name    string
	format  Format
	enc     string
	comma   byte
	sheet   string
	src     source
	header  []string
	total   int64
	done    func() int64
	num     int // records read below the header, blank ones included
	rows    int // rows returned
	err     error
	closers []func() error
}

// Open opens the file at path and reads its header. The format is found from
// the content: a zip archive is read as an XLSX workbook, anything else as
// delimited text. The name in errors is the file's base name. It returns a
// *FileError for a file that cannot be read as a table (see the Code
// constants). Close the Reader when done.
func Open(path string, opts Options) (*Reader, error) { return OpenTee(path, opts, nil) }

// OpenTee is Open that also writes every byte of the file to tee (when not
// nil) as it is read, so that a caller can hash a file without reading it a
// second time. A text file reaches tee as it is parsed, all of it once Next
// has returned io.EOF; a workbook, which is read out of order, is copied to
// tee whole when it is opened.
func OpenTee(path string, opts Options, tee io.Writer) (*Reader, error) {
	opts.tee = tee
	name := filepath.Base(path)
	f, err := os.Open(path)
	if err != nil {
		return nil, &FileError{Code: CodeUnreadable, File: name, Err: err}
	}
	fi, err := f.Stat()
	if err == nil && !fi.Mode().IsRegular() {
		err = errors.New("not a regular file")
	}
	if err != nil {
		f.Close()
		return nil, &FileError{Code: CodeUnreadable, File: name, Err: err}
	}
	r, err := newReader(f, name, fi.Size(), path, opts)
	if err != nil {
		f.Close()
		return nil, err
	}
	r.closers = append(r.closers, f.Close)
	return r, nil
}

// New reads a table from r, for example an HTTP upload. name is the file
// name shown in errors (its extension only matters to tell a text file
// renamed to .xlsx); size is the length of the content, or a value <= 0 if
// unknown (then Progress reports no total). A workbook needs random access,
// so unless r is a regular *os.File at offset 0 it is first copied to a
// temporary file in Options.TempDir, at most Options.MaxBytes of it, which
// is removed as soon as the workbook is open. r is not closed. It returns a
// *FileError as Open does.
func New(r io.Reader, name string, size int64, opts Options) (*Reader, error) {
	path := ""
	if f, ok := r.(*os.File); ok {
		// A regular file read from its start can be opened by name; anything
		// else (a pipe, a file partly read) is streamed or spooled.
		fi, err := f.Stat()
		if off, serr := f.Seek(0, io.SeekCurrent); err == nil && serr == nil && off == 0 && fi.Mode().IsRegular() {
			path = f.Name()
			if size <= 0 {
				size = fi.Size()
			}
		}
	}
	return newReader(r, name, size, path, opts)
}

// newReader sniffs the content of in and opens the right source. path is
// the file on disk behind in, if any (a workbook is then opened from it
// without spooling).
func newReader(in io.Reader, name string, size int64, path string, opts Options) (*Reader, error) {
	o := opts.withDefaults()
	if size > o.MaxBytes {
		return nil, &FileError{Code: CodeTooLarge, File: name,
			Err: fmt.Errorf("%d bytes, the limit is %d", size, o.MaxBytes)}
	}
	if o.tee != nil {
		in = io.TeeReader(in, o.tee)
	}
	cr := &countingReader{r: in, max: o.MaxBytes, file: name}
	sample := make([]byte, sampleSize)
	n, err := io.ReadFull(cr, sample)
	complete := err == io.EOF || err == io.ErrUnexpectedEOF
	if err != nil && !complete {
		return nil, err // a *FileError from cr
	}
	sample = sample[:n]
	if n == 0 {
		return nil, &FileError{Code: CodeEmpty, File: name, Err: errors.New("zero bytes")}
	}
	r := &Reader{name: name, total: max(size, 0)}
	switch sniffKind(sample) {
	case kindZip:
		if err := r.openXLSX(sample, cr, path, o); err != nil {
			r.Close()
			return nil, err
		}
		return r, nil
	case kindOLE:
		return nil, &FileError{Code: CodeOldExcel, File: name,
			Err: errors.New("an OLE2 compound file: Excel 97-2003 or a password-protected workbook")}
	case kindBinary:
		return nil, &FileError{Code: CodeBinary, File: name, Err: errors.New("the magic number of a binary format")}
	}
	if ext := strings.ToLower(filepath.Ext(name)); ext == ".xlsx" || ext == ".xlsm" || ext == ".xltx" {
		return nil, &FileError{Code: CodeNotXLSX, File: name, Err: errors.New("named " + ext + " but not a zip archive")}
	}
	enc, bom, binary := sniffEncoding(sample, complete)
	if binary {
		return nil, &FileError{Code: CodeBinary, File: name, Err: errors.New("NUL or control bytes")}
	}
	text := io.MultiReader(bytes.NewReader(sample[bom:]), cr)
	if t := decoder(enc); t != nil {
		text = transform.NewReader(text, t)
	}
	dec := decodeSample(enc, sample[bom:])
	if bytes.IndexByte(dec, '\n') < 0 && bytes.IndexByte(dec, '\r') >= 0 {
		text = crReader{text}
		dec = bytes.ReplaceAll(dec, []byte("\r"), []byte("\n"))
	}
	text = &lineLimitReader{r: text, max: o.MaxLineBytes, file: name}
	r.format, r.enc, r.comma = FormatCSV, enc, sniffComma(dec)
	r.src = &csvSource{
		br:       bufio.NewReaderSize(text, 64<<10),
		comma:    r.comma,
		checkUTF: enc == EncUTF8 || enc == EncUTF8BOM,
		maxRow:   o.MaxLineBytes,
		file:     name,
	}
	r.done = cr.n.Load
	if err := r.readHeader(); err != nil {
		return nil, err
	}
	return r, nil
}

// readHeader takes the first non-blank row as the header.
func (r *Reader) readHeader() error {
	for {
		rec, err := r.src.next()
		if err == io.EOF {
			return &FileError{Code: CodeEmpty, File: r.name, Err: errors.New("no non-blank row")}
		}
		if err != nil {
			return err
		}
		if blank(rec.fields) {
			continue
		}
		h := make([]string, len(rec.fields))
		for i, f := range rec.fields {
			h[i] = strings.TrimSpace(strings.TrimLeft(f, "\ufeff"))
		}
		for len(h) > 0 && h[len(h)-1] == "" {
			h = h[:len(h)-1]
		}
		if len(h) == 0 {
			continue // only byte-order marks
		}
		r.header = h
		return nil
	}
}

// Header returns the titles of the header row, trimmed, without a
// byte-order mark, and without the blank titles at its end.
func (r *Reader) Header() []string { return append([]string(nil), r.header...) }

// Next returns the next data row, skipping blank rows (every field empty
// or whitespace). It returns io.EOF after the last row. A problem with one
// row is in Row.Err and does not stop reading; a problem with the file is a
// *FileError, returned again by every later call. A file with a header but
// no data row gets a FileError with CodeNoRows on the first call.
func (r *Reader) Next() (Row, error) {
	if r.err != nil {
		return Row{}, r.err
	}
	for {
		rec, err := r.src.next()
		if err == io.EOF {
			r.err = io.EOF
			if r.rows == 0 {
				r.err = &FileError{Code: CodeNoRows, File: r.name, Err: errors.New("a header but no data rows")}
			}
			return Row{}, r.err
		}
		if err != nil {
			r.err = err
			return Row{}, err
		}
		r.num++
		if blank(rec.fields) {
			continue
		}
		row := Row{Num: r.num, Line: rec.line, Fields: rec.fields}
		if rec.err != nil {
			row.Err = rec.err
		}
		width, n := len(r.header), len(rec.fields)
		for n > width && strings.TrimFunc(rec.fields[n-1], isBlank) == "" {
			n--
		}
		switch {
		case n < width && rec.unterminated:
			// The last line has no line end and too few fields: the file
			// was most likely cut in the middle of this row.
			r.err = &FileError{Code: CodeTruncated, File: r.name, Line: rec.line,
				Err: fmt.Errorf("the last row has %d of %d fields and no line end", n, width)}
			return Row{}, r.err
		case n != width && (n > width || r.format == FormatCSV) && row.Err == nil:
			// A worksheet leaves out empty cells at the end of a row, so
			// only a CSV row can be short.
			row.Err = &RowError{Code: RowFieldCount, Line: rec.line, Got: n, Want: width}
		}
		if n < width {
			row.Fields = append(rec.fields[:n], make([]string, width-n)...)
		} else {
			row.Fields = rec.fields[:n]
		}
		r.rows++
		return row, nil
	}
}

// blank reports a row whose fields are all empty, whitespace or stray
// byte-order marks.
func blank(fields []string) bool {
	for _, f := range fields {
		if strings.TrimFunc(f, isBlank) != "" {
			return false
		}
	}
	return true
}

func isBlank(r rune) bool { return unicode.IsSpace(r) || r == '\ufeff' }

// Progress reports how much of the file has been read, in bytes, and its
// size (0 if unknown), for a progress bar. For a workbook, done is an
// estimate from the rows read and the worksheet's declared dimension.
func (r *Reader) Progress() (done, total int64) {
	if r.done == nil {
		return 0, r.total
	}
	done = r.done()
	if r.total > 0 && done > r.total {
		done = r.total
	}
	return done, r.total
}

// Name returns the file name used in errors.
func (r *Reader) Name() string { return r.name }

// Format returns the format of the file.
func (r *Reader) Format() Format { return r.format }

// Encoding returns the text encoding of a CSV file (one of the Enc
// constants), or "" for a workbook.
func (r *Reader) Encoding() string { return r.enc }

// Comma returns the delimiter of a CSV file, or 0 for a workbook.
func (r *Reader) Comma() rune { return rune(r.comma) }

// Sheet returns the name of the worksheet read from a workbook: the first
// visible one. It is "" for a CSV file.
func (r *Reader) Sheet() string { return r.sheet }

// Close releases the file and any temporary files. It does not close the
// io.Reader given to New.
func (r *Reader) Close() error {
	var first error
	for i := len(r.closers) - 1; i >= 0; i-- {
		if err := r.closers[i](); err != nil && first == nil {
			first = err
		}
	}
	r.closers = nil
	return first
}
