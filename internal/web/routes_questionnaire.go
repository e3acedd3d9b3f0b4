package web

import (
	"errors"
	"net/http"
	"strconv"
	"time"

	"esep/internal/auth"
	"esep/internal/i18n"
	"esep/internal/kz"
	"esep/internal/store"
	"esep/internal/survey"
)

// questionnaireTTL is how long a client's link stays valid: long enough to
// answer after the act is signed, short enough that an old link found later
// is useless.
const questionnaireTTL = 60 * 24 * time.Hour

// questionnaireRoutes registers the client questionnaire of Annex 2: a
// public, phone-friendly form behind a link that cannot be guessed, tied to
// one service, answerable once; and the API that makes such a link.
func (s *Server) questionnaireRoutes() {
	s.handle("GET /q/{token}", http.HandlerFunc(s.questionnairePage))
	s.handle("POST /q/{token}", http.HandlerFunc(s.questionnaireAnswer))
	s.handle("POST /api/v1/records/{id}/questionnaire", s.api(permWrite, s.apiQuestionnaireLink))
}

type questionnaireData struct {
	Token    string
	Service  string
	Date     string
	Place    string
	Groups   []survey.OptionGroup
	Problems []string
	Done     bool
	Closed   string // the message key when the link cannot be answered
}

// questionnaireRecord finds the service a link is for; it shows only what
// the client already knows about their own service, never personal data.
func (s *Server) questionnaireRecord(w http.ResponseWriter, r *http.Request) (string, *questionnaireData, bool) {
	token := r.PathValue("token")
	d := &questionnaireData{Token: token, Groups: survey.OptionGroups()}
	id, err := s.db.LinkRecord(r.Context(), auth.HashToken(token), time.Now())
	switch {
	case errors.Is(err, store.ErrLinkUsed):
		d.Closed = "web.q.used"
	case errors.Is(err, store.ErrLinkExpired):
		d.Closed = "web.q.expired"
	case errors.Is(err, store.ErrNotFound):
		d.Closed = "web.q.unknown"
	case err != nil:
		s.serverError(w, r, err)
		return "", nil, false
	}
	if d.Closed != "" {
		s.render(w, r, http.StatusGone, "questionnaire", "web.q.title", d)
		return "", nil, false
	}
	rec, err := s.db.Record(r.Context(), id)
	if err != nil {
		s.serverError(w, r, err)
		return "", nil, false
	}
	d.Service, d.Date, d.Place = rec.Record.ServiceCode, rec.Record.EndDate, rec.Record.ServicePlace
	return id, d, true
}

func (s *Server) questionnairePage(w http.ResponseWriter, r *http.Request) {
	if _, d, ok := s.questionnaireRecord(w, r); ok {
		s.render(w, r, http.StatusOK, "questionnaire", "web.q.title", d)
	}
}

func (s *Server) questionnaireAnswer(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
	id, d, ok := s.questionnaireRecord(w, r)
	if !ok {
		return
	}
	if err := r.ParseForm(); err != nil {
		s.render(w, r, http.StatusBadRequest, "error", "web.error.bad_request", "web.error.bad_request")
		return
	}
	rating := func(name string) int { n, _ := strconv.Atoi(r.PostFormValue(name)); return n }
	q := survey.Questionnaire{Usefulness: rating("usefulness"), Organisation: rating("organisation"), Expectations: rating("expectations"), Satisfaction: rating("satisfaction")}
	for _, v := range r.PostForm["purpose"] {
		q.Purposes = append(q.Purposes, survey.Purpose(v))
	}
	for _, v := range r.PostForm["financial"] {
		q.Financial = append(q.Financial, survey.FinancialSupport(v))
	}
	for _, v := range r.PostForm["non_financial"] {
		q.NonFinancial = append(q.NonFinancial, survey.NonFinancialSupport(v))
	}
	lang := langOf(r)
	if err := q.Validate(); err != nil {
		for _, p := range survey.Problems(err) {
			d.Problems = append(d.Problems, i18n.T(lang, p.Key(), "field", questionLabel(lang, p.Field), "value", p.Value, "want", p.Want))
		}
		s.render(w, r, http.StatusUnprocessableEntity, "questionnaire", "web.q.title", d)
		return
	}
	stored := &store.Questionnaire{RecordID: id, Lang: string(lang), Usefulness: q.Usefulness, Organisation: q.Organisation,
		Expectations: q.Expectations, Satisfaction: q.Satisfaction, FilledOn: kz.Today().Format(time.DateOnly)}
	for _, p := range q.Purposes {
		stored.Purposes = append(stored.Purposes, string(p))
	}
	for _, f := range q.Financial {
		stored.Financial = append(stored.Financial, string(f))
	}
	for _, n := range q.NonFinancial {
		stored.NonFinancial = append(stored.NonFinancial, string(n))
	}
	err := s.db.Answer(r.Context(), auth.HashToken(d.Token), stored, time.Now())
	if errors.Is(err, store.ErrLinkUsed) {
		d.Closed = "web.q.used"
		s.render(w, r, http.StatusGone, "questionnaire", "web.q.title", d)
		return
	}
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	d.Done = true
	s.render(w, r, http.StatusOK, "questionnaire", "web.q.title", d)
}

// questionLabel names the question an answer's field answers, in the
// client's words rather than the field's JSON name.
func questionLabel(lang i18n.Lang, field string) string {
	if l, ok := survey.FieldLabel(field); ok {
		return l.In(string(lang))
	}
	return field
}

// apiQuestionnaireLink makes a link for a service's client: the token is
// returned once and only its hash is kept.
func (s *Server) apiQuestionnaireLink(w http.ResponseWriter, r *http.Request) {
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
	token, hash, err := auth.NewToken()
	if err != nil {
		s.apiInternal(w, r, err)
		return
	}
	expires := time.Now().Add(questionnaireTTL)
	if err := s.db.CreateLink(r.Context(), d.Record.RecordID, hash, expires); err != nil {
		s.apiInternal(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, map[string]string{"path": "/q/" + token, "expires_at": expires.UTC().Format(time.RFC3339)})
}
