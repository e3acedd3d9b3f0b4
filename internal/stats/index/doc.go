// Package index is the in-memory indicator engine: every record reduced to
// what the tables of spec §4 need, kept up to date on every write, so that
// a report, a dashboard or an API call counts a period in milliseconds
// instead of reading and re-counting the database (issue 6).
//
// # Why
//
// stats.Counter, the straightforward computation, keeps sets of strings in
// maps and needs every record of the period read from the database: seconds
// for a year of a million records. The index answers the same question from
// memory, with exactly the same result (the tests compare it with Counter
// and with statstest's recount), and is never reloaded per request.
//
// # Layout
//
// A record is a row of 24 bytes without pointers: its client, enterprise
// and record_id as dense numbers, its start day, and one byte (two for the
// service) per column — region, OKED section, legal form, category, gender,
// exclusion reason, age band and online flag — each a code in a small
// dictionary (dict). Rows sit in buckets by end day, so a period is a run of
// buckets and nothing outside it is read.
//
// Record ids, client keys (register.ClientKey) and enterprise ids are
// numbered once, at insertion, by keySet: exact, with no hash standing for
// a key, and small because the usual shapes are stored as 8-byte codes (a
// prefix number and the digits of "SRV-2026-0000001", the 12 digits of an
// IIN or BIN, a folded name number and a birth day) while anything else is
// kept whole. See keySet for why not 64-bit hashes.
//
// Values the codes cannot hold are never rounded: an end_date that is not a
// canonical date between 1900 and 2079 puts the record among the odd rows
// (it still belongs to any period whose bounds enclose it as text, as in
// SQL); a start_date that is not such a date, or a value beyond a full
// dictionary, keeps the record's values as text, and a period with such a
// counted record is counted by stats.Counter itself from records written
// back out of the index (computeExact). Real data meets this path only if
// garbage passes validation; it exists so that no input can make the index
// and the reference disagree.
//
// # Counting
//
// Compute reads each row of the period once. Distinct clients are counted
// with per-client states marked by an epoch number (no map, no clearing
// between runs): the first row of a client in the run records its region,
// section and category, and so does the first row in a second region; a
// row in a third region goes to a small set of extra pairs, which stays
// small because most clients are served in one or two regions. The first
// counted service of a person (spec §4: earliest start_date, then
// record_id) is kept in the same state as a start day and a record number;
// equal start days compare the record_ids as text, which for ids of one
// prefix and digit count is a comparison of the numbers. Because the
// comparison uses the ids themselves rather than a precomputed rank, an
// insert or a correction never renumbers anything. Gender by region and
// the age band are counted at the end, from each client's final first
// service. Enterprises by legal form work the same way.
//
// With two or more cores the work is shared by ownership: a worker counts
// the clients and enterprises whose number falls in its share (in blocks of
// 16, so that workers do not write to the same cache lines). A day's rows
// are kept in parts by client by the same rule, so a worker reads the rows
// of its own clients only; a row whose enterprise is another worker's is
// sent to that worker, which counts it once all have read their rows. The
// workers' dense counts are added up at the end.
//
// # Costs
//
// Memory (HeapAlloc after GC, over records, measured by BenchmarkMemory):
// see docs/performance.md, "Indicator engine". Compute needs, besides,
// pooled scratch of 24 bytes per client and 8 per enterprise for each
// concurrent run, and with two workers or more 8 bytes for each row of the
// period whose enterprise is another worker's (about half of them). Nothing is reclaimed for clients, enterprises, names and
// record_id prefixes that no record uses any more, nor for the text of a
// deleted record_id that did not fit a code: corrections and deletions are
// rare next to inserts, and a rebuild (Load) drops them.
//
// Concurrency: one writer, many readers, under a sync.RWMutex. Compute and
// ServicesByMonth hold the read lock for their whole run; Put, SetExcluded
// and Delete take the write lock for a few microseconds; Load holds it for
// the whole load (build a new index and swap it in).
package index
