package web

import (
	"context"
	"encoding/csv"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"esep/internal/i18n"
	"esep/internal/store"

	"esep/internal/kz"
)

// The audit log: who did or changed what, written by the store in the
// transaction of each change. It is read here newest first, filtered and
// paged by keyset, and exported as CSV without a cap.

// kzTime is Kazakhstan's single time zone (UTC+5), in which people read
// the times of the log and type the dates of the filter.
var kzTime = kz.Zone

// auditQuery is the filter as typed: Actor is a login or an actor as the
// log writes it ("user:3", "system", "cli").
type auditQuery struct {
	Actor, Action, From, To string
}

func readAuditQuery(q url.Values) auditQuery {
	return auditQuery{Actor: strings.TrimSpace(q.Get("actor")), Action: strings.TrimSpace(q.Get("action")), From: q.Get("from"), To: q.Get("to")}
}

// encode is the query string of the filter, for the next page and the
// export.
func (a auditQuery) encode() url.Values {
	v := url.Values{}
	for k, x := range map[string]string{"actor": a.Actor, "action": a.Action, "from": a.From, "to": a.To} {
		if x != "" {
			v.Set(k, x)
		}
	}
	return v
}

// auditNames maps the log's user actors ("user:3") to logins and back.
type auditNames struct {
	login map[string]string // user:3 → asem
	actor map[string]string // asem → user:3
}

func (s *Server) auditNames(ctx context.Context) (auditNames, error) {
	users, err := s.db.Users(ctx)
	if err != nil {
		return auditNames{}, err
	}
	n := auditNames{login: map[string]string{}, actor: map[string]string{}}
	for _, u := range users {
		a := store.ActorOf(u.ID)
		n.login[a], n.actor[u.Login] = u.Login, a
	}
	return n, nil
}

// filter turns the query into the store's filter. Dates are days in
// Kazakhstan, both ends included.
func (a auditQuery) filter(names auditNames) (store.AuditFilter, *problem) {
	f := store.AuditFilter{Actor: a.Actor, Action: a.Action}
	if actor, ok := names.actor[a.Actor]; ok {
		f.Actor = actor
	}
	const instant = "2006-01-02T15:04:05" // no zone: see store.AuditFilter
	for _, d := range []struct {
		s    string
		dst  *string
		days int
	}{{a.From, &f.Since, 0}, {a.To, &f.Before, 1}} {
		if d.s == "" {
			continue
		}
		t, err := time.ParseInLocation(time.DateOnly, d.s, kzTime)
		if err != nil {
			return f, badInput("web.error.bad_date")
		}
		*d.dst = t.AddDate(0, 0, d.days).UTC().Format(instant)
	}
	return f, nil
}

// auditRow is a line of the log as a page shows it.
type auditRow struct {
	store.AuditEntry
	When       string // local time
	ActorLogin string
	ObjectName string
}

func (n auditNames) row(e store.AuditEntry) auditRow {
	row := auditRow{AuditEntry: e, When: e.At, ActorLogin: n.login[e.Actor], ObjectName: n.login[e.Object]}
	if t, err := time.Parse(time.RFC3339Nano, e.At); err == nil {
		row.When = t.In(kzTime).Format("2006-01-02 15:04:05")
	}
	return row
}

// auditData is the audit page.
type auditData struct {
	Query   auditQuery
	Actions []string
	Rows    []auditRow
	Next    string
	CSV     string
}

const auditPageSize = 50

// auditPageFilter reads the audit filter of a page or export request,
// answering the request itself when it cannot.
func (s *Server) auditPageFilter(w http.ResponseWriter, r *http.Request) (auditQuery, auditNames, store.AuditFilter, bool) {
	q := readAuditQuery(r.URL.Query())
	names, err := s.auditNames(r.Context())
	if err != nil {
		s.serverError(w, r, err)
		return q, names, store.AuditFilter{}, false
	}
	f, p := q.filter(names)
	if p != nil {
		s.render(w, r, p.status, "error", "web.error.bad_request", p.key)
		return q, names, store.AuditFilter{}, false
	}
	return q, names, f, true
}

func (s *Server) adminAudit(w http.ResponseWriter, r *http.Request) {
	q, names, f, ok := s.auditPageFilter(w, r)
	if !ok {
		return
	}
	cursor := r.URL.Query().Get("cursor")
	if !validCursor(cursor) {
		s.render(w, r, http.StatusBadRequest, "error", "web.error.bad_request", "web.error.bad_request")
		return
	}
	entries, next, err := s.db.ListAudit(r.Context(), f, cursor, auditPageSize)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	actions, err := s.db.AuditActions(r.Context())
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	d := auditData{Query: q, Actions: actions}
	for _, e := range entries {
		d.Rows = append(d.Rows, names.row(e))
	}
	v := q.encode()
	d.CSV = "/admin/audit.csv?" + v.Encode()
	if next != "" {
		v.Set("cursor", next)
		d.Next = "/admin/audit?" + v.Encode()
	}
	s.render(w, r, http.StatusOK, "admin_audit", "web.admin.audit_title", d)
}

// validCursor checks a page cursor: the id of the last event shown.
func validCursor(c string) bool {
	if c == "" {
		return true
	}
	n, err := strconv.ParseInt(c, 10, 64)
	return err == nil && n > 0
}

// csvSafe keeps a spreadsheet from reading a cell as a formula: the log
// holds text people typed (names, file names).
func csvSafe(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}

// adminAuditCSV exports the filtered log. It reads in keyset pages rather
// than one query, so a slow download holds no database connection or
// snapshot open, and has no cap. The export itself is audited: the log
// names people.
func (s *Server) adminAuditCSV(w http.ResponseWriter, r *http.Request) {
	q, names, f, ok := s.auditPageFilter(w, r)
	if !ok {
		return
	}
	if err := s.db.Audit(r.Context(), store.ActorOf(userOf(r).ID), "audit.export", "audit", q.encode().Encode()); err != nil {
		s.serverError(w, r, err)
		return
	}
	lang := langOf(r)
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", fmt.Sprintf(`attachment; filename="esep-audit-%s.csv"`, time.Now().In(kzTime).Format("20060102-1504")))
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.Write([]byte("\uFEFF")) // a spreadsheet reads the Cyrillic as UTF-8 only after a BOM
	cw := csv.NewWriter(w)
	head := []string{"id", "at"}
	for _, k := range []string{"actor", "login", "action", "object", "detail"} {
		head = append(head, i18n.T(lang, "web.admin.audit."+k))
	}
	cw.Write(head)
	rc := http.NewResponseController(w)
	cursor := ""
	for {
		entries, next, err := s.db.ListAudit(r.Context(), f, cursor, 1000)
		if err != nil {
			// The status is sent: abort, so the client sees a broken
			// download rather than a short file that looks whole.
			s.log.Error("audit export", "err", err, "request_id", requestID(r))
			panic(http.ErrAbortHandler)
		}
		for _, e := range entries {
			cw.Write([]string{strconv.FormatInt(e.ID, 10), e.At, csvSafe(e.Actor), csvSafe(names.login[e.Actor]), csvSafe(e.Action), csvSafe(e.Object), csvSafe(e.Detail)})
		}
		cw.Flush()
		if cw.Error() != nil || next == "" {
			return // a write error is the client gone
		}
		rc.Flush()
		cursor = next
	}
}

func (s *Server) apiAudit(w http.ResponseWriter, r *http.Request) {
	q := readAuditQuery(r.URL.Query())
	names, err := s.auditNames(r.Context())
	if err != nil {
		s.apiInternal(w, r, err)
		return
	}
	f, p := q.filter(names)
	if p != nil {
		s.apiFail(w, r, "bad_request", "detail", "from/to: YYYY-MM-DD")
		return
	}
	limit := 100
	if v := r.URL.Query().Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 1000 {
			s.apiFail(w, r, "bad_request", "detail", "limit: 1..1000")
			return
		}
		limit = n
	}
	cursor := r.URL.Query().Get("cursor")
	if !validCursor(cursor) {
		s.apiFail(w, r, "bad_request", "detail", "cursor")
		return
	}
	entries, next, err := s.db.ListAudit(r.Context(), f, cursor, limit)
	if err != nil {
		s.apiInternal(w, r, err)
		return
	}
	type item struct {
		ID     int64  `json:"id"`
		At     string `json:"at"`
		Actor  string `json:"actor"`
		Login  string `json:"login,omitempty"` // of the actor, when a user
		Action string `json:"action"`
		Object string `json:"object"`
		Detail string `json:"detail"`
	}
	items := make([]item, 0, len(entries))
	for _, e := range entries {
		items = append(items, item{e.ID, e.At, e.Actor, names.login[e.Actor], e.Action, e.Object, e.Detail})
	}
	writeJSON(w, http.StatusOK, map[string]any{"items": items, "next_cursor": next})
}
