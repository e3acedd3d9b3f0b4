package web

// The agent's call queue: /calls with its "next call" button, and the call
// page /calls/{id} with the Annex 4 script in the client's language, the
// client's name and phone, the outcome buttons and the four questions.
// Only the agent who holds a call sees its page and records its outcome;
// opening it shows personal data and is audited like the record page.

import (
	"errors"
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"esep/internal/auth"
	"esep/internal/campaign"
	"esep/internal/i18n"
	"esep/internal/kz"
	"esep/internal/register"
	"esep/internal/report"
	"esep/internal/store"
	"esep/internal/survey"
)

// callsData is the queue page.
type callsData struct {
	Held  *campaign.Call
	Idle  string
	Saved string
	Error string
}

func (s *Server) callsPage(w http.ResponseWriter, r *http.Request) {
	lang := langOf(r)
	d := callsData{}
	if res := r.URL.Query().Get("saved"); res != "" && i18n.Has(lang, "campaign.result."+res) {
		d.Saved = i18n.T(lang, "web.calls.saved", "result", i18n.T(lang, "campaign.result."+res))
	}
	s.callsRender(w, r, http.StatusOK, d)
}

// callsRender shows the queue page with the call the agent holds, if any.
func (s *Server) callsRender(w http.ResponseWriter, r *http.Request, status int, d callsData) {
	held, err := s.db.HeldCall(r.Context(), userOf(r).ID)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	d.Held = held
	s.render(w, r, status, "calls", "web.calls.title", d)
}

// callsNext gives the agent her next call and opens its page, or says why
// there is none.
func (s *Server) callsNext(w http.ResponseWriter, r *http.Request) {
	u := userOf(r)
	c, idle, err := s.campaigns().Next(r.Context(), u.ID, u.Region)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	if c == nil {
		s.callsRender(w, r, http.StatusOK, callsData{Idle: campaignIdleText(langOf(r), idle)})
		return
	}
	http.Redirect(w, r, fmt.Sprintf("/calls/%d", c.ID), http.StatusSeeOther)
}

// callView is a call held by the agent, with what its page needs.
type callView struct {
	Call     *campaign.Call
	Campaign *campaign.Campaign
	Record   *register.Record
}

// callHeld loads call {id} if the agent holds it. Otherwise it answers
// with the queue page and the reason (403 for another's call, 409 for a
// finished one, 404 for none) and returns nil.
func (s *Server) callHeld(w http.ResponseWriter, r *http.Request) *callView {
	u := userOf(r)
	id, ok := campaignID(r)
	var err error = campaign.ErrNotFound
	var c *campaign.Call
	if ok {
		c, err = s.db.Call(r.Context(), id)
	}
	switch {
	case err != nil:
	case c.Status == campaign.StatusDone:
		err = campaign.ErrDone
	case c.Status != campaign.StatusAssigned || c.AssignedTo != u.ID:
		err = campaign.ErrNotYours
	}
	if err != nil {
		s.callRefused(w, r, err)
		return nil
	}
	v := &callView{Call: c}
	if v.Campaign, err = s.db.Campaign(r.Context(), c.CampaignID); err != nil {
		s.serverError(w, r, err)
		return nil
	}
	rec, err := s.db.Record(r.Context(), c.RecordID)
	if err != nil {
		s.serverError(w, r, err)
		return nil
	}
	v.Record = &rec.Record
	return v
}

// callRefused answers a refusal about a call with the queue page: the
// call's own page is only for the agent who holds it.
func (s *Server) callRefused(w http.ResponseWriter, r *http.Request, err error) {
	if !campaign.IsRefusal(err) {
		s.serverError(w, r, err)
		return
	}
	s.callsRender(w, r, campaignStatus(err), callsData{Error: strings.Join(campaignProblems(langOf(r), err), " ")})
}

// callPageData is the call page.
type callPageData struct {
	ID         int64
	Campaign   string
	Region     string
	Attempt    int // the number of the attempt being made
	Max        int
	Client     string
	Enterprise string
	Phones     []callPhone
	Script     campaign.Script
	ScriptLang i18n.Lang
	Langs      []i18n.Lang
	Results    []campaign.Result // the outcomes without an interview
	Hours      string
	MinTime    string // the earliest call-back a datetime-local input offers
	Problems   []string
	// What was typed, kept after a refusal.
	Q1, Q2, Q3, Q4 string
	Instruments    map[string]bool
	Callback, Note string
}

// callPhone is a number to dial. Href is a tel: link, which html/template
// would otherwise defuse; it is built from digits and "+" only.
type callPhone struct {
	Number string
	Href   template.URL
}

func (s *Server) callPage(w http.ResponseWriter, r *http.Request) {
	v := s.callHeld(w, r)
	if v == nil {
		return
	}
	u := userOf(r)
	// The page shows the client's name and phone: audited like the
	// record page, with the call for context. A role without personal
	// data (should one be given the queue) sees them masked, unaudited.
	if u.Can(auth.ReadPersonal) {
		if err := s.db.Audit(r.Context(), store.ActorOf(u.ID), "record.open", "record:"+v.Record.RecordID, fmt.Sprintf("call %d", v.Call.ID)); err != nil {
			s.serverError(w, r, err)
			return
		}
	}
	lang := langOf(r)
	script := lang
	if l, ok := i18n.Parse(v.Call.Lang); ok {
		script = l // the language the client was spoken to in before
	}
	if l, ok := i18n.Parse(r.URL.Query().Get("script")); ok {
		script = l
	}
	s.render(w, r, http.StatusOK, "calls_call", "web.calls.call", s.callPageOf(v, u, script, nil))
}

func (s *Server) callPageOf(v *callView, u *auth.User, script i18n.Lang, problems []string) callPageData {
	c, rec := v.Call, v.Record
	if !u.Can(auth.ReadPersonal) {
		masked := maskRecord(*rec)
		rec = &masked
	}
	d := callPageData{ID: c.ID, Campaign: v.Campaign.Name, Region: c.Region, Attempt: c.Attempts + 1, Max: v.Campaign.MaxAttempts,
		Client: rec.ClientFullName, Enterprise: rec.EnterpriseName, ScriptLang: script, Langs: i18n.Langs,
		Script:  campaign.NewScript(script, rec, u.Name, report.Name(script, report.NameService, rec.ServiceCode)),
		Results: []campaign.Result{campaign.NoAnswer, campaign.Busy, campaign.WrongNumber, campaign.Refused},
		Hours:   v.Campaign.Hours.FromText() + "–" + v.Campaign.Hours.ToText(), Problems: problems, Instruments: map[string]bool{},
		MinTime: s.campaignNow().In(kz.Zone).Format("2006-01-02T15:04")}
	for _, p := range []string{rec.MobilePhone, rec.WorkPhone} {
		if p = strings.TrimSpace(p); p == "" {
			continue
		}
		ph := callPhone{Number: p}
		if u.Can(auth.ReadPersonal) { // a masked number cannot be dialled
			ph.Href = template.URL("tel:" + strings.Map(func(c rune) rune {
				if c == '+' || c >= '0' && c <= '9' {
					return c
				}
				return -1
			}, p))
		}
		d.Phones = append(d.Phones, ph)
	}
	return d
}

// callRecord records the outcome of an attempt from the call page and
// goes back to the queue. Answers count only with "answered": an agent who
// ticked a box before the client hung up records the hang-up, not the box.
func (s *Server) callRecord(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, 16<<10)
	if err := r.ParseForm(); err != nil {
		s.render(w, r, http.StatusBadRequest, "error", "web.error.bad_request", "web.error.bad_request")
		return
	}
	v := s.callHeld(w, r)
	if v == nil {
		return
	}
	u, lang := userOf(r), langOf(r)
	script, ok := i18n.Parse(r.PostFormValue("lang"))
	if !ok {
		script = lang
	}
	in := campaign.Input{Result: campaign.Result(r.PostFormValue("result")), Lang: string(script), Note: strings.TrimSpace(r.PostFormValue("note"))}
	var err error
	if in.Result == campaign.Answered {
		in.Answers, err = callAnswersOf(r)
	}
	if err == nil && in.Result == campaign.Callback {
		in.CallbackAt, err = callTimeOf(r.PostFormValue("callback_at"))
	}
	if err == nil {
		_, err = s.campaigns().Record(r.Context(), u.ID, v.Call.ID, in, store.ActorOf(u.ID))
	}
	switch {
	case err == nil:
		http.Redirect(w, r, "/calls?saved="+url.QueryEscape(string(in.Result)), http.StatusSeeOther)
	case errors.Is(err, campaign.ErrNotYours), errors.Is(err, campaign.ErrDone), errors.Is(err, campaign.ErrChanged),
		errors.Is(err, campaign.ErrClosed), errors.Is(err, campaign.ErrNotFound):
		s.callRefused(w, r, err)
	case campaign.IsRefusal(err):
		d := s.callPageOf(v, u, script, campaignProblems(lang, err))
		d.Q1, d.Q2, d.Q3, d.Q4 = r.PostFormValue("q1"), r.PostFormValue("q2"), r.PostFormValue("q3"), r.PostFormValue("q4")
		for _, i := range r.PostForm["instrument"] {
			d.Instruments[i] = true
		}
		d.Callback, d.Note = r.PostFormValue("callback_at"), r.PostFormValue("note")
		s.render(w, r, campaignStatus(err), "calls_call", "web.calls.call", d)
	default:
		s.serverError(w, r, err)
	}
}

// callAnswersOf reads the four answers of the call form. A rating that is
// not a number is refused like one out of range.
func callAnswersOf(r *http.Request) (survey.PhoneAnswers, error) {
	a := survey.PhoneAnswers{Received: survey.YesNo(r.PostFormValue("q1")), Useful: survey.Useful(r.PostFormValue("q3")),
		Interested: survey.YesNo(r.PostFormValue("q4"))}
	if q2 := strings.TrimSpace(r.PostFormValue("q2")); q2 != "" {
		n, err := strconv.Atoi(q2)
		if err != nil {
			return a, &survey.ValidationError{Field: "q2_rating", Code: survey.ErrOutOfRange, Value: q2, Want: "1-5"}
		}
		a.Rating = n
	}
	for _, i := range r.PostForm["instrument"] {
		a.Instruments = append(a.Instruments, survey.FinancialSupport(i))
	}
	return a, nil
}

// callTimeOf reads a call-back time: a datetime-local value, which is a
// time in Kazakhstan, or RFC 3339 (cycleParseTime). Empty is no time, which
// the rules refuse.
func callTimeOf(v string) (time.Time, error) {
	ts, ok := cycleParseTime(v)
	if !ok {
		return time.Time{}, &campaign.Error{Code: campaign.CodeCallbackTime, Field: "missing", Value: v}
	}
	if ts == "" {
		return time.Time{}, nil
	}
	return time.Parse(time.RFC3339, ts)
}

// noticeRead acknowledges a notice from the cycle page: an operator of the
// notice's region has seen that a client did not confirm a service.
func (s *Server) noticeRead(w http.ResponseWriter, r *http.Request) {
	u := userOf(r)
	id, ok := campaignID(r)
	err := store.ErrNotFound
	if ok {
		err = s.db.ReadNotice(r.Context(), id, u.Region, s.campaignNow(), store.ActorOf(u.ID))
	}
	if errors.Is(err, store.ErrNotFound) {
		s.cycleNotice(w, r, http.StatusNotFound, "web.cycle.title", i18n.T(langOf(r), "web.notices.not_found"), "/cycle")
		return
	}
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	http.Redirect(w, r, "/cycle#not-confirmed", http.StatusSeeOther)
}
