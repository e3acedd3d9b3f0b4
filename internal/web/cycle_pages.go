package web

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"esep/internal/auth"
	"esep/internal/i18n"
	"esep/internal/monitor"
	"esep/internal/pdf"
	"esep/internal/register"
	"esep/internal/store"
	"esep/internal/xlsx"
)

// cycleData is the cycle page: the months, newest first, and the forms
// that load plans and act registries.
type cycleData struct {
	From, To string
	Months   []cycleMonth
	CanWrite bool
	Notice   string
	Error    string
	// NotConfirmed lists the services of these months whose clients said
	// on the telephone that they did not happen (campaign_pages.go).
	NotConfirmed []campaignNotice
	CanAck       bool
}

// cycleMonth is one row of the cycle table. Class marks a row for the eye
// (overdue, late); the same state is always written out in words too.
type cycleMonth struct {
	monitor.MonthStatus
	Received string
	Class    string
	Letters  []cycleLetterRow
}

type cycleLetterRow struct {
	monitor.LetterStatus
	Href string
	Sent string
}

// cycleView builds the cycle page for the months [from, to].
func (s *Server) cycleView(r *http.Request, from, to string) (*cycleData, error) {
	months, err := s.cycle.Status(r.Context(), from, to, monitor.Today())
	if err != nil {
		return nil, err
	}
	d := &cycleData{From: from, To: to, CanWrite: userOf(r).Can(auth.WriteCycle)}
	for _, m := range slices.Backward(months) {
		cm := cycleMonth{MonthStatus: m, Received: cycleLocalTime(m.ReceivedAt)}
		overdue := m.Overdue
		for _, l := range m.Letters {
			cm.Letters = append(cm.Letters, cycleLetterRow{LetterStatus: l, Href: cycleLetterPath(l.Number), Sent: cycleLocalTime(l.SentAt)})
			overdue = overdue || l.SendOverdue || l.CorrectionOverdue
		}
		switch {
		case overdue:
			cm.Class = "overdue"
		case m.Late:
			cm.Class = "late"
		}
		d.Months = append(d.Months, cm)
	}
	if d.NotConfirmed, d.CanAck, err = s.campaignCycleNotices(r, from, to); err != nil {
		return nil, err
	}
	return d, nil
}

// cyclePage shows the months of the cycle: each register's due date and
// arrival, and each letter's deadlines and outcome.
func (s *Server) cyclePage(w http.ResponseWriter, r *http.Request) {
	lang := langOf(r)
	from, to, ok := cycleRange(r.URL.Query(), monitor.Today())
	status, problem := http.StatusOK, ""
	if !ok {
		status, problem = http.StatusBadRequest, i18n.T(lang, "web.cycle.bad_range", "max", cycleMaxMonths)
		from, to, _ = cycleRange(nil, monitor.Today())
	}
	d, err := s.cycleView(r, from, to)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	d.Error = problem
	// After a load, the page says what was loaded (post/redirect/get).
	q := r.URL.Query()
	switch q.Get("loaded") {
	case "plans":
		d.Notice = i18n.T(lang, "web.cycle.plans.loaded", "n", q.Get("n"))
	case "acts":
		d.Notice = i18n.T(lang, "web.cycle.acts.loaded", "n", q.Get("n"), "months", q.Get("months"))
	}
	s.render(w, r, status, "cycle", "web.cycle.title", d)
}

// cycleUploadPage loads a plan file or an act registry sent from the cycle
// page. A refused file shows the cycle page again with the reasons.
func (s *Server) cycleUploadPage(kind string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		lang := langOf(r)
		fail := func(status int, msg string) {
			from, to, _ := cycleRange(nil, monitor.Today())
			d, err := s.cycleView(r, from, to)
			if err != nil {
				s.serverError(w, r, err)
				return
			}
			d.Error = msg
			s.render(w, r, status, "cycle", "web.cycle.title", d)
		}
		r.Body = http.MaxBytesReader(w, r.Body, cycleUploadMax)
		if err := r.ParseMultipartForm(1 << 20); err != nil {
			if cycleTooLarge(err) {
				fail(http.StatusRequestEntityTooLarge, i18n.T(lang, "web.cycle.too_large", "mb", cycleUploadMax>>20))
				return
			}
			fail(http.StatusBadRequest, i18n.T(lang, "web.cycle.no_file"))
			return
		}
		defer r.MultipartForm.RemoveAll()
		file, hdr, err := r.FormFile("file")
		if err != nil {
			fail(http.StatusBadRequest, i18n.T(lang, "web.cycle.no_file"))
			return
		}
		defer file.Close()
		res, err := s.cycleLoad(r.Context(), userOf(r), kind, file, cycleSafeName(hdr.Filename, kind+".csv"))
		if err != nil {
			if msg, ok := cycleErrText(lang, err); ok {
				fail(http.StatusBadRequest, msg)
				return
			}
			s.serverError(w, r, err)
			return
		}
		q := url.Values{"loaded": {kind}, "n": {fmt.Sprint(res.Count)}}
		if len(res.Months) > 0 {
			q.Set("months", strings.Join(res.Months, ", "))
		}
		http.Redirect(w, r, "/cycle?"+q.Encode(), http.StatusSeeOther)
	}
}

// cycleLetterData is the letter page.
type cycleLetterData struct {
	L        *monitor.Letter
	Base     string // the page's path; downloads add .pdf or .xlsx
	Items    []cycleItem
	Masked   bool
	CanSend  bool
	Records  int
	Blocking int
	Warnings int
	// Times shown in Kazakhstan.
	Received, Sent, Delivered string
	Notice, Error             string
	// SentValue and DeliveredValue keep what was typed after a refusal.
	SentValue, DeliveredValue string
	LinkRecords               bool
}

type cycleItem struct {
	Row      int
	RecordID string
	Blocking bool
	Severity string
	Column   string
	Message  string
}

// cycleLetterPage shows a notification letter, or downloads it as PDF or
// XLSX in the user's language.
func (s *Server) cycleLetterPage(w http.ResponseWriter, r *http.Request) {
	seqText, format := cycleSplitExt(r.PathValue("file"))
	year, seq, ok := cycleLetterRef(r.PathValue("year"), seqText)
	if !ok || format == "json" {
		s.cycleNotice(w, r, http.StatusNotFound, "web.cycle.letter.title", i18n.T(langOf(r), "web.cycle.letter.no_such"), "/cycle")
		return
	}
	s.cycleShowLetter(w, r, year, seq, format, http.StatusOK, nil)
}

// cycleShowLetter renders letter seq/year: the page (with status and, after
// a refused send, the reason) or, when format is set, a download.
func (s *Server) cycleShowLetter(w http.ResponseWriter, r *http.Request, year, seq int, format string, status int, refusal *cycleRefusal) {
	lang, u := langOf(r), userOf(r)
	via := "page"
	if format != "" {
		via = format
	}
	l, err := s.cycleLetter(r.Context(), u, year, seq, via)
	if errors.Is(err, store.ErrNotFound) {
		s.cycleNotice(w, r, http.StatusNotFound, "web.cycle.letter.title", i18n.T(lang, "web.cycle.letter.not_found", "number", cycleLetterNumber(year, seq)), "/cycle")
		return
	}
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	base := fmt.Sprintf("/cycle/letters/%d/%d", year, seq)
	if format != "" {
		render := pdf.Letter
		if format == "xlsx" {
			render = xlsx.Letter
		}
		name := fmt.Sprintf("letter-%d-%d-%s.%s", year, seq, lang, format)
		if err := cycleDownload(w, name, format, func(out io.Writer) error { return render(out, l, lang) }); err != nil {
			s.serverError(w, r, err)
		}
		return
	}
	d := cycleLetterData{L: l, Base: base, Masked: !cycleCanSeeAll(u), CanSend: l.SentAt == "" && u.Can(auth.WriteCycle),
		Received: cycleLocalTime(l.RegisterReceivedAt), Sent: cycleLocalTime(l.SentAt), Delivered: cycleLocalTime(l.DeliveredAt),
		LinkRecords: u.Can(auth.ReadRegister)}
	records := map[string]bool{}
	for _, it := range l.Items {
		blocking := it.Severity == register.Blocking
		d.Items = append(d.Items, cycleItem{Row: it.Row, RecordID: it.RecordID, Blocking: blocking,
			Severity: i18n.T(lang, "severity."+string(it.Severity)), Column: it.Column, Message: it.Message(lang)})
		records[it.RecordID] = true
		if blocking {
			d.Blocking++
		} else {
			d.Warnings++
		}
	}
	d.Records = len(records)
	if refusal != nil {
		d.Error = refusal.text(lang)
		d.SentValue, d.DeliveredValue = r.PostFormValue("sent"), r.PostFormValue("received")
	} else if r.URL.Query().Get("sent") == "1" && l.CorrectionDue != "" {
		d.Notice = i18n.T(lang, "web.cycle.letter.done", "date", l.CorrectionDue)
	}
	s.render(w, r, status, "cycle_letter", "web.cycle.letter.title", d)
}

// cycleLetterSendPage records, from the letter page, that the letter was
// sent, then shows the letter with its correction deadline.
func (s *Server) cycleLetterSendPage(w http.ResponseWriter, r *http.Request) {
	year, seq, ok := cycleLetterRef(r.PathValue("year"), r.PathValue("seq"))
	if !ok {
		s.cycleNotice(w, r, http.StatusNotFound, "web.cycle.letter.title", i18n.T(langOf(r), "web.cycle.letter.no_such"), "/cycle")
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, 16<<10)
	if err := r.ParseForm(); err != nil {
		s.cycleShowLetter(w, r, year, seq, "", http.StatusBadRequest, &cycleRefusal{http.StatusBadRequest, "bad_request", "web.cycle.letter.bad_time", nil})
		return
	}
	_, refusal, err := s.cycleSendLetter(r.Context(), userOf(r), year, seq, r.PostFormValue("sent"), r.PostFormValue("received"))
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	if refusal != nil {
		s.cycleShowLetter(w, r, year, seq, "", refusal.Status, refusal)
		return
	}
	http.Redirect(w, r, fmt.Sprintf("/cycle/letters/%d/%d?sent=1", year, seq), http.StatusSeeOther)
}

// cycleNoticeData is a page that says one thing and leads back.
type cycleNoticeData struct {
	Message  string
	Back     string
	BackText string
}

// cycleNotice shows a message of the cycle or report part with a way
// back: the shared error page takes only a message key, and these
// messages have parameters (a letter's number, a period).
func (s *Server) cycleNotice(w http.ResponseWriter, r *http.Request, status int, title, message, back string) {
	label := "web.cycle.back"
	if strings.HasPrefix(back, "/reports") {
		label = "web.reports.back"
	}
	s.render(w, r, status, "cycle_notice", title, cycleNoticeData{Message: message, Back: back, BackText: i18n.T(langOf(r), label)})
}
