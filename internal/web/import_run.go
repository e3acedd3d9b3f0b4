package web

import (
	"context"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync/atomic"
	"time"
	"unicode"
	"unicode/utf8"

	"esep/internal/auth"
	"esep/internal/i18n"
	"esep/internal/ingest"
	"esep/internal/ingest/tabular"
	"esep/internal/monitor"
	"esep/internal/register"
	"esep/internal/report"
	"esep/internal/store"
)

// defaultMaxImportUpload caps an uploaded register at 512 MiB: a year of a
// large operator is a few hundred megabytes of CSV, and the upload is
// spooled to disk, never held in memory.
const defaultMaxImportUpload = 512 << 20

// importUploadLimit, when positive, replaces defaultMaxImportUpload (tests
// lower it).
var importUploadLimit atomic.Int64

func maxImportUpload() int64 {
	if n := importUploadLimit.Load(); n > 0 {
		return n
	}
	return defaultMaxImportUpload
}

// testHookImportProgress, when set (by tests only), is called with the
// import's context at each progress report of the import proper, in the
// import's goroutine: a test can hold an import in the middle of its
// transaction.
var testHookImportProgress atomic.Pointer[func(context.Context)]

// importUpload is a register file received and spooled to disk.
type importUpload struct {
	name  string // the file's name as the user gave it, cleaned
	path  string // the spooled copy: name, inside a private directory
	dir   string
	size  int64
	month string
}

func (up *importUpload) remove() {
	if up != nil && up.dir != "" {
		os.RemoveAll(up.dir)
	}
}

// importRefusal is a refused upload request, said in the request's
// language: the pages show it above the form, the API returns it as
// {code, message}.
type importRefusal struct {
	status int
	code   string // an API error code
	key    string
	params []any
}

func (e *importRefusal) message(lang i18n.Lang) string { return i18n.T(lang, e.key, e.params...) }

func importRefuse(status int, code, key string, params ...any) *importRefusal {
	return &importRefusal{status: status, code: code, key: key, params: params}
}

// receiveImport reads an upload: a multipart form with the parts "file" and
// "month" (the page's form, and API clients), or for the API a raw CSV or
// XLSX body with the month in ?month= and the name in ?name=. The file is
// copied to a temporary directory as it arrives; the caller removes it.
// The body must already be capped with http.MaxBytesReader.
func receiveImport(r *http.Request, rawAllowed bool) (*importUpload, *importRefusal, error) {
	ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	var (
		up  *importUpload
		err error
	)
	month := strings.TrimSpace(r.URL.Query().Get("month"))
	switch {
	case ct == "multipart/form-data":
		up, month, err = receiveImportForm(r)
	case rawAllowed && (ct == "text/csv" || ct == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"):
		name := r.URL.Query().Get("name")
		if name == "" {
			name = "upload.csv"
			if ct != "text/csv" {
				name = "upload.xlsx"
			}
		}
		up, err = spoolImport(r.Body, name)
	default:
		return nil, importRefuse(http.StatusUnsupportedMediaType, "bad_request", "web.import.error.content_type"), nil
	}
	var tooBig *http.MaxBytesError
	if errors.As(err, &tooBig) {
		up.remove()
		return nil, importRefuse(http.StatusRequestEntityTooLarge, "too_large", "web.import.error.too_large", "mb", maxImportUpload()>>20), nil
	}
	var bad *importFormError
	if errors.As(err, &bad) {
		up.remove()
		return nil, importRefuse(http.StatusBadRequest, "bad_request", "web.import.error.bad_form"), nil
	}
	if err != nil {
		up.remove()
		return nil, nil, err
	}
	if up == nil {
		return nil, importRefuse(http.StatusBadRequest, "bad_request", "web.import.error.no_file"), nil
	}
	if rerr := importMonth(month); rerr != nil {
		up.remove()
		return nil, rerr, nil
	}
	up.month = month
	return up, nil, nil
}

// importFormError is a multipart body that cannot be parsed, or that has
// the file twice.
type importFormError struct{ err error }

func (e *importFormError) Error() string { return "multipart form: " + e.err.Error() }
func (e *importFormError) Unwrap() error { return e.err }

// receiveImportForm streams the parts of a form: the file goes to disk as it
// is read, so a large register never sits in memory (ParseMultipartForm
// would keep up to its memory limit).
func receiveImportForm(r *http.Request) (up *importUpload, month string, err error) {
	mr, err := r.MultipartReader()
	if err != nil {
		return nil, "", &importFormError{err}
	}
	for {
		p, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			return up, month, nil
		}
		if err != nil {
			var tooBig *http.MaxBytesError
			if errors.As(err, &tooBig) {
				return up, "", err
			}
			return up, "", &importFormError{err}
		}
		switch p.FormName() {
		case "month":
			b, err := io.ReadAll(io.LimitReader(p, 64))
			if err != nil {
				return up, "", err
			}
			month = strings.TrimSpace(string(b))
		case "file":
			if p.FileName() == "" { // the form was sent without a file chosen
				if _, err := io.Copy(io.Discard, p); err != nil {
					return up, "", err
				}
				continue
			}
			if up != nil {
				return up, "", &importFormError{errors.New("more than one file")}
			}
			if up, err = spoolImport(p, p.FileName()); err != nil {
				return up, "", err
			}
		default:
			if _, err := io.Copy(io.Discard, p); err != nil {
				return up, "", err
			}
		}
	}
}

// spoolImport copies src to a new private temporary directory under the cleaned
// name. On error it returns what it made so far, for the caller to remove.
func spoolImport(src io.Reader, name string) (*importUpload, error) {
	dir, err := os.MkdirTemp("", "esep-upload-*")
	if err != nil {
		return nil, fmt.Errorf("spool upload: %w", err)
	}
	up := &importUpload{name: importFileName(name), dir: dir}
	up.path = filepath.Join(dir, up.name)
	f, err := os.OpenFile(up.path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return up, fmt.Errorf("spool upload: %w", err)
	}
	up.size, err = io.Copy(f, src)
	if cerr := f.Close(); err == nil && cerr != nil {
		err = fmt.Errorf("spool upload: %w", cerr)
	}
	return up, err
}

// importFileName keeps the base name of an uploaded file (some browsers
// send a whole Windows path) without control characters, and at most 120
// bytes of it with its extension — file systems allow 255, and a Cyrillic
// letter takes two: it names the spooled copy, the import, and the file in
// messages.
func importFileName(name string) string {
	const maxLen = 120
	name = filepath.Base(strings.ReplaceAll(name, `\`, "/"))
	name = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) || r == '/' || r == utf8.RuneError {
			return -1
		}
		return r
	}, name)
	name = strings.TrimSpace(name)
	if len(name) > maxLen {
		ext := filepath.Ext(name)
		if len(ext) > 10 {
			ext = ""
		}
		stem, cut := name[:len(name)-len(ext)], maxLen-len(ext)
		for cut > 0 && !utf8.RuneStart(stem[cut]) {
			cut--
		}
		name = stem[:cut] + ext
	}
	if name == "" || name == "." || name == ".." {
		name = "upload"
	}
	return name
}

// importMonth accepts no month (a load of history) or a register month
// YYYY-MM no later than the current one: a register is formed after its
// month, so a later month is a typing mistake that would open a cycle
// month too early.
func importMonth(month string) *importRefusal {
	if month == "" {
		return nil
	}
	t, err := monitor.ParseMonth(month)
	if err != nil || t.Format("2006-01") != month {
		return importRefuse(http.StatusBadRequest, "bad_request", "web.import.error.bad_month")
	}
	if month > monitor.Today().Format("2006-01") {
		return importRefuse(http.StatusBadRequest, "bad_request", "web.import.error.future_month")
	}
	return nil
}

// startImport starts the import of up as a background job of the request's
// user. It owns up from then on: it removes it when the import ends, or at
// once if no job starts.
func (s *Server) startImport(r *http.Request, up *importUpload) (*job, *importRefusal, error) {
	u := *userOf(r) // a copy: the job outlives the request
	v, err := s.validator(r)
	if err != nil {
		up.remove()
		return nil, nil, err
	}
	j, err := s.jobs.start(u.ID, up.name, up.month, requestID(r), func(ctx context.Context, j *job) (*ingest.Result, error) {
		defer up.remove()
		start := time.Now()
		res, err := s.runImport(ctx, j, &u, up, v)
		je := importFailure(j.id, u.Region, up.name, err)
		attrs := []any{"job", j.id, "request_id", j.reqID, "user", u.ID, "bytes", up.size, "ms", time.Since(start).Milliseconds()}
		switch {
		case je == nil:
			s.log.Info("import done", append(attrs, "import_id", res.ImportID, "rows", res.Summary.RowsRead)...)
			return res, nil
		case je.Code == "internal":
			// The error may name the spooled file, whose name is the
			// user's: it could be a person's name, so it is replaced.
			msg := strings.NewReplacer(up.path, "<upload>", up.name, "<upload>").Replace(err.Error())
			s.log.Error("import failed", append(attrs, "err", msg)...)
		default:
			s.log.Info("import refused", append(attrs, "code", je.Code)...)
		}
		return nil, je
	})
	switch {
	case errors.Is(err, errJobRunning):
		up.remove()
		return nil, importRefuse(http.StatusConflict, "import_running", "web.import.error.running"), nil
	case errors.Is(err, errImportsClosed):
		up.remove()
		return nil, importRefuse(http.StatusServiceUnavailable, "unavailable", "web.import.error.closed"), nil
	case err != nil:
		up.remove()
		return nil, nil, err
	}
	return j, nil, nil
}

// runImport imports up for u: a monthly register through the cycle when
// it has a month, else a load of history. For a manager limited to a
// region the file is read twice — the region check, then the import — and
// the progress bar spans both.
func (s *Server) runImport(ctx context.Context, j *job, u *auth.User, up *importUpload, v *register.Validator) (*ingest.Result, error) {
	scoped := u.Region != ""
	var first int64 // the size the region check read, when there is one
	if scoped {
		j.progress(0, 2*up.size)
	} else {
		j.progress(0, up.size)
	}
	opts := ingest.Options{Validator: v, Progress: func(done, size int64) {
		if h := testHookImportProgress.Load(); h != nil {
			(*h)(ctx)
		}
		j.progress(first+done, first+size)
	}}
	if !scoped {
		return s.importFile(ctx, u, up, opts)
	}

	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	err := importRegionPass(ctx, up.path, u.Region, func(done, size int64) {
		first = size
		j.progress(done, 2*size)
	})
	if err != nil {
		return nil, err
	}
	// The first pass saw every row in her region; a row can still move a
	// stored record of another region into hers, which only the import
	// sees, as the change of region_kato it reports. That stops the
	// import, and its transaction is rolled back.
	opts.OnFinding = func(f ingest.RowFinding) {
		if f.Rule == register.RuleRecordChanged.Code && slices.Contains(strings.Split(f.Detail, ", "), "region_kato") {
			cancel(&importRegionError{Row: f.Row, RecordID: f.RecordID})
		}
	}
	res, err := s.importFile(ctx, u, up, opts)
	if re := (*importRegionError)(nil); errors.As(context.Cause(ctx), &re) {
		return nil, re
	}
	return res, err
}

func (s *Server) importFile(ctx context.Context, u *auth.User, up *importUpload, opts ingest.Options) (*ingest.Result, error) {
	var (
		res *ingest.Result
		err error
	)
	if up.month != "" {
		var letter *store.StoredLetter
		res, letter, err = s.cycle.ImportRegister(ctx, up.path, monitor.Delivery{Month: up.month, By: actor(u)}, opts)
		if err == nil && letter != nil {
			res.Letter = letter.Number()
		}
	} else {
		res, err = ingest.ImportFile(ctx, s.db, up.path, store.ImportMeta{FileName: up.name, By: actor(u)}, opts)
	}
	if err != nil {
		if ctx.Err() != nil {
			// Whatever the driver made of the cancellation (SQLite reports
			// an interrupted statement), the import was stopped.
			return nil, fmt.Errorf("import %s: %w: %w", up.name, context.Canceled, err)
		}
		return nil, err
	}
	res.File = up.name
	return res, nil
}

// importRegionError: a row would write a record outside the region the
// importing manager is limited to. The whole file is refused.
type importRegionError struct {
	Row int
	// Region is the row's region_kato ("" when it has none).
	Region string
	// RecordID is set instead when the row is in her region but would move
	// a stored record of another region into it.
	RecordID string
}

func (e *importRegionError) Error() string {
	if e.RecordID != "" {
		return fmt.Sprintf("row %d: record %s is stored in another region", e.Row, e.RecordID)
	}
	return fmt.Sprintf("row %d: region %q is outside the user's region", e.Row, e.Region)
}

// importRegionPass reads the file at path once, exactly as the importer
// will — the same reader, header mapping and normalisation — and returns an
// *importRegionError for the first row that would be stored with a region
// other than region (an empty one included: she could not see that record
// again). Rows the importer never stores (malformed, or without a
// record_id) cannot write outside her region and are left to the import's
// findings. It is a streaming pass without the database, much cheaper than
// the import that follows, and it refuses before anything is written.
// Unreadable files fail here with the same errors the import would give.
func importRegionPass(ctx context.Context, path, region string, progress func(done, total int64)) error {
	r, err := tabular.Open(path, tabular.Options{})
	if err != nil {
		return err
	}
	defer r.Close()
	hm, err := ingest.MapHeader(r.Header())
	if err != nil {
		return fmt.Errorf("region check: %w", err)
	}
	for n := 0; ; n++ {
		if n%1000 == 0 {
			if err := ctx.Err(); err != nil {
				return err
			}
			progress(r.Progress())
		}
		row, err := r.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return fmt.Errorf("region check: %w", err)
		}
		if row.Err != nil {
			continue
		}
		var rec register.Record
		for i, c := range register.Columns {
			if k := hm.Index[i]; k >= 0 && k < len(row.Fields) {
				c.Set(&rec, row.Fields[k])
			}
		}
		register.Normalize(&rec)
		if rec.RecordID != "" && rec.RegionKATO != region {
			return &importRegionError{Row: row.Num, Region: rec.RegionKATO}
		}
	}
	progress(r.Progress())
	return nil
}

// importFailure turns the error of the import id of file name, run by a user
// limited to region yours (or to none), into what its page and the API
// say; nil for none.
func importFailure(id, yours, name string, err error) *jobError {
	if err == nil {
		return nil
	}
	var (
		re *importRegionError
		fe *tabular.FileError
		he *ingest.HeaderError
	)
	switch {
	case errors.As(err, &re):
		return &jobError{Code: "outside_region", text: func(lang i18n.Lang) string {
			if re.RecordID != "" {
				return i18n.T(lang, "web.import.error.moves_record", "row", re.Row, "record_id", re.RecordID, "yours", report.Name(lang, report.NameRegion, yours))
			}
			return i18n.T(lang, "web.import.error.outside_region", "row", re.Row,
				"region", report.Name(lang, report.NameRegion, re.Region), "yours", report.Name(lang, report.NameRegion, yours))
		}}
	case errors.As(err, &fe):
		key, line := fe.Key(), fe.Line
		return &jobError{Code: fe.Code, text: func(lang i18n.Lang) string {
			msg := i18n.T(lang, key, "file", name, "line", line)
			// Only some texts place the line themselves (tabular.FileError.Params).
			if line > 0 && !strings.Contains(i18n.T(lang, key), "{line}") {
				msg += " " + i18n.T(lang, "web.import.error.line", "line", line)
			}
			return msg
		}}
	case errors.As(err, &he):
		key, params := he.Key(), he.Params()
		return &jobError{Code: he.Code, text: func(lang i18n.Lang) string { return i18n.T(lang, key, params...) }}
	case errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded):
		return &jobError{Code: "interrupted", text: func(lang i18n.Lang) string { return i18n.T(lang, "web.import.error.interrupted") }}
	}
	return internalImportError(id)
}

func internalImportError(id string) *jobError {
	return &jobError{Code: "internal", text: func(lang i18n.Lang) string { return i18n.T(lang, "web.import.error.internal", "ref", id) }}
}
