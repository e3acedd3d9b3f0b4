// Package tabular reads tables from files: a CSV or XLSX file becomes a
// header and a stream of rows of strings. It knows nothing of registers;
// package ingest maps the header to register columns.
//
// The format is found from the content, not the name: a zip archive is an
// XLSX workbook (its first visible worksheet is read), anything else is
// delimited text. Text may be UTF-8 with or without a byte-order mark,
// UTF-16 (little- or big-endian, with or without one) or Windows-1251, and
// may be delimited by ';', ',' or tab; encoding and delimiter are sniffed
// from the first 64 KiB.
//
// Every input is untrusted. Memory stays bounded whatever the file: text
// is streamed and no line or row may pass Options.MaxLineBytes; a workbook
// is checked part by part before it is opened (a zip bomb is refused by
// the sizes it really unpacks to, not the sizes it declares), and its
// worksheet is streamed. Problems with the whole file are *FileError with a
// stable code; problems with one row are a *RowError in Row.Err, and reading
// goes on. Both give an i18n key and its parameters, never translated text.
package tabular
