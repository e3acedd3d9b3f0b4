package web

import (
	"encoding/json"
	"io"
	"net/http"
	"strconv"
	"time"

	"esep/internal/auth"
	"esep/internal/i18n"
	"esep/internal/store"
)

// The API error codes of imports, beyond apiStatus's: each travels with
// its own status, and its message comes from the web.import catalogue.
//
//	import_running  409  the caller already has an import running
//	unavailable     503  the server is stopping
//	not_finished    409  a problem list asked for before the import ended
//	import_failed   409  a problem list of an import that wrote nothing
func (s *Server) importAPIRefuse(w http.ResponseWriter, r *http.Request, ref *importRefusal) {
	writeJSON(w, ref.status, apiError{Code: ref.code, Message: ref.message(langOf(r))})
}

// apiImportStart takes a register file — a multipart form with "file" and
// an optional "month", or a raw text/csv (or XLSX) body with ?month= and
// ?name= — and starts importing it: 202 with where to follow it.
func (s *Server) apiImportStart(w http.ResponseWriter, r *http.Request) {
	up, ref, err := receiveImport(r, true)
	if err != nil {
		s.apiInternal(w, r, err)
		return
	}
	if ref != nil {
		s.importAPIRefuse(w, r, ref)
		return
	}
	j, ref, err := s.startImport(r, up)
	if err != nil {
		s.apiInternal(w, r, err)
		return
	}
	if ref != nil {
		s.importAPIRefuse(w, r, ref)
		return
	}
	status := "/api/v1/imports/" + j.id
	w.Header().Set("Location", status)
	writeJSON(w, http.StatusAccepted, map[string]string{"id": j.id, "status_url": status, "page_url": "/import/" + j.id})
}

// importStatus is an import as the API reports it.
type importStatus struct {
	ID             string               `json:"id"`
	File           string               `json:"file"`
	Month          string               `json:"month,omitempty"`
	State          jobState             `json:"state"`
	Done           int64                `json:"done"`
	Total          int64                `json:"total"`
	Percent        int                  `json:"percent"`
	StartedAt      string               `json:"started_at"`
	FinishedAt     string               `json:"finished_at,omitempty"`
	ImportID       int64                `json:"import_id,omitempty"`
	Summary        *store.ImportSummary `json:"summary,omitempty"`
	Rules          map[string]int       `json:"rules,omitempty"`
	Problems       int                  `json:"problems"`
	UnknownColumns []string             `json:"unknown_columns,omitempty"`
	Letter         string               `json:"letter,omitempty"`
	ProblemsURL    string               `json:"problems_url,omitempty"`
	Error          *apiError            `json:"error,omitempty"`
}

func (s *Server) apiImportStatus(w http.ResponseWriter, r *http.Request) {
	j, ok := s.jobs.get(r.PathValue("id"), userOf(r).ID)
	if !ok {
		s.apiFail(w, r, "not_found")
		return
	}
	v := j.view()
	out := importStatus{ID: v.ID, File: v.File, Month: v.Month, State: v.State, Done: v.Done, Total: v.Total, Percent: v.Percent,
		StartedAt: v.Started.UTC().Format(time.RFC3339), Problems: v.Problems}
	if !v.Ended.IsZero() {
		out.FinishedAt = v.Ended.UTC().Format(time.RFC3339)
	}
	if res := v.Result; res != nil {
		out.ImportID, out.Summary, out.Rules, out.UnknownColumns, out.Letter = res.ImportID, &res.Summary, res.RuleCounts, res.UnknownColumns, res.Letter
		out.ProblemsURL = "/api/v1/imports/" + v.ID + "/problems"
	}
	if v.Err != nil {
		out.Error = &apiError{Code: v.Err.Code, Message: v.Err.Message(langOf(r))}
	}
	writeJSON(w, http.StatusOK, out)
}

// apiImportProblems streams every finding of a finished import as
// {"import_id": n, "items": [...]}: no page size and no cap, read from the
// database as it is written out.
func (s *Server) apiImportProblems(w http.ResponseWriter, r *http.Request) {
	j, ok := s.jobs.get(r.PathValue("id"), userOf(r).ID)
	if !ok {
		s.apiFail(w, r, "not_found")
		return
	}
	v := j.view()
	lang := langOf(r)
	switch v.State {
	case jobRunning:
		s.importAPIRefuse(w, r, importRefuse(http.StatusConflict, "not_finished", "web.import.error.not_finished"))
		return
	case jobFailed:
		writeJSON(w, http.StatusConflict, apiError{Code: "import_failed", Message: i18n.T(lang, "web.import.error.failed", "reason", v.Err.Message(lang))})
		return
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	io.WriteString(w, `{"import_id":`+strconv.FormatInt(v.Result.ImportID, 10)+`,"items":[`)
	enc := json.NewEncoder(w)
	first := true
	err := s.eachImportProblem(r.Context(), v.Result.ImportID, lang, userOf(r).Can(auth.ReadPersonal), func(p *importProblem) error {
		if !first {
			if _, err := io.WriteString(w, ","); err != nil {
				return err
			}
		}
		first = false
		return enc.Encode(p)
	})
	if err != nil {
		s.importAbort(r, err)
	}
	io.WriteString(w, "]}\n")
}
