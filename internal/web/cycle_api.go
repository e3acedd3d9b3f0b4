package web

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"

	"esep/internal/auth"
	"esep/internal/i18n"
	"esep/internal/ingest"
	"esep/internal/monitor"
	"esep/internal/pdf"
	"esep/internal/register"
	"esep/internal/store"
	"esep/internal/xlsx"
)

// cycleAPILetter is a letter in a list: its number, deadlines and what
// came of the records it listed.
type cycleAPILetter struct {
	Number             string `json:"number"`
	Year               int    `json:"year"`
	Seq                int    `json:"seq"`
	Month              string `json:"month"`
	Date               string `json:"date"`
	RegisterReceivedAt string `json:"register_received_at"`
	DueSend            string `json:"due_send"`
	SentAt             string `json:"sent_at,omitempty"`
	DeliveredAt        string `json:"delivered_at,omitempty"`
	CorrectionDue      string `json:"correction_due,omitempty"`
	SendOverdue        bool   `json:"send_overdue"`
	CorrectionOverdue  bool   `json:"correction_overdue"`
	Problems           int    `json:"problems"`
	Corrected          int    `json:"corrected"`
	CorrectedLate      int    `json:"corrected_late"`
	Outstanding        int    `json:"outstanding"`
	URL                string `json:"url"`
}

// apiLetters lists the letters about the registers of the months [from,
// to], by default the last 12.
func (s *Server) apiLetters(w http.ResponseWriter, r *http.Request) {
	from, to, ok := cycleRange(r.URL.Query(), monitor.Today())
	if !ok {
		cycleAPIError(w, http.StatusBadRequest, "bad_request", i18n.T(langOf(r), "web.cycle.bad_range", "max", cycleMaxMonths))
		return
	}
	stored, err := s.db.Letters(r.Context(), from, to)
	if err != nil {
		s.apiInternal(w, r, err)
		return
	}
	months, err := s.cycle.Status(r.Context(), from, to, monitor.Today())
	if err != nil {
		s.apiInternal(w, r, err)
		return
	}
	status := map[string]monitor.LetterStatus{}
	for _, m := range months {
		for _, l := range m.Letters {
			status[l.Number] = l
		}
	}
	items := make([]cycleAPILetter, 0, len(stored))
	for _, l := range stored {
		st := status[l.Number()]
		items = append(items, cycleAPILetter{Number: l.Number(), Year: l.Year, Seq: l.Seq, Month: l.Month, Date: monitor.CivilDate(l.DraftedAt),
			RegisterReceivedAt: l.RegisterReceivedAt, DueSend: l.DueSend, SentAt: l.SentAt, DeliveredAt: l.DeliveredAt, CorrectionDue: l.CorrectionDue,
			SendOverdue: st.SendOverdue, CorrectionOverdue: st.CorrectionOverdue, Problems: st.Problems, Corrected: st.Corrected,
			CorrectedLate: st.CorrectedLate, Outstanding: st.Outstanding, URL: fmt.Sprintf("/api/v1/letters/%d/%d", l.Year, l.Seq)})
	}
	writeJSON(w, http.StatusOK, map[string]any{"from": from, "to": to, "items": items})
}

// cycleAPIItem is one finding of a letter, with its message in the
// caller's language.
type cycleAPIItem struct {
	Row      int    `json:"row"`
	RecordID string `json:"record_id"`
	register.Finding
	Message string `json:"message"`
}

// apiLetter gives a letter with its findings (personal values masked
// unless the caller reads personal data in every region), or with
// ?format=pdf|xlsx the letter as a file in the caller's language.
func (s *Server) apiLetter(w http.ResponseWriter, r *http.Request) {
	lang := langOf(r)
	year, seq, ok := cycleLetterRef(r.PathValue("year"), r.PathValue("seq"))
	if !ok {
		cycleAPIError(w, http.StatusNotFound, "not_found", i18n.T(lang, "web.cycle.letter.no_such"))
		return
	}
	format := r.URL.Query().Get("format")
	if format != "" && format != "pdf" && format != "xlsx" && format != "json" {
		cycleAPIError(w, http.StatusBadRequest, "bad_request", i18n.T(lang, "web.cycle.bad_format"))
		return
	}
	via := "api"
	if format == "pdf" || format == "xlsx" {
		via = "api " + format
	}
	l, err := s.cycleLetter(r.Context(), userOf(r), year, seq, via)
	if errors.Is(err, store.ErrNotFound) {
		cycleAPIError(w, http.StatusNotFound, "not_found", i18n.T(lang, "web.cycle.letter.not_found", "number", cycleLetterNumber(year, seq)))
		return
	}
	if err != nil {
		s.apiInternal(w, r, err)
		return
	}
	if format == "pdf" || format == "xlsx" {
		render := pdf.Letter
		if format == "xlsx" {
			render = xlsx.Letter
		}
		name := fmt.Sprintf("letter-%d-%d-%s.%s", year, seq, lang, format)
		if err := cycleDownload(w, name, format, func(out io.Writer) error { return render(out, l, lang) }); err != nil {
			s.apiInternal(w, r, err)
		}
		return
	}
	items := make([]cycleAPIItem, 0, len(l.Items))
	for _, it := range l.Items {
		items = append(items, cycleAPIItem{Row: it.Row, RecordID: it.RecordID, Finding: it.Finding, Message: it.Message(lang)})
	}
	// The outer Items hides the letter's own: encoding/json takes the
	// shallower of two fields with one name.
	writeJSON(w, http.StatusOK, struct {
		*monitor.Letter
		Items []cycleAPIItem `json:"items"`
	}{l, items})
}

// cycleSendBody is the optional body of a letter's send: when it was sent
// and when the operator received it (RFC 3339).
type cycleSendBody struct {
	SentAt      string `json:"sent_at"`
	DeliveredAt string `json:"delivered_at"`
}

// apiLetterSend records that a letter was sent; the corrections are then
// due 3 working days after its receipt. A letter is sent once: a second
// send is a conflict.
func (s *Server) apiLetterSend(w http.ResponseWriter, r *http.Request) {
	lang := langOf(r)
	year, seq, ok := cycleLetterRef(r.PathValue("year"), r.PathValue("seq"))
	if !ok {
		cycleAPIError(w, http.StatusNotFound, "not_found", i18n.T(lang, "web.cycle.letter.no_such"))
		return
	}
	var body cycleSendBody
	if !s.cycleDecode(w, r, &body, true) {
		return
	}
	l, refusal, err := s.cycleSendLetter(r.Context(), userOf(r), year, seq, body.SentAt, body.DeliveredAt)
	if err != nil {
		s.apiInternal(w, r, err)
		return
	}
	if refusal != nil {
		cycleAPIError(w, refusal.Status, refusal.Code, refusal.text(lang))
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"number": l.Number(), "sent_at": l.SentAt, "delivered_at": l.DeliveredAt,
		"correction_due": l.CorrectionDue, "url": fmt.Sprintf("/api/v1/letters/%d/%d", year, seq)})
}

// cycleDecode reads a JSON body into v: malformed JSON, unknown fields or
// trailing data are a bad request, a body over the cap is too large. An
// empty body is accepted when optional.
func (s *Server) cycleDecode(w http.ResponseWriter, r *http.Request, v any, optional bool) bool {
	dec := json.NewDecoder(r.Body)
	dec.DisallowUnknownFields()
	err := dec.Decode(v)
	if errors.Is(err, io.EOF) && optional {
		return true
	}
	if err == nil && dec.More() {
		err = errors.New("trailing data")
	}
	if err == nil {
		return true
	}
	if cycleTooLarge(err) {
		s.apiFail(w, r, "too_large")
		return false
	}
	s.apiFail(w, r, "bad_request", "detail", i18n.T(langOf(r), "web.cycle.bad_json"))
	return false
}

// cycleAPIUpload is s.api for uploads: the same sign-in and permission
// checks, with a cap that fits a file. s.api's cap cannot be raised from
// inside the handler: a MaxBytesReader around its MaxBytesReader still
// stops at the inner one.
func (s *Server) cycleAPIUpload(p *auth.Permission, h http.HandlerFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		u := userOf(r)
		if u == nil {
			s.apiFail(w, r, "unauthorized")
			return
		}
		if !u.Can(*p) {
			s.apiFail(w, r, "forbidden")
			return
		}
		r.Body = http.MaxBytesReader(w, r.Body, cycleUploadMax)
		h(w, r)
	})
}

// apiCycleLoad loads a plan file or act registry sent as the request body
// (CSV, or XLSX). A refused file is a bad request whose message lists the
// first problems, and whose problems list them all, row by row.
func (s *Server) apiCycleLoad(kind string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		lang := langOf(r)
		res, err := s.cycleLoad(r.Context(), userOf(r), kind, r.Body, kind+".csv")
		if err == nil {
			writeJSON(w, http.StatusOK, res)
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
		var perr *ingest.ProblemsError
		if !errors.As(err, &perr) {
			cycleAPIError(w, http.StatusBadRequest, "bad_request", msg)
			return
		}
		type problem struct {
			ingest.Problem
			Message string `json:"message"`
		}
		problems := make([]problem, 0, len(perr.Problems))
		for _, p := range perr.Problems {
			problems = append(problems, problem{p, i18n.T(lang, p.Key)})
		}
		writeJSON(w, http.StatusBadRequest, map[string]any{"code": "bad_request", "message": msg, "problems": problems})
	}
}
