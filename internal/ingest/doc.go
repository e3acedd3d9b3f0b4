// Package ingest brings Register of services files into esep: it reads a
// CSV or XLSX file (subpackage tabular, which knows tables, not registers),
// maps the titles of its header to the register columns of spec §1
// (MapHeader: canonical English names and the Annex 1 titles in Kazakh,
// Russian and English, in any order), and turns rows into register records
// for validation and storage.
//
// Errors carry a code and an i18n key ("ingest.file.<code>",
// "ingest.row.<code>", "ingest.header.<code>"), never translated text; the
// texts are in internal/i18n/locales/*/ingest.json.
package ingest
