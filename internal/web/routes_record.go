package web

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"sort"
	"strings"
	"sync"

	"esep/internal/auth"
	"esep/internal/ingest"
	"esep/internal/monitor"
	"esep/internal/register"
	"esep/internal/store"
)

var permWrite = ptr(auth.WriteRegister)

// recordRoutes registers the correction of a record from the web and the
// API's idempotent record writes.
func (s *Server) recordRoutes() {
	s.handle("GET /register/{id}/edit", s.page(permWrite, s.editPage))
	s.handle("POST /register/{id}/edit", s.page(permWrite, s.editRecord))
	s.handle("POST /api/v1/records", s.api(permWrite, s.apiPutRecords))
}

// editData is the correction form: the record's columns, and after a failed
// save the findings that stopped it.
type editData struct {
	ID       string
	Fields   []editField
	Findings []string
	Saved    bool
}

type editField struct {
	Name, Value string
	Required    bool
}

func (s *Server) editable(w http.ResponseWriter, r *http.Request) (*store.RecordDetail, bool) {
	d, err := s.db.Record(r.Context(), r.PathValue("id"))
	if errors.Is(err, store.ErrNotFound) || err == nil && !userOf(r).InScope(d.Record.RegionKATO) {
		s.render(w, r, http.StatusNotFound, "error", "web.error.not_found", "web.error.not_found_text")
		return nil, false
	}
	if err != nil {
		s.serverError(w, r, err)
		return nil, false
	}
	return d, true
}

func fieldsOf(rec *register.Record) []editField {
	var out []editField
	for _, c := range register.Columns {
		out = append(out, editField{Name: c.Name, Value: c.Get(rec), Required: c.Required})
	}
	return out
}

func (s *Server) editPage(w http.ResponseWriter, r *http.Request) {
	d, ok := s.editable(w, r)
	if !ok {
		return
	}
	s.render(w, r, http.StatusOK, "edit", "web.edit.title", editData{ID: d.Record.RecordID, Fields: fieldsOf(&d.Record)})
}

// editRecord saves a correction made in the page. It goes through the same
// checks and history as a corrected file: a version with blocking findings
// never replaces a valid one, and every changed column is kept with who and
// when.
func (s *Server) editRecord(w http.ResponseWriter, r *http.Request) {
	d, ok := s.editable(w, r)
	if !ok {
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, 256<<10)
	if err := r.ParseForm(); err != nil {
		s.render(w, r, http.StatusBadRequest, "error", "web.error.bad_request", "web.error.bad_request")
		return
	}
	u := userOf(r)
	rec := d.Record
	for _, c := range register.Columns[1:] { // the record_id is the identity: it is not edited
		if v, ok := r.PostForm[c.Name]; ok {
			c.Set(&rec, v[0])
		}
	}
	register.Normalize(&rec)
	if !u.InScope(rec.RegionKATO) {
		s.render(w, r, http.StatusForbidden, "error", "web.error.forbidden", "web.edit.other_region")
		return
	}
	var findings []string
	v, err := s.validator(r)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	res, err := ingest.ImportRecords(r.Context(), s.db, []register.Record{rec}, store.ImportMeta{FileName: "web:edit", By: actor(u)},
		ingest.Options{Validator: v, OnFinding: func(f ingest.RowFinding) { findings = append(findings, f.Message(langOf(r))) }})
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	if res.Summary.Corrected == 0 && res.Summary.Unchanged == 0 {
		s.render(w, r, http.StatusUnprocessableEntity, "edit", "web.edit.title", editData{ID: rec.RecordID, Fields: fieldsOf(&rec), Findings: findings})
		return
	}
	http.Redirect(w, r, "/register/"+rec.RecordID, http.StatusSeeOther)
}

func actor(u *auth.User) string { return store.ActorOf(u.ID) }

// validator builds the rules' reference data for a request, as the command
// line does: today in Kazakhstan, the service catalogue, the loaded KATO
// settlements.
func (s *Server) validator(r *http.Request) (*register.Validator, error) {
	set, err := s.db.Settlements(r.Context())
	if err != nil {
		return nil, err
	}
	return &register.Validator{Today: monitor.Today(), Services: defaultServices(), Settlements: set}, nil
}

// defaultServices is the embedded service catalogue as a set, read once:
// parsing it again for every API write cost a tenth of the request.
var defaultServices = sync.OnceValue(func() func(string) bool { return register.ServiceSet(register.DefaultServices()) })

// putRecords is the body of POST /api/v1/records.
type putRecords struct {
	// Month, when set, delivers the records as the monthly register of that
	// month (YYYY-MM), with its deadline and letter.
	Month   string              `json:"month"`
	Records []map[string]string `json:"records"`
}

// apiPutRecords takes records pushed by the operator's information system.
// Writes are idempotent by record_id: the same record again changes
// nothing; changed content is a correction with history.
func (s *Server) apiPutRecords(w http.ResponseWriter, r *http.Request) {
	u := userOf(r)
	var body putRecords
	dec := json.NewDecoder(r.Body)
	dec.DisallowUnknownFields()
	if err := dec.Decode(&body); err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			s.apiFail(w, r, "too_large")
			return
		}
		s.apiFail(w, r, "bad_request", "detail", "JSON: "+err.Error())
		return
	}
	if len(body.Records) == 0 {
		s.apiFail(w, r, "bad_request", "detail", "records: empty")
		return
	}
	recs := make([]register.Record, len(body.Records))
	var outside []string
	for i, m := range body.Records {
		for name, v := range m {
			c, ok := register.ColumnByName(name)
			if !ok {
				s.apiFail(w, r, "bad_request", "detail", fmt.Sprintf("records[%d]: unknown column %q", i, name))
				return
			}
			c.Set(&recs[i], v)
		}
		register.Normalize(&recs[i])
		if !u.InScope(recs[i].RegionKATO) {
			outside = append(outside, recs[i].RecordID)
		}
	}
	if len(outside) > 0 {
		s.apiFail(w, r, "forbidden_region", "records", strings.Join(outside, ", "))
		return
	}
	v, err := s.validator(r)
	if err != nil {
		s.apiInternal(w, r, err)
		return
	}
	type finding struct {
		Row      int    `json:"row"`
		RecordID string `json:"record_id"`
		Rule     string `json:"rule"`
		Severity string `json:"severity"`
		Column   string `json:"column"`
		Message  string `json:"message"`
	}
	findings := []finding{}
	opts := ingest.Options{Validator: v, Normalized: true, OnFinding: func(f ingest.RowFinding) {
		findings = append(findings, finding{f.Row, f.RecordID, f.Rule, string(f.Severity), f.Column, f.Message(langOf(r))})
	}}
	var res *ingest.Result
	if body.Month != "" {
		if _, err := monitor.ParseMonth(body.Month); err != nil {
			s.apiFail(w, r, "bad_request", "detail", "month: YYYY-MM")
			return
		}
		res, _, err = s.cycle.DeliverRecords(r.Context(), recs, monitor.Delivery{Month: body.Month, By: actor(u)}, opts)
	} else {
		// On PostgreSQL writes run side by side, and two writing the same
		// new record (or client) at once both find it absent: the second
		// fails on the unique key and is rolled back whole. Done again, it
		// finds the record the first wrote, as it would have one moment
		// later. (On SQLite the writes take turns.)
		for attempt := 1; ; attempt++ {
			findings = findings[:0]
			res, err = s.importRecords(r.Context(), recs, store.ImportMeta{FileName: "api", By: actor(u)}, opts)
			if attempt == 3 || !errors.Is(err, store.ErrConflict) {
				break
			}
		}
	}
	if err != nil {
		s.apiInternal(w, r, err)
		return
	}
	sort.SliceStable(findings, func(i, j int) bool { return findings[i].Row < findings[j].Row })
	writeJSON(w, http.StatusOK, map[string]any{"import_id": res.ImportID, "summary": res.Summary, "letter": res.Letter, "findings": findings})
}
