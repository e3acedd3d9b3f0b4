package tabular

import (
	"bytes"
	"strings"
	"unicode/utf8"

	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/encoding/unicode"
	"golang.org/x/text/transform"
)

// Text encodings reported by Reader.Encoding.
const (
	EncUTF8        = "utf-8"
	EncUTF8BOM     = "utf-8-bom"
	EncUTF16LE     = "utf-16le"
	EncUTF16BE     = "utf-16be"
	EncWindows1251 = "windows-1251"
)

// Magic numbers at the start of a file.
var (
	magicZip      = []byte("PK\x03\x04")
	magicZipEmpty = []byte("PK\x05\x06")
	magicOLE      = []byte{0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1}
	bomUTF8       = []byte{0xEF, 0xBB, 0xBF}
	bomUTF16LE    = []byte{0xFF, 0xFE}
	bomUTF16BE    = []byte{0xFE, 0xFF}
	// Binary formats people upload by mistake instead of a register.
	binaryMagics = [][]byte{
		[]byte("%PDF-"),
		[]byte("\x89PNG\r\n\x1a\n"),
		[]byte("\x1f\x8b"),           // gzip
		[]byte("\x7fELF"),            // ELF executable
		[]byte("\xff\xd8\xff"),       // JPEG
		[]byte("GIF87a"),             // GIF
		[]byte("GIF89a"),             // GIF
		[]byte("Rar!\x1a\x07"),       // RAR
		[]byte("7z\xbc\xaf\x27\x1c"), // 7-Zip
		[]byte("BZh91AY&SY"),         // bzip2
		{0xFF, 0xFE, 0x00, 0x00},     // UTF-32LE BOM: not a text encoding esep reads
		{0x00, 0x00, 0xFE, 0xFF},     // UTF-32BE BOM
	}
)

// kind is what the first bytes of a file say it is.
type kind int

const (
	kindText   kind = iota
	kindZip         // a zip archive: XLSX, or not a workbook at all
	kindOLE         // an OLE2 compound file: .xls or an encrypted workbook
	kindBinary      // some other known binary format
)

func sniffKind(sample []byte) kind {
	switch {
	case bytes.HasPrefix(sample, magicZip), bytes.HasPrefix(sample, magicZipEmpty):
		return kindZip
	case bytes.HasPrefix(sample, magicOLE):
		return kindOLE
	}
	for _, m := range binaryMagics {
		if bytes.HasPrefix(sample, m) {
			return kindBinary
		}
	}
	return kindText
}

// sniffEncoding finds the encoding of a text file from its first bytes:
// a byte-order mark; else UTF-16 told by NULs in every other byte; else
// UTF-8 if the sample is (mostly) valid UTF-8; else Windows-1251, the ANSI
// code page of Russian and Kazakh Windows. It returns the encoding, the
// length of the byte-order mark to skip, and whether the sample looks like
// binary data rather than text. complete says the sample is the whole file,
// so an incomplete character at its end is an error, not a cut.
func sniffEncoding(sample []byte, complete bool) (enc string, bom int, binary bool) {
	switch {
	case bytes.HasPrefix(sample, bomUTF8):
		return EncUTF8BOM, len(bomUTF8), looksBinary(sample[3:])
	case bytes.HasPrefix(sample, bomUTF16LE):
		return EncUTF16LE, 2, looksBinary(decodeSample(EncUTF16LE, sample[2:]))
	case bytes.HasPrefix(sample, bomUTF16BE):
		return EncUTF16BE, 2, looksBinary(decodeSample(EncUTF16BE, sample[2:]))
	}
	if le, be := sniffUTF16(sample); le || be {
		enc = EncUTF16LE
		if be {
			enc = EncUTF16BE
		}
		return enc, 0, looksBinary(decodeSample(enc, sample))
	}
	if looksBinary(sample) {
		return "", 0, true
	}
	if !complete {
		sample = trimPartialRune(sample)
	}
	if mostlyUTF8(sample) {
		return EncUTF8, 0, false
	}
	return EncWindows1251, 0, false
}

// sniffUTF16 tells UTF-16 without a byte-order mark. In text of one or two
// alphabets the high bytes take few values: zero for every ASCII character
// (digits, delimiters, line ends), 0x04 for Cyrillic. So one side of each
// byte pair (odd offsets for little-endian, even for big-endian) is zero
// often and takes at most two values almost always, and the other side is
// almost never zero.
func sniffUTF16(s []byte) (le, be bool) {
	n := len(s) / 2
	if n < 2 {
		return false, false
	}
	var even, odd [256]int
	for i := 0; i+1 < len(s); i += 2 {
		even[s[i]]++
		odd[s[i+1]]++
	}
	high := func(h, low *[256]int) bool {
		if h[0]*10 < n || low[0]*50 > n {
			return false
		}
		second := 0
		for b := 1; b < 256; b++ {
			second = max(second, h[b])
		}
		return (h[0]+second)*10 >= n*9
	}
	return high(&odd, &even), high(&even, &odd)
}

// looksBinary reports NUL bytes, or control characters other than tab, line
// feed, carriage return, form feed and the DOS end-of-file mark in more than
// 1% of the bytes.
func looksBinary(s []byte) bool {
	var ctl int
	for _, b := range s {
		switch {
		case b == 0:
			return true
		case b == '\t', b == '\n', b == '\r', b == '\f', b == 0x1A:
		case b < 0x20, b == 0x7F:
			ctl++
		}
	}
	return ctl > 0 && ctl*100 >= len(s)
}

// trimPartialRune drops an incomplete UTF-8 sequence cut by the end of the
// sample.
func trimPartialRune(s []byte) []byte {
	for i := 1; i <= utf8.UTFMax && i <= len(s); i++ {
		if utf8.RuneStart(s[len(s)-i]) {
			if !utf8.FullRune(s[len(s)-i:]) {
				return s[:len(s)-i]
			}
			break
		}
	}
	return s
}

// mostlyUTF8 reports whether s is UTF-8: valid, or with many more valid
// multi-byte characters than invalid bytes, so that one bad row in a UTF-8
// file does not turn the whole file into Windows-1251 mojibake (that row
// gets a RowInvalidUTF8 instead). Windows-1251 Cyrillic almost never forms
// valid multi-byte UTF-8 sequences.
func mostlyUTF8(s []byte) bool {
	if utf8.Valid(s) {
		return true
	}
	var multi, bad int
	for len(s) > 0 {
		r, size := utf8.DecodeRune(s)
		switch {
		case r == utf8.RuneError && size == 1:
			bad++
		case size > 1:
			multi++
		}
		s = s[size:]
	}
	return multi >= 8*bad
}

// decoder returns the transformer from enc to UTF-8, nil for UTF-8 itself.
func decoder(enc string) transform.Transformer {
	switch enc {
	case EncUTF16LE:
		return unicode.UTF16(unicode.LittleEndian, unicode.IgnoreBOM).NewDecoder()
	case EncUTF16BE:
		return unicode.UTF16(unicode.BigEndian, unicode.IgnoreBOM).NewDecoder()
	case EncWindows1251:
		return charmap.Windows1251.NewDecoder()
	}
	return nil
}

// decodeSample decodes the start of a file to UTF-8 for sniffing; errors
// and a cut last character do not matter there.
func decodeSample(enc string, s []byte) []byte {
	t := decoder(enc)
	if t == nil {
		return s
	}
	if enc == EncUTF16LE || enc == EncUTF16BE {
		s = s[:len(s)&^1]
	}
	out, _, _ := transform.Bytes(t, s)
	return out
}

// delimiters are the candidates, in order of preference on a tie: Excel in
// Kazakhstan and Russia writes ';'.
var delimiters = []byte{';', '\t', ','}

// sniffComma picks the delimiter of a decoded text sample. Every candidate
// splits the header line (counting outside quotes) and up to 20 lines after
// it; the winner is the one that gives the most lines with the header's
// field count, then the most header fields. The second test matters when
// titles contain commas, as the Russian "Фамилия, имя, отчество" does.
func sniffComma(text []byte) byte {
	lines := strings.Split(string(text), "\n")
	var header string
	var rest []string
	for i, l := range lines {
		if !blankLine(l) {
			header, rest = l, lines[i+1:]
			break
		}
	}
	if header == "" {
		// Only blank rows: split them right so that they stay blank.
		for _, l := range lines {
			if strings.TrimSpace(l) != "" {
				header = l
				break
			}
		}
	}
	if len(rest) > 21 {
		rest = rest[:21]
	}
	if len(rest) > 0 {
		rest = rest[:len(rest)-1] // the last line of a sample may be cut
	}
	best, bestConsistent, bestFields := byte(','), -1, 1
	for _, d := range delimiters {
		n := countFields(header, d)
		if n < 2 {
			continue
		}
		consistent := 0
		for _, l := range rest {
			if !blankLine(l) && countFields(l, d) == n {
				consistent++
			}
		}
		if consistent > bestConsistent || consistent == bestConsistent && n > bestFields {
			best, bestConsistent, bestFields = d, consistent, n
		}
	}
	return best
}

func blankLine(l string) bool {
	return strings.Trim(l, " \t\r;,\"\ufeff") == ""
}

// countFields counts the fields of one line split by d outside quotes.
func countFields(line string, d byte) int {
	n, quoted := 1, false
	for i := 0; i < len(line); i++ {
		switch line[i] {
		case '"':
			quoted = !quoted
		case d:
			if !quoted {
				n++
			}
		}
	}
	return n
}
