package ingest

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"hash/maphash"
	"io"
	"slices"
	"strings"
	"time"

	"esep/internal/ingest/tabular"
	"esep/internal/intset"
	"esep/internal/kz"
	"esep/internal/register"
	"esep/internal/store"
)

// Sink is where an import puts its rows: an import transaction of the store,
// or nothing at all for a dry run.
type Sink interface {
	Existing(ctx context.Context, ids []string) (map[string]*store.Stored, error)
	ClientNames(ctx context.Context, keys []string) (map[string]string, error)
	Put(ctx context.Context, batch []store.Write) error
}

// Options tune an import.
type Options struct {
	// Today is the date against which "in the future" is judged; zero means
	// the current date in Kazakhstan.
	Today time.Time
	// Validator checks each record; zero means the defaults with Today.
	Validator *register.Validator
	// Progress, when set, is called as the file is read with the bytes done
	// and the total.
	Progress func(done, total int64)
	// OnFinding, when set, receives every finding as it is made, so that a
	// caller can list them without the importer keeping them all in memory.
	OnFinding func(RowFinding)
	// Tabular passes limits to the file reader.
	Tabular tabular.Options
	// Normalized says the records given to ImportRecords or CheckRecords
	// are normalised already (register.Normalize), as the API's are to
	// check their regions: normalising costs as much as validating, and
	// doing it twice for every record written was a tenth of an API
	// write.
	Normalized bool
	// BeforeCommit, when set, runs in the import's transaction after the
	// last row: what it writes (a notification letter, an audit event)
	// stands or falls with the import.
	BeforeCommit func(ctx context.Context, tx *store.ImportTx, res *Result) error
}

// RowFinding is a finding located in the file.
type RowFinding struct {
	Row      int    `json:"row"` // 1-based data row, the header not counted
	RecordID string `json:"record_id"`
	register.Finding
}

// Result is what an import or a validation found.
type Result struct {
	File           string              `json:"file"`
	Encoding       string              `json:"encoding,omitempty"`
	ImportID       int64               `json:"import_id,omitempty"`
	Summary        store.ImportSummary `json:"summary"`
	RuleCounts     map[string]int      `json:"rules"`
	UnknownColumns []string            `json:"unknown_columns,omitempty"`
	// Letter is the number of the notification letter drafted about a
	// monthly register, if its checks found problems.
	Letter string `json:"letter,omitempty"`
}

// batchSize rows are validated, looked up and written together: large enough
// to make the look-ups cheap, small enough to keep memory flat. A variable
// for tests, which decide every row of a file in batches of a few rows and
// in one, and compare.
var batchSize = 1000

// ImportFile reads the register file at path into db in one transaction.
// When the file cannot be read at all — empty, binary, truncated, missing
// required columns — it returns an error and the database is left exactly
// as it was. Bad rows do not stop it: they are reported and counted.
func ImportFile(ctx context.Context, db *store.DB, path string, meta store.ImportMeta, opts Options) (*Result, error) {
	if meta.FileName == "" {
		meta.FileName = path
	}
	return inTx(ctx, db.BeginImport, meta, opts, func(tx *store.ImportTx) (*Result, error) {
		// The digest is taken as the rows are read: reading the file a
		// second time just to hash it cost as much as parsing it.
		h := sha256.New()
		res, err := run(ctx, path, tx, opts, h)
		if err != nil {
			return nil, err
		}
		tx.SetSHA256(hex.EncodeToString(h.Sum(nil)))
		return res, nil
	})
}

// ImportRecords writes records that arrive whole rather than in a file —
// pushed through the API, or edited in a page — through the same checks,
// idempotency by record_id and correction history as a file. Row numbers
// in findings are positions in recs, from 1.
func ImportRecords(ctx context.Context, db *store.DB, recs []register.Record, meta store.ImportMeta, opts Options) (*Result, error) {
	return CheckRecords(recs, meta, opts).Import(ctx, db)
}

// Checked are records normalised and validated, ready to be written: the
// first half of ImportRecords, which needs no database.
//
// It is done before the transaction begins: that is work on each record
// alone, and on SQLite every write waits for the one transaction in
// progress, so the less a write holds the writer, the more writes a second
// the server takes.
type Checked struct {
	im   *importer
	rows []pending
	meta store.ImportMeta
	opts Options
}

// CheckRecords normalises and validates recs for an import described by
// meta. It changes nothing in recs.
func CheckRecords(recs []register.Record, meta store.ImportMeta, opts Options) *Checked {
	if meta.FileName == "" {
		meta.FileName = "api"
	}
	h := sha256.New()
	for i := range recs {
		for _, v := range recs[i].Values() {
			h.Write([]byte(v))
			h.Write([]byte{0})
		}
	}
	meta.SHA256 = hex.EncodeToString(h.Sum(nil))
	c := &Checked{im: newImporter(nil, opts), rows: make([]pending, len(recs)), meta: meta, opts: opts}
	for i := range c.rows {
		p := &c.rows[i]
		p.row, p.rec = i+1, recs[i]
		c.im.check(p)
	}
	return c
}

// Import writes the checked records in a transaction of their own. A
// Checked is imported once.
func (c *Checked) Import(ctx context.Context, db *store.DB) (*Result, error) {
	return c.write(ctx, db.BeginImport)
}

// ImportIn writes the checked records as one import of a group of writes
// committed together (store.Group): the result stands only once the group
// is committed. Once it has begun the import is not interrupted, whatever
// ctx does: on SQLite an interrupted statement rolls back the whole
// transaction, with the group's other imports.
func (c *Checked) ImportIn(ctx context.Context, g *store.Group) (*Result, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	return c.write(context.WithoutCancel(ctx), g.BeginImport)
}

// beginFunc starts an import transaction: store.DB.BeginImport, or
// store.Group.BeginImport.
type beginFunc func(ctx context.Context, meta store.ImportMeta) (*store.ImportTx, error)

func (c *Checked) write(ctx context.Context, begin beginFunc) (*Result, error) {
	im := c.im
	return inTx(ctx, begin, c.meta, c.opts, func(tx *store.ImportTx) (*Result, error) {
		im.attach(tx)
		im.res = &Result{File: c.meta.FileName, RuleCounts: map[string]int{}}
		for batch := range slices.Chunk(c.rows, batchSize) {
			if err := ctx.Err(); err != nil {
				return nil, err
			}
			if err := im.flush(ctx, batch); err != nil {
				return nil, err
			}
		}
		return im.res, nil
	})
}

// inTx runs an import in one transaction: all of it is kept, or none.
func inTx(ctx context.Context, begin beginFunc, meta store.ImportMeta, opts Options, run func(tx *store.ImportTx) (*Result, error)) (*Result, error) {
	tx, err := begin(ctx, meta)
	if err != nil {
		return nil, err
	}
	res, err := run(tx)
	if err == nil && opts.BeforeCommit != nil {
		err = opts.BeforeCommit(ctx, tx, res)
	}
	if err != nil {
		tx.Rollback()
		return nil, err
	}
	if err := tx.Commit(ctx, res.Summary); err != nil {
		return nil, err
	}
	res.ImportID, res.File = tx.ID(), meta.FileName
	return res, nil
}

// Validate checks the file at path without writing anything. With a
// database it also compares the rows with the records already stored;
// db may be nil.
func Validate(ctx context.Context, db *store.DB, path string, opts Options) (*Result, error) {
	var sink Sink = emptySink{}
	if db != nil {
		tx, err := db.BeginImport(ctx, store.ImportMeta{FileName: path, Kind: "validate"})
		if err != nil {
			return nil, err
		}
		defer tx.Rollback() // a dry run: nothing it did is kept
		sink = dryRun{tx}
	}
	return Run(ctx, path, sink, opts)
}

type emptySink struct{}

func (emptySink) Existing(context.Context, []string) (map[string]*store.Stored, error) {
	return nil, nil
}
func (emptySink) ClientNames(context.Context, []string) (map[string]string, error) { return nil, nil }
func (emptySink) EmptyAtStart() (records, clients bool)                            { return true, true }
func (emptySink) Put(context.Context, []store.Write) error                         { return nil }

type dryRun struct{ *store.ImportTx }

func (dryRun) Put(context.Context, []store.Write) error { return nil }

// Run reads the file at path and sends its rows to sink.
func Run(ctx context.Context, path string, sink Sink, opts Options) (*Result, error) {
	return run(ctx, path, sink, opts, nil)
}

// chunk is a batch of rows read and checked, on its way from the reading
// goroutine to the writing one, or the error that stopped the reading.
type chunk struct {
	rows []pending
	err  error
}

// run is Run writing every byte of the file to tee as it is read.
//
// It is a pipeline of two goroutines, because a machine has at least two
// cores and the two halves of an import cost about the same: one reads,
// normalises and validates rows (all of it work on one row alone), the
// calling one looks the rows up in the store, decides what each does, and
// writes them. Rows travel in batches through a short channel, so memory
// stays flat; what needs the rows before — duplicates within the file, the
// first spelling of a person — stays on the writing side, which sees the
// rows in file order. Progress and OnFinding are called on the calling
// goroutine.
func run(ctx context.Context, path string, sink Sink, opts Options, tee io.Writer) (*Result, error) {
	r, err := tabular.OpenTee(path, opts.Tabular, tee)
	if err != nil {
		return nil, err
	}
	defer r.Close()
	hm, err := MapHeader(r.Header())
	if err != nil {
		return nil, fmt.Errorf("import %s: %w", path, err)
	}
	im := newImporter(sink, opts)
	res := &Result{File: path, Encoding: r.Encoding(), RuleCounts: map[string]int{}, UnknownColumns: hm.Unknown}
	im.res = res

	rctx, stop := context.WithCancel(ctx)
	full := make(chan *chunk, 2)  // read and checked, waiting to be written
	empty := make(chan *chunk, 4) // written, for the reader to fill again
	go im.read(rctx, r, hm, full, empty)
	err = func() error {
		for c := range full {
			if c.err != nil {
				return c.err
			}
			if err := ctx.Err(); err != nil {
				return err
			}
			if err := im.flush(ctx, c.rows); err != nil {
				return err
			}
			if opts.Progress != nil {
				opts.Progress(r.Progress())
			}
			select {
			case empty <- c:
			default:
			}
		}
		return nil
	}()
	stop()
	for range full { // let the reader finish before the file is closed
	}
	if err != nil {
		return nil, fmt.Errorf("import %s: %w", path, err)
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if opts.Progress != nil {
		_, total := r.Progress()
		opts.Progress(total, total)
	}
	return res, nil
}

// read is the reading half of run: it reads, normalises and validates the
// rows of r into batches and sends them on full, until the end of the file,
// an error (sent as a chunk) or ctx is done. It closes full when it stops.
func (im *importer) read(ctx context.Context, r *tabular.Reader, hm HeaderMap, full chan<- *chunk, empty <-chan *chunk) {
	defer close(full)
	send := func(c *chunk) bool {
		select {
		case full <- c:
			return true
		case <-ctx.Done():
			return false
		}
	}
	for {
		var c *chunk
		select {
		case c = <-empty:
			c.rows = c.rows[:0]
		default:
			c = &chunk{rows: make([]pending, 0, batchSize)}
		}
		for len(c.rows) < batchSize {
			if ctx.Err() != nil {
				return
			}
			row, err := r.Next()
			if errors.Is(err, io.EOF) {
				if len(c.rows) > 0 {
					send(c)
				}
				return
			}
			if err != nil {
				send(&chunk{err: err})
				return
			}
			c.rows = append(c.rows, pending{})
			im.prepare(&c.rows[len(c.rows)-1], row, hm)
		}
		if !send(c) {
			return
		}
	}
}

type importer struct {
	sink      Sink
	opts      Options
	validator *register.Validator
	res       *Result
	seed      maphash.Seed
	// seen: record_id → content hash, for the rows of this file that the
	// store cannot tell of — those of the batch being decided, and those
	// that wrote nothing (an unchanged re-delivery, a refused correction).
	// A row that wrote its record leaves it (see forget): the store then
	// says that this import wrote the record (store.Stored.ThisImport),
	// so memory does not grow with the file.
	seen map[string]uint64
	// names: the persons of this file that the clients table cannot tell
	// of — met in the batch being decided, or met on a row that did not
	// write their spelling.
	names map[string]*client
	// writes: the sink keeps what Put gives it, so a record or a person it
	// was given can be looked up in it afterwards; a dry run's cannot.
	writes bool
	// emptyRecords, emptyClients: the store held no records, no clients,
	// when the import began, so looking rows up in it can only find what
	// this import wrote. Then only the rows whose record_id or person this
	// import wrote are looked up; wrote and met hold the hashes that say
	// which (a hit may be another id of the same hash: the look-up
	// decides).
	emptyRecords, emptyClients bool
	wrote, met                 intset.Set
}

// client is what the importer remembers of a person met in this file.
type client struct {
	first  string // the first spelling of the name
	stored bool   // written to the clients table by this import
	// firstStored: the clients table holds first, written for the row
	// that met the person, so it can answer for the person from now on.
	firstStored bool
}

func newImporter(sink Sink, opts Options) *importer {
	v := opts.Validator
	if v == nil {
		today := opts.Today
		if today.IsZero() {
			today = kz.Today()
		}
		v = &register.Validator{Today: today}
	}
	im := &importer{opts: opts, validator: v, seed: maphash.MakeSeed(), seen: map[string]uint64{}, names: map[string]*client{}}
	if sink != nil {
		im.attach(sink)
	}
	return im
}

// attach makes sink the importer's store.
func (im *importer) attach(sink Sink) {
	im.sink = sink
	_, im.writes = sink.(*store.ImportTx)
	if e, ok := sink.(interface {
		EmptyAtStart() (records, clients bool)
	}); ok {
		im.emptyRecords, im.emptyClients = e.EmptyAtStart()
	}
}

// pending is a row read and validated, waiting for its batch's look-ups.
type pending struct {
	row      int
	rec      register.Record
	findings []register.Finding
	key      string // register.ClientKey of rec
	hash     uint64 // of rec's values, to tell a repeat from a conflict
	met      bool   // the first row of this file with rec's person
}

// prepare fills p from a row of the file and checks it. It runs on the
// reading goroutine, so it may only use what never changes during an
// import.
func (im *importer) prepare(p *pending, row tabular.Row, hm HeaderMap) {
	p.row = row.Num
	for i, c := range register.Columns {
		if j := hm.Index[i]; j >= 0 && j < len(row.Fields) {
			c.Set(&p.rec, row.Fields[j])
		}
	}
	if row.Err != nil {
		register.Normalize(&p.rec)
		detail := row.Err.Error()
		var re *tabular.RowError
		if errors.As(row.Err, &re) {
			detail = register.DetailKey(re.Key(), re.Params()...)
		}
		p.findings = append(p.findings, register.NewFinding(register.RuleRowMalformed, "", "", detail))
		p.key = register.ClientKey(&p.rec)
		return
	}
	im.check(p)
}

// check normalises and validates p.rec and computes what decide needs of it.
func (im *importer) check(p *pending) {
	if !im.opts.Normalized {
		register.Normalize(&p.rec)
	}
	p.findings = im.validator.Validate(&p.rec)
	p.key = register.ClientKey(&p.rec)
	p.hash = im.hash(&p.rec)
}

func (im *importer) flush(ctx context.Context, batch []pending) error {
	if len(batch) == 0 {
		return nil
	}
	// Only what decide will consult is looked up: a row whose record_id
	// came earlier in the file and is still in seen is a repeat whatever
	// the store holds, and a person still in names is compared with that
	// first spelling. Into an empty store, only what this import may have
	// written.
	var existing map[string]*store.Stored
	ids := make([]string, 0, len(batch))
	for i := range batch {
		id := batch[i].rec.RecordID
		if _, dup := im.seen[id]; id == "" || dup || im.emptyRecords && !im.wrote.Has(im.hashString(id)) {
			continue
		}
		ids = append(ids, id)
	}
	if len(ids) > 0 {
		var err error
		if existing, err = im.sink.Existing(ctx, ids); err != nil {
			return err
		}
	}
	var known map[string]string
	keys := make([]string, 0, len(batch))
	for i := range batch {
		key := batch[i].key
		if _, met := im.names[key]; batch[i].rec.RecordID == "" || met || im.emptyClients && !im.met.Has(im.hashString(key)) {
			continue
		}
		keys = append(keys, key)
	}
	if len(keys) > 0 {
		var err error
		if known, err = im.sink.ClientNames(ctx, keys); err != nil {
			return err
		}
	}
	writes := make([]store.Write, 0, len(batch))
	for i := range batch {
		writes = append(writes, im.decide(&batch[i], existing, known))
	}
	if err := im.sink.Put(ctx, writes); err != nil {
		return err
	}
	im.forget(batch, writes)
	return nil
}

// forget drops from seen and names what the store can tell of now that
// the batch is written: the records it wrote, and the persons whose first
// spelling it wrote. Into an empty store it keeps their hashes, so that
// only rows that may repeat them are looked up.
func (im *importer) forget(batch []pending, writes []store.Write) {
	if !im.writes {
		return
	}
	for i := range batch {
		p := &batch[i]
		if writes[i].Store {
			delete(im.seen, p.rec.RecordID)
			if im.emptyRecords {
				im.wrote.Add(im.hashString(p.rec.RecordID))
			}
		}
		if c := im.names[p.key]; p.met && c != nil && c.firstStored {
			delete(im.names, p.key)
			if im.emptyClients {
				im.met.Add(im.hashString(p.key))
			}
		}
	}
}

// decide turns a validated row into its effect on the store, adding the
// findings that need what came before: earlier rows of this file and the
// records already stored.
func (im *importer) decide(p *pending, existing map[string]*store.Stored, known map[string]string) store.Write {
	r := &p.rec
	w := store.Write{Row: p.row, Record: *r, ClientKey: p.key}
	s := &im.res.Summary
	s.RowsRead++
	malformed := hasRule(p.findings, register.RuleRowMalformed)
	if r.RecordID != "" && !malformed {
		h := p.hash
		prev, dup := im.seen[r.RecordID]
		if s := existing[r.RecordID]; !dup && s != nil && s.ThisImport {
			// An earlier row of the file wrote it: the stored values are
			// that row's.
			prev, dup = im.hash(&s.Record), true
		}
		if dup {
			if prev == h {
				p.findings = append(p.findings, register.NewFinding(register.RuleRecordDuplicate, "record_id", r.RecordID, ""))
			} else {
				p.findings = append(p.findings, register.NewFinding(register.RuleRecordConflict, "record_id", r.RecordID, ""))
			}
			return im.finish(p, w, false)
		}
		im.seen[r.RecordID] = h
		if !register.HasBlocking(p.findings) {
			w.KnownClient = im.checkPerson(p, known)
		}
	}
	if r.RecordID == "" || malformed {
		return im.finish(p, w, false)
	}
	prev := existing[r.RecordID]
	if prev == nil {
		return im.finish(p, w, true)
	}
	w.Prev = prev
	changes := r.Diff(&prev.Record)
	if len(changes) == 0 {
		s.Unchanged++
		return im.finish(p, w, false)
	}
	cols := make([]string, len(changes))
	for i, c := range changes {
		cols[i] = c.Column
	}
	p.findings = append(p.findings, register.NewFinding(register.RuleRecordChanged, "record_id", r.RecordID, strings.Join(cols, ", ")))
	// A version with blocking findings never replaces a valid one: the
	// valid record keeps counting, and the operator sees why the
	// correction was refused.
	if register.HasBlocking(p.findings) && !prev.Blocking {
		return im.finish(p, w, false)
	}
	s.Corrected++
	return im.finish(p, w, true)
}

func (im *importer) finish(p *pending, w store.Write, keep bool) store.Write {
	w.Store = keep
	w.Findings = p.findings
	if keep && !register.HasBlocking(p.findings) {
		// Put writes the person's spelling now, if no one did before.
		if c := im.names[p.key]; c != nil {
			c.stored = true
			c.firstStored = c.firstStored || p.met
		}
	}
	s := &im.res.Summary
	switch {
	case register.HasBlocking(p.findings):
		s.Rejected++
	case len(p.findings) > 0:
		s.Warned++
	default:
		s.Accepted++
	}
	for _, f := range p.findings {
		im.res.RuleCounts[f.Rule]++
		if im.opts.OnFinding != nil {
			im.opts.OnFinding(RowFinding{Row: p.row, RecordID: p.rec.RecordID, Finding: f})
		}
	}
	return w
}

// checkPerson notices one person written two ways: the same IIN under
// another name, or the same folded name and birth date spelled otherwise.
// It reports whether the person's key is in the clients table already:
// stored before the import, or written by it for an earlier row.
func (im *importer) checkPerson(p *pending, known map[string]string) bool {
	r := &p.rec
	var first string
	inTable := false
	if c, ok := im.names[p.key]; ok {
		first, inTable = c.first, c.stored
	} else if first, ok = known[p.key]; ok {
		inTable = true
	} else {
		im.names[p.key] = &client{first: r.ClientFullName}
		p.met = true
		return false
	}
	if strings.EqualFold(first, r.ClientFullName) {
		return inTable
	}
	rule := register.RulePersonSpelling
	if kz.FoldName(first) != kz.FoldName(r.ClientFullName) {
		rule = register.RuleIINName
	}
	p.findings = append(p.findings, register.NewFinding(rule, "client_full_name", r.ClientFullName, first))
	return inTable
}

func (im *importer) hashString(s string) uint64 { return maphash.String(im.seed, s) }

func (im *importer) hash(r *register.Record) uint64 {
	var h maphash.Hash
	h.SetSeed(im.seed)
	for _, c := range register.Columns {
		h.WriteString(c.Get(r))
		h.WriteByte(0)
	}
	return h.Sum64()
}

func hasRule(fs []register.Finding, rule register.Rule) bool {
	for _, f := range fs {
		if f.Rule == rule.Code {
			return true
		}
	}
	return false
}
