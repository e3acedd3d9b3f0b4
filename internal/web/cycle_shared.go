package web

// Helpers shared by the monthly-cycle part (cycle*.go) and the report part
// (report*.go). Their names carry a "cycle" prefix because other parts of
// the package are written at the same time: a generic name here could
// collide with theirs.

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"time"

	"esep/internal/auth"
	"esep/internal/i18n"
	"esep/internal/register"

	"esep/internal/kz"

	"esep/internal/store"
)

// Permissions to act in the cycle and on reports; reading uses permCycle
// and permReports of pages.go.
var (
	permCycleWrite  = ptr(auth.WriteCycle)
	permReportWrite = ptr(auth.WriteReports)
)

// cycleZone is Kazakhstan's single time zone (UTC+5): a time typed in a
// form without a zone (datetime-local) is a time in Kazakhstan, and times
// are shown in it.
var cycleZone = kz.Zone

// cycleUploadMax caps an uploaded plan or act registry. The API's own cap
// (Config.MaxBody, 1 MiB by default) suits JSON, not an act registry of a
// busy year: one act a service, each listing its records.
const cycleUploadMax = 32 << 20

// cycleActor names a user in the audit log.
func cycleActor(u *auth.User) string { return store.ActorOf(u.ID) }

// cycleAPIError writes an API error in the shape of apiFail for what
// apiFail cannot say: a code it lacks (conflict, no_data) or a message of
// our own in the caller's language.
func cycleAPIError(w http.ResponseWriter, status int, code, message string) {
	writeJSON(w, status, apiError{Code: code, Message: message})
}

// cycleErrText renders an error that knows its own message — a refused
// reference file, a missing column, an unreadable file, a period not
// understood — in lang. It reports false for any other error, which is
// then an internal one. The command line has the same function (localize
// in cmd/esep/main.go).
func cycleErrText(lang i18n.Lang, err error) (string, bool) { return i18n.Error(lang, err) }

// cycleTooLarge reports whether err is a body over its MaxBytesReader cap.
func cycleTooLarge(err error) bool {
	var mb *http.MaxBytesError
	return errors.As(err, &mb)
}

// cycleLocalTime shows an RFC 3339 instant as a date and time in
// Kazakhstan, or "" when ts is not one.
func cycleLocalTime(ts string) string {
	t, err := time.Parse(time.RFC3339Nano, ts)
	if err != nil {
		return ""
	}
	return t.In(cycleZone).Format("2006-01-02 15:04")
}

// cycleParseTime reads a time from a form or the API: a datetime-local
// value (in Kazakhstan) or RFC 3339. Empty stays empty (the default
// applies).
func cycleParseTime(v string) (string, bool) {
	v = strings.TrimSpace(v)
	if v == "" {
		return "", true
	}
	if t, err := time.Parse(time.RFC3339, v); err == nil {
		return t.Format(time.RFC3339), true
	}
	for _, layout := range []string{"2006-01-02T15:04", "2006-01-02T15:04:05"} {
		if t, err := time.ParseInLocation(layout, v, cycleZone); err == nil {
			return t.Format(time.RFC3339), true
		}
	}
	return "", false
}

// cycleFileTypes are the downloads a letter or a report renders to.
var cycleFileTypes = map[string]string{
	"pdf":  "application/pdf",
	"xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
	"json": "application/json; charset=utf-8",
}

// cycleSplitExt splits "7.pdf" into "7" and "pdf"; a name with no known
// extension comes back whole with "".
func cycleSplitExt(name string) (string, string) {
	if i := strings.LastIndexByte(name, '.'); i > 0 {
		if _, ok := cycleFileTypes[name[i+1:]]; ok {
			return name[:i], name[i+1:]
		}
	}
	return name, ""
}

// cycleDownload renders a document into memory and sends it as a file.
// Rendering first means a failure is a clean error for the caller to
// answer (and log, once), never half a file. Letters carry personal data,
// so downloads are not kept by caches.
func cycleDownload(w http.ResponseWriter, filename, format string, render func(io.Writer) error) error {
	var buf bytes.Buffer
	if err := render(&buf); err != nil {
		return fmt.Errorf("render %s: %w", filename, err)
	}
	w.Header().Set("Content-Type", cycleFileTypes[format])
	w.Header().Set("Content-Disposition", fmt.Sprintf("attachment; filename=%q", filename))
	w.Header().Set("Cache-Control", "private, no-store")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.Write(buf.Bytes())
	return nil
}

var cycleNameRE = regexp.MustCompile(`^[\p{L}\p{N} ._()+-]{1,120}$`)

// cycleSafeName keeps an uploaded file's name for messages and the audit
// log if it is a plain name; anything else (a path, a name made to mislead
// a log) becomes fallback.
func cycleSafeName(name, fallback string) string {
	name = filepath.Base(strings.ReplaceAll(name, `\`, "/"))
	if !cycleNameRE.MatchString(name) || strings.HasPrefix(name, ".") {
		return fallback
	}
	return name
}

// cycleSpool copies an upload to a file named name in a new temporary
// directory, because the readers of reference files take a path. The
// caller removes the directory with the returned function.
func cycleSpool(src io.Reader, name string) (string, func(), error) {
	dir, err := os.MkdirTemp("", "esep-upload-")
	if err != nil {
		return "", nil, err
	}
	done := func() { os.RemoveAll(dir) }
	path := filepath.Join(dir, name)
	f, err := os.OpenFile(path, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o600)
	if err != nil {
		done()
		return "", nil, err
	}
	_, err = io.Copy(f, src)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		done()
		return "", nil, err
	}
	return path, done, nil
}

// cycleMaskFinding masks the personal data in a finding: its value, and
// its detail, which may carry another (the spelling of a name seen
// before, in plain text) or parameters of its message. It reports whether
// anything was masked.
func cycleMaskFinding(f register.Finding) (register.Finding, bool) {
	out := f
	out.Value = cycleMaskValue(f.Column, f.Value)
	key, query, hasQuery := strings.Cut(f.Detail, "?")
	switch {
	case f.Detail == "":
	case i18n.Has(i18n.EN, key): // a message key with parameters (register.DetailKey)
		if q, err := url.ParseQuery(query); hasQuery && err == nil {
			for _, vs := range q {
				for i := range vs {
					vs[i] = cycleMaskValue(f.Column, vs[i])
				}
			}
			out.Detail = key + "?" + q.Encode()
		}
	default:
		out.Detail = cycleMaskValue(f.Column, f.Detail)
	}
	return out, out != f
}

// cycleMaskValue masks a value when its column holds personal data,
// exactly as maskRecord masks a record.
func cycleMaskValue(column, value string) string {
	c, ok := register.ColumnByName(column)
	if !ok || value == "" {
		return value
	}
	var rec register.Record
	c.Set(&rec, value)
	m := maskRecord(rec)
	if v := c.Get(&m); v != "" {
		return v
	}
	return "…" // a birth date is hidden whole
}
