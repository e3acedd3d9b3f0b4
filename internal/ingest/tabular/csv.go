package tabular

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync/atomic"
	"unicode/utf8"
)

// countingReader counts the bytes read from the file, for Progress, and
// stops at the size limit.
type countingReader struct {
	r    io.Reader
	n    atomic.Int64
	max  int64
	file string
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	total := c.n.Add(int64(n))
	if c.max > 0 && total > c.max {
		return 0, &FileError{Code: CodeTooLarge, File: c.file,
			Err: fmt.Errorf("more than %d bytes", c.max)}
	}
	if err != nil && err != io.EOF {
		err = &FileError{Code: CodeUnreadable, File: c.file, Err: err}
	}
	return n, err
}

// lineLimitReader fails as soon as a physical line (bytes since the last
// '\n') grows past max, so a file that is one huge line is refused after
// reading max bytes of it, whatever its size, and no buffer above it ever
// holds more than one line.
type lineLimitReader struct {
	r     io.Reader
	max   int
	since int // bytes since the last '\n'
	line  int // '\n' seen so far
	file  string
}

func (l *lineLimitReader) Read(p []byte) (int, error) {
	n, err := l.r.Read(p)
	b := p[:n]
	for off := 0; off < len(b); {
		i := bytes.IndexByte(b[off:], '\n')
		if i < 0 {
			if l.since+len(b)-off > l.max {
				return off + l.max - l.since, l.tooLong()
			}
			l.since += len(b) - off
			break
		}
		if l.since+i > l.max {
			return off + l.max - l.since, l.tooLong()
		}
		l.since = 0
		l.line++
		off += i + 1
	}
	return n, err
}

func (l *lineLimitReader) tooLong() error {
	return &FileError{Code: CodeLineTooLong, File: l.file, Line: l.line + 1,
		Err: fmt.Errorf("line longer than %d bytes", l.max)}
}

// crReader turns every '\r' into '\n', for files from old Macs whose lines
// end in a lone carriage return.
type crReader struct{ r io.Reader }

func (c crReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	for i, b := range p[:n] {
		if b == '\r' {
			p[i] = '\n'
		}
	}
	return n, err
}

// record is one row as a source reads it, before the Reader checks it
// against the header.
type record struct {
	fields []string
	line   int       // where the row starts
	err    *RowError // a problem with the row, or nil
	// unterminated: the row is the last one and no line end follows it, so
	// it may have been cut.
	unterminated bool
}

// source is a CSV or XLSX file read one row at a time.
type source interface {
	// next returns the next row, io.EOF after the last, or a *FileError.
	next() (record, error)
}

// csvSource parses delimited text (RFC 4180, with the leniency real files
// need) from UTF-8. It holds at most one row in memory.
type csvSource struct {
	br       *bufio.Reader
	comma    byte
	checkUTF bool // the text is passed through undecoded, so may be invalid UTF-8
	maxRow   int
	file     string
	line     int // physical lines consumed
	lineBuf  []byte
	field    []byte
}

// readLine returns the next physical line without its line end, and whether
// a '\n' ended it. It returns io.EOF when nothing is left.
func (s *csvSource) readLine() (line []byte, nl bool, err error) {
	s.lineBuf = s.lineBuf[:0]
	for {
		chunk, err := s.br.ReadSlice('\n')
		if err == bufio.ErrBufferFull {
			s.lineBuf = append(s.lineBuf, chunk...)
			continue
		}
		if len(s.lineBuf) > 0 {
			s.lineBuf = append(s.lineBuf, chunk...)
			chunk = s.lineBuf
		}
		switch {
		case err == nil:
			s.line++
			chunk = chunk[:len(chunk)-1]
			if n := len(chunk); n > 0 && chunk[n-1] == '\r' {
				chunk = chunk[:n-1]
			}
			return chunk, true, nil
		case err == io.EOF && len(chunk) > 0:
			s.line++
			if n := len(chunk); chunk[n-1] == '\r' {
				chunk = chunk[:n-1]
			}
			return chunk, false, nil
		case err == io.EOF:
			return nil, false, io.EOF
		default:
			var fe *FileError
			if errors.As(err, &fe) {
				return nil, false, err
			}
			return nil, false, &FileError{Code: CodeUnreadable, File: s.file, Line: s.line + 1, Err: err}
		}
	}
}

func (s *csvSource) next() (record, error) {
	line, nl, err := s.readLine()
	if err != nil {
		return record{}, err
	}
	rec := record{line: s.line}
	size := len(line)
	pos := 0
	for {
		// At the start of a field.
		if pos < len(line) && line[pos] == '"' {
			more, err := s.quoted(&rec, &line, &nl, &pos, &size)
			if err != nil {
				return record{}, err
			}
			if !more {
				break
			}
			continue
		}
		// An unquoted field runs to the next delimiter or the end of the
		// line; quotes inside it are kept as they are (ТОО "Ромашка").
		i := bytes.IndexByte(line[pos:], s.comma)
		if i < 0 {
			rec.fields = append(rec.fields, string(line[pos:]))
			break
		}
		rec.fields = append(rec.fields, string(line[pos:pos+i]))
		pos += i + 1
	}
	rec.unterminated = !nl
	if s.checkUTF {
		for i, f := range rec.fields {
			if !utf8.ValidString(f) {
				rec.fields[i] = toValidUTF8(f)
				if rec.err == nil {
					rec.err = &RowError{Code: RowInvalidUTF8, Line: rec.line}
				}
			}
		}
	}
	return rec, nil
}

// quoted reads a quoted field that starts at line[*pos], going on to the
// next lines while it is open, and appends it to rec. It reports whether a
// delimiter follows the field (more fields) or the row ends with it.
func (s *csvSource) quoted(rec *record, line *[]byte, nl *bool, pos *int, size *int) (more bool, err error) {
	l, p := *line, *pos+1
	defer func() { *line, *pos = l, p }()
	s.field = s.field[:0]
	for {
		i := bytes.IndexByte(l[p:], '"')
		if i < 0 {
			// The field goes on past the end of this line.
			s.field = append(s.field, l[p:]...)
			if !*nl {
				return false, s.openQuote(rec.line)
			}
			s.field = append(s.field, '\n')
			l, *nl, err = s.readLine()
			if err == io.EOF {
				return false, s.openQuote(rec.line)
			} else if err != nil {
				return false, err
			}
			p = 0
			if *size += len(l) + 1; *size > s.maxRow {
				return false, &FileError{Code: CodeRowTooLong, File: s.file, Line: rec.line,
					Err: fmt.Errorf("row longer than %d bytes", s.maxRow)}
			}
			continue
		}
		s.field = append(s.field, l[p:p+i]...)
		p += i + 1
		if p < len(l) && l[p] != '"' {
			// Blanks between the closing quote and the delimiter: "a" ;
			k := p
			for k < len(l) && (l[k] == ' ' || l[k] == '\t') && l[k] != s.comma {
				k++
			}
			if k == len(l) || l[k] == s.comma {
				p = k
			}
		}
		switch {
		case p < len(l) && l[p] == '"': // "" is one quote
			s.field = append(s.field, '"')
			p++
		case p == len(l): // the closing quote ends the row
			rec.fields = append(rec.fields, string(s.field))
			return false, nil
		case l[p] == s.comma: // the closing quote, then the next field
			rec.fields = append(rec.fields, string(s.field))
			p++
			return true, nil
		default:
			// A quote inside a quoted field that is neither doubled nor
			// closing: `"ТОО "Ромашка""`. Keep it, read the rest of the field
			// as unquoted text so that the damage stays on this line, and
			// flag the row.
			if rec.err == nil {
				rec.err = &RowError{Code: RowBadQuote, Line: rec.line}
			}
			s.field = append(s.field, '"')
			j := bytes.IndexByte(l[p:], s.comma)
			if j < 0 {
				s.field = append(s.field, l[p:]...)
				p = len(l)
				rec.fields = append(rec.fields, string(s.field))
				return false, nil
			}
			s.field = append(s.field, l[p:p+j]...)
			rec.fields = append(rec.fields, string(s.field))
			p += j + 1
			return true, nil
		}
	}
}

func (s *csvSource) openQuote(line int) error {
	return &FileError{Code: CodeTruncated, File: s.file, Line: line,
		Err: errors.New("the file ends inside a quoted field")}
}

// toValidUTF8 replaces each run of invalid bytes by U+FFFD.
func toValidUTF8(s string) string { return strings.ToValidUTF8(s, "\uFFFD") }
