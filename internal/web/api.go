package web

import (
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"net/http"
	"strconv"
	"time"

	"esep/internal/auth"
	"esep/internal/i18n"
	"esep/internal/register"
	"esep/internal/store"
)

// apiError is the body of every API error: a stable code for machines and a
// message in the caller's language.
type apiError struct {
	Code    string `json:"code"`
	Message string `json:"message"`
}

// API error codes, each with the HTTP status it travels with.
var apiStatus = map[string]int{
	"unauthorized":     http.StatusUnauthorized,
	"forbidden":        http.StatusForbidden,
	"not_found":        http.StatusNotFound,
	"bad_request":      http.StatusBadRequest,
	"too_large":        http.StatusRequestEntityTooLarge,
	"forbidden_region": http.StatusForbidden,
	"internal":         http.StatusInternalServerError,
}

func (s *Server) apiFail(w http.ResponseWriter, r *http.Request, code string, params ...any) {
	status, ok := apiStatus[code]
	if !ok {
		status = http.StatusInternalServerError
	}
	writeJSON(w, status, apiError{Code: code, Message: i18n.T(langOf(r), "web.api."+code, params...)})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.Encode(v)
}

// api wraps an API handler: the caller must be signed in (a session or a
// bearer token) and hold the permission; bodies are capped.
func (s *Server) api(p *auth.Permission, h http.HandlerFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		u := userOf(r)
		if u == nil {
			s.apiFail(w, r, "unauthorized")
			return
		}
		if p != nil && !u.Can(*p) {
			s.apiFail(w, r, "forbidden")
			return
		}
		r.Body = http.MaxBytesReader(w, r.Body, s.cfg.MaxBody)
		h(w, r)
	})
}

func (s *Server) apiInternal(w http.ResponseWriter, r *http.Request, err error) {
	if s.abandoned(w, r, err) {
		return
	}
	s.log.Error("api", "err", err, "request_id", requestID(r))
	s.apiFail(w, r, "internal")
}

func (s *Server) apiMe(w http.ResponseWriter, r *http.Request) {
	u := userOf(r)
	var perms []auth.Permission
	for _, p := range []auth.Permission{auth.ReadRegister, auth.WriteRegister, auth.ReadPersonal, auth.ReadCycle, auth.WriteCycle, auth.ReadReports, auth.WriteReports, auth.ManageUsers, auth.ManageCatalogs} {
		if u.Can(p) {
			perms = append(perms, p)
		}
	}
	writeJSON(w, http.StatusOK, map[string]any{"user": u, "permissions": perms, "lang": langOf(r)})
}

// apiRecord is a record as the API returns it: personal data masked unless
// the caller's role needs it.
type apiRecord struct {
	Record   map[string]string `json:"record"`
	Blocking bool              `json:"blocking"`
	Version  int               `json:"version"`
}

func toAPI(rec register.Record, blocking bool, version int, full bool) apiRecord {
	if !full {
		rec = maskRecord(rec)
	}
	m := make(map[string]string, len(register.Columns))
	for _, c := range register.Columns {
		m[c.Name] = c.Get(&rec)
	}
	return apiRecord{Record: m, Blocking: blocking, Version: version}
}

func (s *Server) apiRecords(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	f := filterOf(r)
	for _, d := range []string{f.From, f.To} {
		if _, err := time.Parse(time.DateOnly, d); d != "" && err != nil {
			s.apiFail(w, r, "bad_request", "detail", "from/to: YYYY-MM-DD")
			return
		}
	}
	limit := 100
	if v := q.Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 1000 {
			s.apiFail(w, r, "bad_request", "detail", "limit: 1..1000")
			return
		}
		limit = n
	}
	u := userOf(r)
	if u.Region != "" {
		f.Region = u.Region
	}
	rows, next, err := s.db.ListRecords(r.Context(), f, q.Get("cursor"), limit)
	if err != nil {
		s.apiFail(w, r, "bad_request", "detail", "cursor")
		return
	}
	items := make([]apiRecord, 0, len(rows))
	for _, l := range rows {
		items = append(items, toAPI(l.Record, l.Blocking, l.Version, false))
	}
	writeJSON(w, http.StatusOK, map[string]any{"items": items, "next_cursor": next})
}

func (s *Server) apiRecord(w http.ResponseWriter, r *http.Request) {
	u := userOf(r)
	d, err := s.db.Record(r.Context(), r.PathValue("id"))
	if errors.Is(err, store.ErrNotFound) || err == nil && !u.InScope(d.Record.RegionKATO) {
		s.apiFail(w, r, "not_found")
		return
	}
	if err != nil {
		s.apiInternal(w, r, err)
		return
	}
	full := u.Can(auth.ReadPersonal)
	if full {
		if err := s.db.Audit(r.Context(), "user:"+strconv.FormatInt(u.ID, 10), "record.open", "record:"+d.Record.RecordID, "api"); err != nil {
			s.apiInternal(w, r, err)
			return
		}
	}
	findings := make([]map[string]string, 0, len(d.Findings))
	for _, f := range d.Findings {
		findings = append(findings, map[string]string{"rule": f.Rule, "severity": string(f.Severity), "column": f.Column, "message": f.Message(langOf(r))})
	}
	writeJSON(w, http.StatusOK, map[string]any{"record": toAPI(d.Record, d.Blocking, d.Version, full), "findings": findings, "history": d.Corrections})
}

func (s *Server) apiIndicators(w http.ResponseWriter, r *http.Request) {
	from, to := r.URL.Query().Get("from"), r.URL.Query().Get("to")
	f, err1 := time.Parse(time.DateOnly, from)
	t, err2 := time.Parse(time.DateOnly, to)
	if err1 != nil || err2 != nil || t.Before(f) {
		s.apiFail(w, r, "bad_request", "detail", "from, to: YYYY-MM-DD")
		return
	}
	body, err := s.indicatorsJSON(r.Context(), from, to)
	if err != nil {
		s.apiInternal(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.Write(body)
}

func (s *Server) apiCycle(w http.ResponseWriter, r *http.Request) {
	from, to := r.URL.Query().Get("from"), r.URL.Query().Get("to")
	months, err := s.cycle.Status(r.Context(), from, to, time.Now())
	if err != nil {
		s.apiFail(w, r, "bad_request", "detail", "from, to: YYYY-MM")
		return
	}
	writeJSON(w, http.StatusOK, months)
}

// openapiFS holds the OpenAPI document in parts: base.json (info,
// security, components) and paths-*.json, one per part of the API, merged
// at start. Each part of the server describes its own routes next to the
// code that serves them.
//
//go:embed openapi
var openapiFS embed.FS

func buildOpenAPI() ([]byte, error) {
	base, err := fs.ReadFile(openapiFS, "openapi/base.json")
	if err != nil {
		return nil, err
	}
	var doc map[string]any
	if err := json.Unmarshal(base, &doc); err != nil {
		return nil, fmt.Errorf("openapi base: %w", err)
	}
	paths := map[string]any{}
	files, _ := fs.Glob(openapiFS, "openapi/paths-*.json")
	for _, f := range files {
		b, err := fs.ReadFile(openapiFS, f)
		if err != nil {
			return nil, err
		}
		var part map[string]map[string]any
		if err := json.Unmarshal(b, &part); err != nil {
			return nil, fmt.Errorf("openapi %s: %w", f, err)
		}
		for path, ops := range part {
			merged, _ := paths[path].(map[string]any)
			if merged == nil {
				merged = map[string]any{}
			}
			for method, op := range ops {
				if _, dup := merged[method]; dup {
					return nil, fmt.Errorf("openapi %s: %s %s described twice", f, method, path)
				}
				merged[method] = op
			}
			paths[path] = merged
		}
	}
	doc["paths"] = paths
	return json.MarshalIndent(doc, "", " ")
}

func (s *Server) openapi(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	w.Write(s.openapiDoc)
}
