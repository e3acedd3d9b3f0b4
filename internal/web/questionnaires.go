package web

// The Register of questionnaires (Annex 2) for analysts: the page
// /questionnaires with its counts, the import of answers collected outside
// esep (paper, another system) and the export of a period as CSV or XLSX,
// with the same in the API. The file format is ingest's
// (docs/questionnaires.md); an import is all or nothing.

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"esep/internal/auth"
	"esep/internal/i18n"
	"esep/internal/ingest"
	"esep/internal/ingest/tabular"
	"esep/internal/monitor"
	"esep/internal/store"
	"esep/internal/survey"
	"esep/internal/xlsx"
)

var permSurvey = ptr(auth.ManageSurvey)

// questionnairesPageSize is how many answers a page lists.
const questionnairesPageSize = 100

// questionnairesRange reads ?from= and ?to= (YYYY-MM-DD, the end dates of
// the services answered about). Left out, the year so far.
func questionnairesRange(q url.Values, today time.Time) (from, to string, ok bool) {
	from, to = q.Get("from"), q.Get("to")
	if from == "" {
		from = fmt.Sprintf("%d-01-01", today.Year())
	}
	if to == "" {
		to = today.Format(time.DateOnly)
	}
	f, err1 := time.Parse(time.DateOnly, from)
	t, err2 := time.Parse(time.DateOnly, to)
	return from, to, err1 == nil && err2 == nil && !t.Before(f)
}

// questionnaireRow is one answer as the page shows it.
type questionnaireRow struct {
	store.Questionnaire
	Lists  [3]string // purposes, financial, non-financial: labels in the user's language
	Source string
}

// questionnaireProblem is one problem of a refused file, in words.
type questionnaireProblem struct {
	ingest.Problem
	Message string `json:"message"`
}

type questionnairesData struct {
	From, To    string
	Counts      store.QuestionnaireCounts
	Aspects     []string  // the four rated aspects, in the user's language
	Means       [4]string // their mean ratings, one decimal
	Rows        []questionnaireRow
	Next        string
	Export      string // the query of the period, for the download links
	Notice      string
	Error       string
	Problems    []questionnaireProblem
	MaxMB       int64
	ImportLinks bool
}

func (s *Server) questionnairesPage(w http.ResponseWriter, r *http.Request) {
	s.renderQuestionnaires(w, r, http.StatusOK, "", nil)
}

// renderQuestionnaires shows the page for the period of the request, with
// an error (and a refused file's problems) when there is one.
func (s *Server) renderQuestionnaires(w http.ResponseWriter, r *http.Request, status int, problem string, problems []questionnaireProblem) {
	lang := langOf(r)
	from, to, ok := questionnairesRange(r.URL.Query(), monitor.Today())
	if !ok {
		status, problem = http.StatusBadRequest, i18n.T(lang, "web.questionnaires.bad_range")
		from, to, _ = questionnairesRange(nil, monitor.Today())
	}
	f := store.QuestionnaireFilter{From: from, To: to, Region: userOf(r).Region}
	counts, err := s.db.CountQuestionnaires(r.Context(), f)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	list, next, err := s.db.ListQuestionnaires(r.Context(), f, r.URL.Query().Get("cursor"), questionnairesPageSize)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	d := questionnairesData{From: from, To: to, Counts: counts, Error: problem, Problems: problems, MaxMB: cycleUploadMax >> 20,
		Export: url.Values{"from": {from}, "to": {to}}.Encode()}
	for i, a := range survey.RatingAspects {
		d.Aspects = append(d.Aspects, i18n.T(lang, "questionnaires.col."+string(a)))
		if counts.Total > 0 {
			d.Means[i] = strconv.FormatFloat(float64(counts.Sums[i])/float64(counts.Total), 'f', 1, 64)
		}
	}
	header := len(ingest.QuestionnaireColumns)
	for i := range list {
		cells := ingest.QuestionnaireRow(&list[i], lang)
		d.Rows = append(d.Rows, questionnaireRow{Questionnaire: list[i], Lists: [3]string{cells[header], cells[header+1], cells[header+2]},
			Source: i18n.T(lang, "questionnaires.source."+list[i].Source)})
	}
	if next != "" {
		q := r.URL.Query()
		q.Set("from", from)
		q.Set("to", to)
		q.Set("cursor", next)
		d.Next = "/questionnaires?" + q.Encode()
	}
	if r.URL.Query().Get("imported") != "" {
		d.Notice = i18n.T(lang, "web.questionnaires.imported", "n", r.URL.Query().Get("imported"), "file", r.URL.Query().Get("file"))
	}
	s.render(w, r, status, "questionnaires", "web.questionnaires.title", d)
}

// questionnairesLoad reads an uploaded Register of questionnaires and
// stores it, all or nothing. A refused file comes back as the error
// (*ingest.ProblemsError, *ingest.HeaderError, *tabular.FileError), and
// nothing is stored.
func (s *Server) questionnairesLoad(ctx context.Context, u *auth.User, src io.Reader, name string) (int, error) {
	path, done, err := cycleSpool(src, name)
	if err != nil {
		return 0, err
	}
	defer done()
	qs, err := ingest.ReadQuestionnaires(ctx, path, tabular.Options{MaxBytes: cycleUploadMax}, s.db, u.Region)
	if err != nil {
		return 0, err
	}
	if err := s.db.ImportQuestionnaires(ctx, qs, store.ActorOf(u.ID), name); err != nil {
		return 0, err
	}
	return len(qs), nil
}

// questionnaireProblems puts every problem of a refused file in words.
func questionnaireProblems(lang i18n.Lang, err error) []questionnaireProblem {
	var perr *ingest.ProblemsError
	if !errors.As(err, &perr) {
		return nil
	}
	out := make([]questionnaireProblem, len(perr.Problems))
	for i, p := range perr.Problems {
		out[i] = questionnaireProblem{p, i18n.T(lang, p.Key)}
	}
	return out
}

// questionnairesImport receives the upload form. A refused file shows the
// page again with every problem, row by row.
func (s *Server) questionnairesImport(w http.ResponseWriter, r *http.Request) {
	lang := langOf(r)
	r.Body = http.MaxBytesReader(w, r.Body, cycleUploadMax)
	if err := r.ParseMultipartForm(1 << 20); err != nil {
		if cycleTooLarge(err) {
			s.renderQuestionnaires(w, r, http.StatusRequestEntityTooLarge, i18n.T(lang, "web.cycle.too_large", "mb", cycleUploadMax>>20), nil)
			return
		}
		s.renderQuestionnaires(w, r, http.StatusBadRequest, i18n.T(lang, "web.cycle.no_file"), nil)
		return
	}
	defer r.MultipartForm.RemoveAll()
	file, hdr, err := r.FormFile("file")
	if err != nil {
		s.renderQuestionnaires(w, r, http.StatusBadRequest, i18n.T(lang, "web.cycle.no_file"), nil)
		return
	}
	defer file.Close()
	name := cycleSafeName(hdr.Filename, "questionnaires.csv")
	n, err := s.questionnairesLoad(r.Context(), userOf(r), file, name)
	if err != nil {
		problems := questionnaireProblems(lang, err)
		if problems != nil {
			s.renderQuestionnaires(w, r, http.StatusBadRequest, i18n.T(lang, "web.questionnaires.refused", "file", name, "n", len(problems)), problems)
			return
		}
		if msg, ok := cycleErrText(lang, err); ok {
			s.renderQuestionnaires(w, r, http.StatusBadRequest, msg, nil)
			return
		}
		s.serverError(w, r, err)
		return
	}
	http.Redirect(w, r, "/questionnaires?"+url.Values{"imported": {strconv.Itoa(n)}, "file": {name}}.Encode(), http.StatusSeeOther)
}

// questionnairesFile renders the answers of the request's period as csv or
// xlsx into a download. ok is false when the period or format is bad.
func (s *Server) questionnairesFile(w http.ResponseWriter, r *http.Request) (ok bool, err error) {
	lang := langOf(r)
	from, to, ok := questionnairesRange(r.URL.Query(), monitor.Today())
	format := r.URL.Query().Get("format")
	if !ok || format != "csv" && format != "xlsx" {
		return false, nil
	}
	qs, _, err := s.db.ListQuestionnaires(r.Context(), store.QuestionnaireFilter{From: from, To: to, Region: userOf(r).Region}, "", 0)
	if err != nil {
		return true, err
	}
	name := fmt.Sprintf("questionnaires-%s-%s-%s.%s", from, to, lang, format)
	if format == "csv" {
		w.Header().Set("Content-Type", "text/csv; charset=utf-8")
		w.Header().Set("Content-Disposition", fmt.Sprintf("attachment; filename=%q", name))
		w.Header().Set("Cache-Control", "private, no-store")
		return true, ingest.WriteQuestionnairesCSV(w, qs, lang)
	}
	generated := time.Now().UTC().Format(time.RFC3339)
	return true, cycleDownload(w, name, "xlsx", func(out io.Writer) error { return xlsx.Questionnaires(out, qs, from, to, generated, lang) })
}

func (s *Server) questionnairesExport(w http.ResponseWriter, r *http.Request) {
	ok, err := s.questionnairesFile(w, r)
	if !ok {
		s.render(w, r, http.StatusBadRequest, "error", "web.error.bad_request", "web.questionnaires.bad_range")
		return
	}
	if err != nil {
		s.serverError(w, r, err)
	}
}

// apiQuestionnaires lists a page of the register with the period's counts.
func (s *Server) apiQuestionnaires(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	from, to, ok := questionnairesRange(q, monitor.Today())
	limit := 100
	if v := q.Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		ok = ok && err == nil && n >= 1 && n <= 1000
		limit = n
	}
	if !ok {
		s.apiFail(w, r, "bad_request", "detail", "from, to: YYYY-MM-DD; limit: 1..1000")
		return
	}
	f := store.QuestionnaireFilter{From: from, To: to, Region: userOf(r).Region}
	counts, err := s.db.CountQuestionnaires(r.Context(), f)
	if err != nil {
		s.apiInternal(w, r, err)
		return
	}
	items, next, err := s.db.ListQuestionnaires(r.Context(), f, q.Get("cursor"), limit)
	if err != nil {
		s.apiInternal(w, r, err)
		return
	}
	if items == nil {
		items = []store.Questionnaire{}
	}
	writeJSON(w, http.StatusOK, map[string]any{"from": from, "to": to, "counts": counts, "items": items, "next_cursor": next})
}

func (s *Server) apiQuestionnairesExport(w http.ResponseWriter, r *http.Request) {
	ok, err := s.questionnairesFile(w, r)
	if !ok {
		s.apiFail(w, r, "bad_request", "detail", "from, to: YYYY-MM-DD; format: csv or xlsx")
		return
	}
	if err != nil {
		s.apiInternal(w, r, err)
	}
}

// apiQuestionnairesImport loads a file sent as the body. A refused file is
// a bad request listing every problem.
func (s *Server) apiQuestionnairesImport(w http.ResponseWriter, r *http.Request) {
	lang := langOf(r)
	n, err := s.questionnairesLoad(r.Context(), userOf(r), r.Body, "questionnaires-api")
	if err == nil {
		writeJSON(w, http.StatusOK, map[string]int{"count": n})
		return
	}
	if cycleTooLarge(err) {
		s.apiFail(w, r, "too_large")
		return
	}
	msg, ok := cycleErrText(lang, err)
	if !ok {
		s.apiInternal(w, r, err)
		return
	}
	body := map[string]any{"code": "bad_request", "message": strings.TrimSpace(msg)}
	if p := questionnaireProblems(lang, err); p != nil {
		body["problems"] = p
	}
	writeJSON(w, http.StatusBadRequest, body)
}
