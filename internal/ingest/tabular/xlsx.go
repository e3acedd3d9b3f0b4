package tabular

import (
	"archive/zip"
	"bytes"
	"compress/flate"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"os"
	"strconv"
	"strings"
	"sync/atomic"

	"github.com/xuri/excelize/v2"
)

// openXLSX opens a workbook whose first bytes are sample and the rest is in
// cr, or on disk at path. It checks the archive before excelize sees it (see
// checkZip), picks the first visible worksheet and reads its header.
func (r *Reader) openXLSX(sample []byte, cr *countingReader, path string, o Options) (err error) {
	r.format = FormatXLSX
	if path == "" {
		if path, err = spool(sample, cr, r.name, o); err != nil {
			return err
		}
		defer os.Remove(path) // excelize has unpacked what it needs on open
		r.total = max(r.total, cr.n.Load())
	} else if o.tee != nil {
		// Opened by name, the workbook is read out of order, not through
		// cr: pass all of it to the tee now.
		if _, err := io.Copy(io.Discard, cr); err != nil {
			return err
		}
	}
	if err := checkZip(path, r.name, o); err != nil {
		return err
	}
	f, err := openWorkbook(path, r.name, o)
	if err != nil {
		return err
	}
	r.closers = append(r.closers, f.Close)
	src := &xlsxSource{f: f, file: r.name}
	if err := src.start(); err != nil {
		return err
	}
	r.closers = append(r.closers, src.rows.Close)
	r.sheet, r.src = src.sheet, src
	total := r.total
	r.done = func() int64 {
		line, last := src.line.Load(), int64(src.lastRow)
		switch {
		case src.eof.Load():
			return total
		case last <= 1 || line >= last:
			return total * 99 / 100
		}
		return total * line / last
	}
	return r.readHeader()
}

// spool copies an upload to a temporary file, at most o.MaxBytes of it.
func spool(sample []byte, cr *countingReader, name string, o Options) (string, error) {
	tmp, err := os.CreateTemp(o.TempDir, "esep-upload-*.xlsx")
	if err != nil {
		return "", &FileError{Code: CodeUnreadable, File: name, Err: fmt.Errorf("spool: %w", err)}
	}
	_, err = tmp.Write(sample)
	if err == nil {
		_, err = io.Copy(tmp, cr)
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(tmp.Name())
		if errCode(err) != "" {
			return "", err
		}
		return "", &FileError{Code: CodeUnreadable, File: name, Err: fmt.Errorf("spool: %w", err)}
	}
	return tmp.Name(), nil
}

// checkZip looks at a workbook before excelize opens it. excelize trusts the
// sizes an archive declares and keeps every part except worksheets and
// shared strings in memory, so a crafted archive could make it use
// gigabytes. Here every part is unpacked once (and thrown away) to prove
// that its declared size and checksum are true, the total is held to
// MaxUnzipBytes, each part excelize keeps in memory to MaxUnzipXMLBytes,
// and all of them together to four times that.
func checkZip(path, name string, o Options) error {
	zr, err := zip.OpenReader(path)
	if err != nil {
		return &FileError{Code: CodeTruncated, File: name, Err: fmt.Errorf("open zip: %w", err)}
	}
	defer zr.Close()
	if len(zr.File) > maxZipEntries {
		return &FileError{Code: CodeTooLarge, File: name, Err: fmt.Errorf("%d parts in the archive", len(zr.File))}
	}
	var hasTypes, hasWorkbook bool
	var total, packed, inMemory uint64
	for _, f := range zr.File {
		fn := strings.ToLower(strings.ReplaceAll(f.Name, "\\", "/"))
		switch {
		case fn == "[content_types].xml":
			hasTypes = true
		case fn == "xl/workbook.xml":
			hasWorkbook = true
		}
		total += f.UncompressedSize64
		packed += f.CompressedSize64
		if total > uint64(o.MaxUnzipBytes) {
			return sizeError(name, total, packed, fmt.Errorf("unpacks to more than %d bytes", o.MaxUnzipBytes))
		}
		spills := strings.HasPrefix(fn, "xl/worksheets/sheet") || fn == "xl/sharedstrings.xml"
		if f.UncompressedSize64 > uint64(o.MaxUnzipXMLBytes) {
			if !spills {
				return sizeError(name, f.UncompressedSize64, f.CompressedSize64,
					fmt.Errorf("part %s unpacks to %d bytes", f.Name, f.UncompressedSize64))
			}
		} else if inMemory += f.UncompressedSize64; inMemory > 4*uint64(o.MaxUnzipXMLBytes) {
			return sizeError(name, total, packed, fmt.Errorf("parts kept in memory exceed %d bytes", 4*o.MaxUnzipXMLBytes))
		}
	}
	if !hasTypes || !hasWorkbook {
		return &FileError{Code: CodeNotXLSX, File: name, Err: errors.New("a zip archive without a spreadsheet workbook")}
	}
	for _, f := range zr.File {
		if err := verifyPart(f, o); err != nil {
			var fe *FileError
			if errors.As(err, &fe) {
				fe.File = name
				return fe
			}
			return &FileError{Code: CodeTruncated, File: name, Err: fmt.Errorf("part %s: %w", f.Name, err)}
		}
	}
	return nil
}

// sizeError is CodeZipBomb when the content compresses far better than any
// spreadsheet does, else CodeTooLarge.
func sizeError(name string, size, packed uint64, err error) error {
	code := CodeTooLarge
	if size > bombRatio*max(packed, 1) {
		code = CodeZipBomb
	}
	return &FileError{Code: code, File: name, Err: err}
}

// verifyPart unpacks one part of the archive, at most its declared size
// plus one byte, and checks its size and checksum. A worksheet must also
// end with its closing tag: excelize stops reading a sheet at malformed XML
// without a word, so a sheet cut short by the program that wrote it would
// otherwise be imported in part.
func verifyPart(f *zip.File, o Options) error {
	if f.Flags&0x1 != 0 {
		return &FileError{Code: CodeNotXLSX, Err: fmt.Errorf("part %s is encrypted", f.Name)}
	}
	raw, err := f.OpenRaw()
	if err != nil {
		return err
	}
	var rd io.Reader
	switch f.Method {
	case zip.Store:
		rd = raw
	case zip.Deflate:
		fr := flate.NewReader(raw)
		defer fr.Close()
		rd = fr
	default:
		return &FileError{Code: CodeNotXLSX, Err: fmt.Errorf("part %s: compression method %d", f.Name, f.Method)}
	}
	h := crc32.NewIEEE()
	var tail tailWriter
	n, err := io.Copy(io.MultiWriter(h, &tail), io.LimitReader(rd, int64(f.UncompressedSize64)+1))
	switch {
	case uint64(n) > f.UncompressedSize64:
		return &FileError{Code: CodeZipBomb, Err: fmt.Errorf("part %s unpacks to more than the %d bytes it declares", f.Name, f.UncompressedSize64)}
	case err != nil:
		return err
	case uint64(n) < f.UncompressedSize64:
		return fmt.Errorf("%d of %d bytes: %w", n, f.UncompressedSize64, io.ErrUnexpectedEOF)
	case h.Sum32() != f.CRC32:
		return zip.ErrChecksum
	}
	fn := strings.ToLower(f.Name)
	if strings.HasPrefix(fn, "xl/worksheets/") && strings.HasSuffix(fn, ".xml") &&
		!bytes.HasSuffix(bytes.TrimSpace(tail.last()), []byte("worksheet>")) {
		return fmt.Errorf("worksheet %s does not end with </worksheet>: %w", f.Name, io.ErrUnexpectedEOF)
	}
	return nil
}

// tailWriter keeps the last bytes written to it.
type tailWriter struct {
	buf [64]byte
	n   int // bytes written in all
}

func (t *tailWriter) Write(p []byte) (int, error) {
	if len(p) >= len(t.buf) {
		copy(t.buf[:], p[len(p)-len(t.buf):])
	} else {
		copy(t.buf[:], t.buf[len(p):])
		copy(t.buf[len(t.buf)-len(p):], p)
	}
	t.n += len(p)
	return len(p), nil
}

func (t *tailWriter) last() []byte { return t.buf[len(t.buf)-min(t.n, len(t.buf)):] }

// openWorkbook opens a checked archive with excelize, which must not panic
// the program on a malformed workbook.
func openWorkbook(path, name string, o Options) (f *excelize.File, err error) {
	defer func() {
		if p := recover(); p != nil {
			f, err = nil, &FileError{Code: CodeNotXLSX, File: name, Err: fmt.Errorf("excelize panic: %v", p)}
		}
	}()
	f, err = excelize.OpenFile(path, excelize.Options{
		UnzipSizeLimit:    o.MaxUnzipBytes,
		UnzipXMLSizeLimit: o.MaxUnzipXMLBytes,
		TmpDir:            o.TempDir,
	})
	if err != nil {
		if f != nil {
			f.Close()
		}
		return nil, &FileError{Code: CodeNotXLSX, File: name, Err: err}
	}
	return f, nil
}

// xlsxSource streams the rows of one worksheet.
type xlsxSource struct {
	f       *excelize.File
	rows    *excelize.Rows
	file    string
	sheet   string
	lastRow int          // the last row of the declared dimension, for Progress; 0 if unknown
	line    atomic.Int64 // rows of the sheet read so far
	eof     atomic.Bool
}

// start picks the first visible worksheet, makes dates come out as ISO
// dates, and starts the row iterator.
func (s *xlsxSource) start() (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = &FileError{Code: CodeNotXLSX, File: s.file, Err: fmt.Errorf("excelize panic: %v", p)}
		}
	}()
	sheets := s.f.GetSheetList()
	if len(sheets) == 0 {
		return &FileError{Code: CodeNotXLSX, File: s.file, Err: errors.New("a workbook without sheets")}
	}
	s.sheet = sheets[0]
	for _, name := range sheets {
		if v, err := s.f.GetSheetVisible(name); err == nil && v {
			s.sheet = name
			break
		}
	}
	isoDates(s.f)
	if dim, err := s.f.GetSheetDimension(s.sheet); err == nil {
		s.lastRow = lastRow(dim)
	}
	if s.rows, err = s.f.Rows(s.sheet); err != nil {
		return &FileError{Code: CodeNotXLSX, File: s.file, Err: fmt.Errorf("sheet %q: %w", s.sheet, err)}
	}
	return nil
}

func (s *xlsxSource) next() (rec record, err error) {
	line := int(s.line.Load())
	defer func() {
		if p := recover(); p != nil {
			err = &FileError{Code: CodeNotXLSX, File: s.file, Line: line + 1, Err: fmt.Errorf("excelize panic: %v", p)}
		}
	}()
	if !s.rows.Next() {
		if err := s.rows.Error(); err != nil {
			return record{}, &FileError{Code: CodeTooLarge, File: s.file, Line: line + 1, Err: err}
		}
		s.eof.Store(true)
		return record{}, io.EOF
	}
	line++
	s.line.Store(int64(line))
	cols, err := s.rows.Columns()
	rec = record{fields: cols, line: line}
	if err != nil {
		rec.err = &RowError{Code: RowBadCell, Line: line, Err: err}
	}
	return rec, nil
}

// lastRow reads the last row of a dimension such as "A1:AD1200".
func lastRow(dim string) int {
	if i := strings.LastIndexByte(dim, ':'); i >= 0 {
		dim = dim[i+1:]
	}
	dim = strings.TrimLeft(dim, "$ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz")
	n, err := strconv.Atoi(strings.TrimPrefix(dim, "$"))
	if err != nil {
		return 0
	}
	return n
}

// isoDates changes, in memory, the number format of every cell style that
// shows a date to yyyy-mm-dd (or yyyy-mm-dd hh:mm:ss with a time), so that
// a date comes out of excelize in the form the register uses whatever the
// user's locale made of it (03-15-24, 15.03.2024, 15 марта 2024 ...).
// Number formats of other cells stay as they are: they keep the leading
// zeros of an IIN kept as a number, for one.
func isoDates(f *excelize.File) {
	if f.Styles == nil || f.Styles.CellXfs == nil {
		return
	}
	var dateFmt, dateTimeFmt *int
	numFmtOf := func(code string) *int {
		id, err := f.NewStyle(&excelize.Style{CustomNumFmt: &code})
		if err != nil || id >= len(f.Styles.CellXfs.Xf) {
			return nil
		}
		return f.Styles.CellXfs.Xf[id].NumFmtID
	}
	n := len(f.Styles.CellXfs.Xf)
	for i := 1; i < n; i++ {
		st, err := f.GetStyle(i)
		if err != nil || st == nil {
			continue
		}
		var date, clock bool
		if st.CustomNumFmt != nil {
			date, clock = classifyNumFmt(*st.CustomNumFmt)
		} else {
			date, clock = builtinDate(st.NumFmt)
		}
		switch {
		case date && clock:
			if dateTimeFmt == nil {
				dateTimeFmt = numFmtOf("yyyy-mm-dd hh:mm:ss")
			}
			if dateTimeFmt != nil {
				f.Styles.CellXfs.Xf[i].NumFmtID = dateTimeFmt
			}
		case date:
			if dateFmt == nil {
				dateFmt = numFmtOf("yyyy-mm-dd")
			}
			if dateFmt != nil {
				f.Styles.CellXfs.Xf[i].NumFmtID = dateFmt
			}
		}
	}
}

// builtinDate classifies the built-in number formats of Excel: 14-17 and
// the East Asian 27-31, 36, 50-58 are dates, 22 a date and time.
func builtinDate(id int) (date, clock bool) {
	switch {
	case id == 22:
		return true, true
	case id >= 14 && id <= 17, id >= 27 && id <= 31, id == 36, id >= 50 && id <= 58:
		return true, false
	}
	return false, false
}

// classifyNumFmt tells whether a custom number format shows a date and
// whether it shows a time of day. Only the first section counts; quoted
// text, escaped characters, [colours] and [$-locale] tags are skipped.
func classifyNumFmt(code string) (date, clock bool) {
	if i := strings.IndexByte(code, ';'); i >= 0 {
		code = code[:i]
	}
	code = strings.ToLower(code)
	code = strings.NewReplacer("am/pm", "", "a/p", "").Replace(code)
	var month bool
	for i := 0; i < len(code); i++ {
		switch c := code[i]; c {
		case '"':
			if j := strings.IndexByte(code[i+1:], '"'); j >= 0 {
				i += j + 1
			} else {
				i = len(code)
			}
		case '\\', '_', '*':
			i++
		case '[':
			j := strings.IndexByte(code[i:], ']')
			if j < 0 {
				return false, false
			}
			if t := strings.Trim(code[i+1:i+j], "hms"); t == "" && j > 1 {
				clock = true // [h]:mm elapsed time
			}
			i += j
		case 'y', 'd':
			date = true
		case 'm':
			month = true
		case 'h', 's':
			clock = true
		}
	}
	if month && !clock {
		date = true
	}
	return date, clock
}
