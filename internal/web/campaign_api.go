package web

// The telephone survey in the JSON API: campaigns for analysts (list,
// open, status, close, verify the draw) and the call queue for agents
// (next call, record an attempt), described in openapi/paths-campaign.json.

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"time"

	"esep/internal/auth"
	"esep/internal/campaign"
	"esep/internal/i18n"
	"esep/internal/report"
	"esep/internal/store"
	"esep/internal/survey"
)

// campaignAPIRefusal is an API error of the survey: a code, the message in
// the caller's language, and one message per problem for answers that are
// not valid.
type campaignAPIRefusal struct {
	Code     string   `json:"code"`
	Message  string   `json:"message"`
	Problems []string `json:"problems,omitempty"`
}

func (s *Server) campaignAPIFail(w http.ResponseWriter, r *http.Request, err error) {
	if !campaign.IsRefusal(err) {
		s.apiInternal(w, r, err)
		return
	}
	ps := campaignProblems(langOf(r), err)
	body := campaignAPIRefusal{Code: campaignCode(err), Message: strings.Join(ps, "; ")}
	if len(ps) > 1 || campaignCode(err) == "invalid_answers" {
		body.Problems = ps
	}
	writeJSON(w, campaignStatus(err), body)
}

// campaignDecode reads a JSON body strictly: an unknown field is a
// mistake the caller should hear about, not a setting silently ignored.
func (s *Server) campaignDecode(w http.ResponseWriter, r *http.Request, v any) bool {
	dec := json.NewDecoder(r.Body)
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		s.apiFail(w, r, "bad_request", "detail", err.Error())
		return false
	}
	return true
}

// campaignAPIStratum is one stratum of a draw.
type campaignAPIStratum struct {
	Stratum     string `json:"stratum"`
	Region      string `json:"region"`
	Service     string `json:"service,omitempty"`
	N           int    `json:"n"`
	Excluded    int    `json:"excluded"`
	Clients     int    `json:"clients"`
	Wanted      int    `json:"wanted"`
	Drawn       int    `json:"drawn"`
	ExtraWanted int    `json:"extra_wanted"`
	ExtraDrawn  int    `json:"extra_drawn"`
	Everyone    bool   `json:"everyone"`
}

// campaignAPISummary is a campaign as the API returns it.
type campaignAPISummary struct {
	Campaign     *campaign.Campaign   `json:"campaign"`
	CallingFrom  string               `json:"calling_from"`
	CallingTo    string               `json:"calling_to"`
	Strata       []campaignAPIStratum `json:"strata,omitempty"`
	Progress     campaign.Progress    `json:"progress"`
	NotConfirmed []campaign.Notice    `json:"not_confirmed,omitempty"`
}

func campaignAPIOf(c *campaign.Campaign, strata []survey.Stratum, p campaign.Progress) campaignAPISummary {
	out := campaignAPISummary{Campaign: c, CallingFrom: c.Hours.FromText(), CallingTo: c.Hours.ToText(), Progress: p}
	for _, s := range strata {
		out.Strata = append(out.Strata, campaignAPIStratum{Stratum: s.Key(), Region: s.Region, Service: s.Service, N: s.N, Excluded: s.Excluded,
			Clients: s.Clients, Wanted: s.Wanted, Drawn: s.Drawn, ExtraWanted: s.ExtraWanted, ExtraDrawn: s.ExtraDrawn, Everyone: s.Everyone})
	}
	return out
}

func (s *Server) apiCampaigns(w http.ResponseWriter, r *http.Request) {
	rows, err := s.campaignRows(r.Context())
	if err != nil {
		s.apiInternal(w, r, err)
		return
	}
	items := make([]campaignAPISummary, 0, len(rows))
	for _, row := range rows {
		items = append(items, campaignAPIOf(&row.Campaign, nil, row.Progress))
	}
	writeJSON(w, http.StatusOK, map[string]any{"items": items})
}

// campaignAPIOptions is the body that opens a campaign: fractions, not
// percentages (margin 0.05 is ±5 points).
type campaignAPIOptions struct {
	Name          string          `json:"name"`
	From          string          `json:"from"`
	To            string          `json:"to"`
	Margin        float64         `json:"margin"`
	Confidence    float64         `json:"confidence"`
	ByService     bool            `json:"by_service"`
	ExcludeMonths int             `json:"exclude_months"`
	Oversample    float64         `json:"oversample"`
	CallingFrom   string          `json:"calling_from"`
	CallingTo     string          `json:"calling_to"`
	MaxAttempts   int             `json:"max_attempts"`
	Seed          json.RawMessage `json:"seed"` // a number or a string of digits: a uint64 does not survive every JSON reader as a number
}

func (s *Server) apiCampaignOpen(w http.ResponseWriter, r *http.Request) {
	var b campaignAPIOptions
	if !s.campaignDecode(w, r, &b) {
		return
	}
	seed, err := campaignSeed(strings.Trim(string(b.Seed), `"`))
	if string(b.Seed) == "null" {
		seed, err = nil, nil
	}
	if err != nil {
		s.campaignAPIFail(w, r, err)
		return
	}
	svc := s.campaigns()
	c, err := svc.Open(r.Context(), campaign.Options{Name: b.Name, From: b.From, To: b.To, Margin: b.Margin, Confidence: b.Confidence,
		ByService: b.ByService, ExcludeMonths: b.ExcludeMonths, Oversample: b.Oversample, CallingFrom: b.CallingFrom, CallingTo: b.CallingTo,
		MaxAttempts: b.MaxAttempts, Seed: seed}, store.ActorOf(userOf(r).ID))
	if err != nil {
		s.campaignAPIFail(w, r, err)
		return
	}
	sum, err := svc.Summary(r.Context(), c.ID)
	if err != nil {
		s.apiInternal(w, r, err)
		return
	}
	w.Header().Set("Location", fmt.Sprintf("/api/v1/campaigns/%d", c.ID))
	writeJSON(w, http.StatusCreated, campaignAPIOf(sum.Campaign, sum.Strata, sum.Progress))
}

func (s *Server) apiCampaign(w http.ResponseWriter, r *http.Request) {
	id, ok := campaignID(r)
	if !ok {
		s.campaignAPIFail(w, r, campaign.ErrNotFound)
		return
	}
	sum, err := s.campaigns().Summary(r.Context(), id)
	if err != nil {
		s.campaignAPIFail(w, r, err)
		return
	}
	notices, err := s.db.Notices(r.Context(), store.NoticeFilter{Campaign: id})
	if err != nil {
		s.apiInternal(w, r, err)
		return
	}
	out := campaignAPIOf(sum.Campaign, sum.Strata, sum.Progress)
	out.NotConfirmed = notices
	writeJSON(w, http.StatusOK, out)
}

func (s *Server) apiCampaignClose(w http.ResponseWriter, r *http.Request) {
	id, ok := campaignID(r)
	if !ok {
		s.campaignAPIFail(w, r, campaign.ErrNotFound)
		return
	}
	if err := s.campaigns().Close(r.Context(), id, store.ActorOf(userOf(r).ID)); err != nil {
		s.campaignAPIFail(w, r, err)
		return
	}
	c, err := s.db.Campaign(r.Context(), id)
	if err != nil {
		s.apiInternal(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"campaign": c})
}

// apiCampaignVerify draws a campaign's sample again and returns the
// comparison (campaign.Verification), with its account in the caller's
// language; the verdict is the last line. It changes nothing.
func (s *Server) apiCampaignVerify(w http.ResponseWriter, r *http.Request) {
	id, ok := campaignID(r)
	if !ok {
		s.campaignAPIFail(w, r, campaign.ErrNotFound)
		return
	}
	v, err := s.campaigns().Verify(r.Context(), id)
	if err != nil {
		s.campaignAPIFail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"verification": v, "messages": campaignVerifyLines(langOf(r), v)})
}

// campaignAPIClient is what an agent needs to place a call: who to ask
// for, at which numbers, about which service.
type campaignAPIClient struct {
	RecordID   string `json:"record_id"`
	Name       string `json:"client_full_name"`
	Enterprise string `json:"enterprise_name"`
	Mobile     string `json:"mobile_phone"`
	Work       string `json:"work_phone"`
	Service    string `json:"service_code"`
	EndDate    string `json:"end_date"`
	Place      string `json:"place"`
}

// apiCallsNext gives the agent her next call with the client's contact and
// the script (in ?lang= or the caller's language), audited as an opening
// of the record; or, with call null, why there is none.
func (s *Server) apiCallsNext(w http.ResponseWriter, r *http.Request) {
	u := userOf(r)
	c, idle, err := s.campaigns().Next(r.Context(), u.ID, u.Region)
	if err != nil {
		s.apiInternal(w, r, err)
		return
	}
	lang := langOf(r)
	if c == nil {
		writeJSON(w, http.StatusOK, map[string]any{"call": nil, "idle": map[string]any{"reason": idle.Reason, "until": campaignAPITime(idle.Until),
			"message": campaignIdleText(lang, idle)}})
		return
	}
	d, err := s.db.Record(r.Context(), c.RecordID)
	if err != nil {
		s.apiInternal(w, r, err)
		return
	}
	rec := &d.Record
	if u.Can(auth.ReadPersonal) {
		if err := s.db.Audit(r.Context(), store.ActorOf(u.ID), "record.open", "record:"+c.RecordID, fmt.Sprintf("call %d, api", c.ID)); err != nil {
			s.apiInternal(w, r, err)
			return
		}
	} else {
		masked := maskRecord(*rec)
		rec = &masked
	}
	writeJSON(w, http.StatusOK, map[string]any{
		"call": c,
		"client": campaignAPIClient{RecordID: rec.RecordID, Name: rec.ClientFullName, Enterprise: rec.EnterpriseName, Mobile: rec.MobilePhone,
			Work: rec.WorkPhone, Service: rec.ServiceCode, EndDate: rec.EndDate, Place: campaign.Place(rec)},
		"script": campaign.NewScript(lang, rec, u.Name, report.Name(lang, report.NameService, rec.ServiceCode)),
	})
}

// campaignAPIAttempt is the body of an attempt.
type campaignAPIAttempt struct {
	Result     string              `json:"result"`
	CallbackAt string              `json:"callback_at"` // RFC 3339, or a local time in Kazakhstan
	Lang       string              `json:"lang"`
	Note       string              `json:"note"`
	Answers    survey.PhoneAnswers `json:"answers"`
}

func (s *Server) apiCallAttempt(w http.ResponseWriter, r *http.Request) {
	id, ok := campaignID(r)
	if !ok {
		s.campaignAPIFail(w, r, campaign.ErrNotFound)
		return
	}
	var b campaignAPIAttempt
	if !s.campaignDecode(w, r, &b) {
		return
	}
	at, err := callTimeOf(b.CallbackAt)
	if err != nil {
		s.campaignAPIFail(w, r, err)
		return
	}
	u := userOf(r)
	c, err := s.campaigns().Record(r.Context(), u.ID, id, campaign.Input{Result: campaign.Result(b.Result), CallbackAt: at, Lang: b.Lang,
		Note: b.Note, Answers: b.Answers}, store.ActorOf(u.ID))
	if err != nil {
		s.campaignAPIFail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"call": c, "message": i18n.T(langOf(r), "web.calls.saved", "result", i18n.T(langOf(r), "campaign.result."+b.Result))})
}

// campaignAPITime writes an instant for the API, or "" for none.
func campaignAPITime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339)
}
