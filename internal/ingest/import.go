package ingest

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"hash/maphash"
	"io"
	"os"
	"strings"
	"time"

	"esep/internal/ingest/tabular"
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
// to make the look-ups cheap, small enough to keep memory flat.
const batchSize = 1000

// ImportFile reads the register file at path into db in one transaction.
// When the file cannot be read at all — empty, binary, truncated, missing
// required columns — it returns an error and the database is left exactly
// as it was. Bad rows do not stop it: they are reported and counted.
func ImportFile(ctx context.Context, db *store.DB, path string, meta store.ImportMeta, opts Options) (*Result, error) {
	sum, err := fileSHA256(path)
	if err != nil {
		return nil, err
	}
	meta.SHA256 = sum
	if meta.FileName == "" {
		meta.FileName = path
	}
	return inTx(ctx, db, meta, opts, func(tx *store.ImportTx) (*Result, error) { return Run(ctx, path, tx, opts) })
}

// ImportRecords writes records that arrive whole rather than in a file —
// pushed through the API, or edited in a page — through the same checks,
// idempotency by record_id and correction history as a file. Row numbers
// in findings are positions in recs, from 1.
func ImportRecords(ctx context.Context, db *store.DB, recs []register.Record, meta store.ImportMeta, opts Options) (*Result, error) {
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
	return inTx(ctx, db, meta, opts, func(tx *store.ImportTx) (*Result, error) {
		im := newImporter(tx, opts)
		im.res = &Result{File: meta.FileName, RuleCounts: map[string]int{}}
		for start := 0; start < len(recs); start += batchSize {
			if err := ctx.Err(); err != nil {
				return nil, err
			}
			batch := make([]pending, 0, batchSize)
			for i := start; i < min(start+batchSize, len(recs)); i++ {
				p := pending{row: i + 1, rec: recs[i]}
				register.Normalize(&p.rec)
				p.findings = im.validator.Validate(&p.rec)
				batch = append(batch, p)
			}
			if err := im.flush(ctx, batch); err != nil {
				return nil, err
			}
		}
		return im.res, nil
	})
}

// inTx runs an import in one transaction: all of it is kept, or none.
func inTx(ctx context.Context, db *store.DB, meta store.ImportMeta, opts Options, run func(tx *store.ImportTx) (*Result, error)) (*Result, error) {
	tx, err := db.BeginImport(ctx, meta)
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
func (emptySink) Put(context.Context, []store.Write) error                         { return nil }

type dryRun struct{ *store.ImportTx }

func (dryRun) Put(context.Context, []store.Write) error { return nil }

// Run reads the file at path and sends its rows to sink.
func Run(ctx context.Context, path string, sink Sink, opts Options) (*Result, error) {
	r, err := tabular.Open(path, opts.Tabular)
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
	batch := make([]pending, 0, batchSize)
	for {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		row, err := r.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("import %s: %w", path, err)
		}
		batch = append(batch, im.prepare(row, hm))
		if len(batch) == batchSize {
			if err := im.flush(ctx, batch); err != nil {
				return nil, fmt.Errorf("import %s: %w", path, err)
			}
			batch = batch[:0]
			if opts.Progress != nil {
				opts.Progress(r.Progress())
			}
		}
	}
	if err := im.flush(ctx, batch); err != nil {
		return nil, fmt.Errorf("import %s: %w", path, err)
	}
	if opts.Progress != nil {
		_, total := r.Progress()
		opts.Progress(total, total)
	}
	return res, nil
}

type importer struct {
	sink      Sink
	opts      Options
	validator *register.Validator
	res       *Result
	seed      maphash.Seed
	seen      map[string]uint64 // record_id → content hash, for rows earlier in this file
	names     map[string]string // client key → first spelling in this file
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
	return &importer{sink: sink, opts: opts, validator: v, seed: maphash.MakeSeed(), seen: map[string]uint64{}, names: map[string]string{}}
}

// pending is a row read and validated, waiting for its batch's look-ups.
type pending struct {
	row      int
	rec      register.Record
	findings []register.Finding
}

func (im *importer) prepare(row tabular.Row, hm HeaderMap) pending {
	p := pending{row: row.Num}
	for i, c := range register.Columns {
		if j := hm.Index[i]; j >= 0 && j < len(row.Fields) {
			c.Set(&p.rec, row.Fields[j])
		}
	}
	register.Normalize(&p.rec)
	if row.Err != nil {
		detail := row.Err.Error()
		var re *tabular.RowError
		if errors.As(row.Err, &re) {
			detail = register.DetailKey(re.Key(), re.Params()...)
		}
		p.findings = append(p.findings, register.NewFinding(register.RuleRowMalformed, "", "", detail))
		return p
	}
	p.findings = im.validator.Validate(&p.rec)
	return p
}

func (im *importer) flush(ctx context.Context, batch []pending) error {
	if len(batch) == 0 {
		return nil
	}
	ids := make([]string, 0, len(batch))
	keys := make([]string, 0, len(batch))
	for i := range batch {
		if id := batch[i].rec.RecordID; id != "" {
			ids = append(ids, id)
			keys = append(keys, register.ClientKey(&batch[i].rec))
		}
	}
	existing, err := im.sink.Existing(ctx, ids)
	if err != nil {
		return err
	}
	known, err := im.sink.ClientNames(ctx, keys)
	if err != nil {
		return err
	}
	writes := make([]store.Write, 0, len(batch))
	for i := range batch {
		w := im.decide(&batch[i], existing, known)
		writes = append(writes, w)
	}
	return im.sink.Put(ctx, writes)
}

// decide turns a validated row into its effect on the store, adding the
// findings that need what came before: earlier rows of this file and the
// records already stored.
func (im *importer) decide(p *pending, existing map[string]*store.Stored, known map[string]string) store.Write {
	r := &p.rec
	w := store.Write{Row: p.row, Record: *r}
	s := &im.res.Summary
	s.RowsRead++
	malformed := hasRule(p.findings, register.RuleRowMalformed)
	if r.RecordID != "" && !malformed {
		h := im.hash(r)
		if prev, dup := im.seen[r.RecordID]; dup {
			if prev == h {
				p.findings = append(p.findings, register.NewFinding(register.RuleRecordDuplicate, "record_id", r.RecordID, ""))
			} else {
				p.findings = append(p.findings, register.NewFinding(register.RuleRecordConflict, "record_id", r.RecordID, ""))
			}
			return im.finish(p, w, false)
		}
		im.seen[r.RecordID] = h
		if !register.HasBlocking(p.findings) {
			im.checkPerson(p, known)
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
func (im *importer) checkPerson(p *pending, known map[string]string) {
	r := &p.rec
	key := register.ClientKey(r)
	first, ok := im.names[key]
	if !ok {
		first, ok = known[key]
	}
	if !ok {
		im.names[key] = r.ClientFullName
		return
	}
	if strings.EqualFold(first, r.ClientFullName) {
		return
	}
	rule := register.RulePersonSpelling
	if kz.FoldName(first) != kz.FoldName(r.ClientFullName) {
		rule = register.RuleIINName
	}
	p.findings = append(p.findings, register.NewFinding(rule, "client_full_name", r.ClientFullName, first))
}

func (im *importer) hash(r *register.Record) uint64 {
	var h maphash.Hash
	h.SetSeed(im.seed)
	for _, v := range r.Values() {
		h.WriteString(v)
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

func fileSHA256(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", fmt.Errorf("import %s: %w", path, err)
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return "", fmt.Errorf("import %s: %w", path, err)
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}
