package tabular

import "io"

// Default limits. They are generous for a register (a year of a large
// operator is a few hundred megabytes of CSV) and finite, so that no input
// can make the reader use unbounded memory or disk.
const (
	// DefaultMaxBytes is the largest input file: 1 GiB.
	DefaultMaxBytes = 1 << 30
	// DefaultMaxLineBytes is the longest physical line, and the longest row
	// spread over several lines by quoted fields: 1 MiB.
	DefaultMaxLineBytes = 1 << 20
	// DefaultMaxUnzipBytes is the most an XLSX workbook may unpack to, all
	// parts together: 2 GiB. Worksheets over DefaultMaxUnzipXMLBytes are
	// unpacked to temporary files, so this bounds disk, not memory.
	DefaultMaxUnzipBytes = 2 << 30
	// DefaultMaxUnzipXMLBytes is the largest part of a workbook kept in
	// memory (a worksheet or the shared strings above it go to a temporary
	// file); every other part (styles, workbook, ...) must be smaller. 16 MiB.
	DefaultMaxUnzipXMLBytes = 16 << 20
	// maxZipEntries bounds the number of parts of a workbook; a register has
	// about ten.
	maxZipEntries = 10000
	// bombRatio is the compression ratio above which a workbook over the
	// limits is called a zip bomb rather than merely too large. Spreadsheet
	// XML compresses about 5 to 30 times.
	bombRatio = 100
	// sampleSize is how much of a text file is sniffed for its encoding and
	// delimiter.
	sampleSize = 64 << 10
)

// Options are the limits of a Reader. The zero value means the defaults.
type Options struct {
	// MaxBytes is the largest input accepted, in bytes; a bigger file is
	// refused with CodeTooLarge. It also bounds what New spools to a
	// temporary file. Zero means DefaultMaxBytes.
	MaxBytes int64
	// MaxLineBytes is the longest physical line of a text file in bytes
	// (after decoding to UTF-8), and the longest row when a quoted field
	// spreads it over several lines. Zero means DefaultMaxLineBytes.
	MaxLineBytes int
	// MaxUnzipBytes is the most an XLSX workbook may unpack to. Zero means
	// DefaultMaxUnzipBytes.
	MaxUnzipBytes int64
	// MaxUnzipXMLBytes is the largest workbook part kept in memory. Zero
	// means DefaultMaxUnzipXMLBytes. It is capped at MaxUnzipBytes.
	MaxUnzipXMLBytes int64
	// TempDir is where spooled uploads and unpacked worksheets go; empty
	// means os.TempDir().
	TempDir string

	tee io.Writer // see OpenTee
}

func (o Options) withDefaults() Options {
	if o.MaxBytes <= 0 {
		o.MaxBytes = DefaultMaxBytes
	}
	if o.MaxLineBytes <= 0 {
		o.MaxLineBytes = DefaultMaxLineBytes
	}
	if o.MaxUnzipBytes <= 0 {
		o.MaxUnzipBytes = DefaultMaxUnzipBytes
	}
	if o.MaxUnzipXMLBytes <= 0 {
		o.MaxUnzipXMLBytes = DefaultMaxUnzipXMLBytes
	}
	if o.MaxUnzipXMLBytes > o.MaxUnzipBytes {
		o.MaxUnzipXMLBytes = o.MaxUnzipBytes
	}
	return o
}
