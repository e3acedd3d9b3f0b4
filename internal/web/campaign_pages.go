package web

// The analyst's pages of the telephone survey: the campaigns with their
// rates and the form that opens one (/campaigns), and a campaign's page
// with its draw, strata, dispositions and the services clients did not
// confirm (/campaigns/{id}), where an analyst may verify the draw.

import (
	"context"
	"net/http"

	"esep/internal/auth"
	"esep/internal/campaign"
	"esep/internal/i18n"
	"esep/internal/kz"
	"esep/internal/store"
	"esep/internal/survey"
)

type campaignListData struct {
	Rows        []campaignRow
	Form        campaignForm
	Confidences []string // the confidence levels offered, in percent
	Error       string
}

// campaignRow is a campaign with its progress and its rates written out.
type campaignRow struct {
	campaign.Campaign
	Progress                    campaign.Progress
	RR1, RR2, COOP1, REF1, CON1 string
}

func campaignRowOf(c campaign.Campaign, p campaign.Progress) campaignRow {
	r := p.Rates
	return campaignRow{Campaign: c, Progress: p, RR1: campaign.RateText(r.RR1), RR2: campaign.RateText(r.RR2), COOP1: campaign.RateText(r.COOP1),
		REF1: campaign.RateText(r.REF1), CON1: campaign.RateText(r.CON1)}
}

// campaignRows lists every campaign with its progress, newest first.
func (s *Server) campaignRows(ctx context.Context) ([]campaignRow, error) {
	cs, err := s.db.Campaigns(ctx)
	if err != nil {
		return nil, err
	}
	counts, err := s.db.OutcomeCounts(ctx, 0)
	if err != nil {
		return nil, err
	}
	byCampaign := map[int64][]campaign.Count{}
	for _, c := range counts {
		byCampaign[c.CampaignID] = append(byCampaign[c.CampaignID], c)
	}
	rows := make([]campaignRow, 0, len(cs))
	for _, c := range cs {
		p, err := campaign.Tally(byCampaign[c.ID])
		if err != nil {
			return nil, err
		}
		rows = append(rows, campaignRowOf(c, p))
	}
	return rows, nil
}

func (s *Server) campaignsPage(w http.ResponseWriter, r *http.Request) {
	s.campaignsRender(w, r, http.StatusOK, campaignDefaultForm(kz.Today()), "")
}

func (s *Server) campaignsRender(w http.ResponseWriter, r *http.Request, status int, f campaignForm, problem string) {
	rows, err := s.campaignRows(r.Context())
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	s.render(w, r, status, "campaigns", "web.campaigns.title", campaignListData{Rows: rows, Form: f, Confidences: []string{"90", "95", "99"}, Error: problem})
}

// campaignOpen opens a campaign from the form; a refusal shows the form
// again with what was typed and the reason.
func (s *Server) campaignOpen(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, 16<<10)
	if err := r.ParseForm(); err != nil {
		s.render(w, r, http.StatusBadRequest, "error", "web.error.bad_request", "web.error.bad_request")
		return
	}
	f := campaignFormOf(r)
	o, err := f.options()
	var c *campaign.Campaign
	if err == nil {
		c, err = s.campaigns().Open(r.Context(), o, store.ActorOf(userOf(r).ID))
	}
	if campaign.IsRefusal(err) {
		s.campaignsRender(w, r, campaignStatus(err), f, campaignProblems(langOf(r), err)[0])
		return
	}
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	http.Redirect(w, r, campaignPath(c.ID)+"?opened=1", http.StatusSeeOther)
}

// campaignPageData is a campaign's page.
type campaignPageData struct {
	Row      campaignRow
	Strata   []survey.Stratum
	Disp     survey.Dispositions
	Outcomes []campaignOutcome
	Notices  []campaignNotice
	Plan     string
	Hours    string
	Created  string
	Closed   string
	Notice   string
	Verified *campaignVerification // after "Verify the draw"
}

// campaignVerification is the result of verifying a draw, written out:
// the account line by line, and the verdict (Text) shown apart.
type campaignVerification struct {
	Reproduced bool
	Verdict    string // campaign.Verdict*
	Text       string
	Lines      []string
}

// campaignNotice is a not-confirmed service in a list, with the times it
// was found and acknowledged in Kazakhstan.
type campaignNotice struct {
	campaign.Notice
	Created, Read string
}

func campaignNoticesOf(ns []campaign.Notice) []campaignNotice {
	out := make([]campaignNotice, 0, len(ns))
	for _, n := range ns {
		out = append(out, campaignNotice{Notice: n, Created: campaignLocal(n.CreatedAt), Read: campaignLocal(n.ReadAt)})
	}
	return out
}

type campaignOutcome struct {
	Code string
	N    int
}

func (s *Server) campaignPage(w http.ResponseWriter, r *http.Request) {
	s.campaignShow(w, r, nil)
}

// campaignVerify draws the campaign's sample again (Service.Verify) and
// shows the page with the result. It is a POST, though it changes
// nothing, because it reads the whole period's register: a button asks
// for it, not a link a crawler or a prefetch could follow.
func (s *Server) campaignVerify(w http.ResponseWriter, r *http.Request) {
	id, ok := campaignID(r)
	var v *campaign.Verification
	var err error = campaign.ErrNotFound
	if ok {
		v, err = s.campaigns().Verify(r.Context(), id)
	}
	if s.campaignFailed(w, r, err) {
		return
	}
	s.campaignShow(w, r, v)
}

// campaignVerifyLines writes the account of a verification in lang, line
// by line; the last line is the verdict.
func campaignVerifyLines(lang i18n.Lang, v *campaign.Verification) []string {
	var out []string
	for _, m := range v.Messages() {
		out = append(out, i18n.T(lang, m.Key, m.Params...))
	}
	return out
}

// campaignShow renders a campaign's page, with the result of verifying its
// draw when v is not nil.
func (s *Server) campaignShow(w http.ResponseWriter, r *http.Request, v *campaign.Verification) {
	lang := langOf(r)
	id, ok := campaignID(r)
	var sum *campaign.Summary
	var err error
	if ok {
		sum, err = s.campaigns().Summary(r.Context(), id)
	}
	if !ok || campaign.IsRefusal(err) {
		s.cycleNotice(w, r, http.StatusNotFound, "web.campaigns.title", i18n.T(lang, "campaign.error.not_found"), "/campaigns")
		return
	}
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	notices, err := s.db.Notices(r.Context(), store.NoticeFilter{Campaign: id})
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	c := sum.Campaign
	d := campaignPageData{Row: campaignRowOf(*c, sum.Progress), Strata: sum.Strata, Disp: sum.Progress.Dispositions, Notices: campaignNoticesOf(notices),
		Plan: i18n.T(lang, "web.campaigns.plan_text", "margin", campaign.PercentText(c.Margin), "confidence", campaign.PercentText(c.Confidence),
			"oversample", campaign.PercentText(c.Oversample), "months", c.ExcludeMonths),
		Hours: c.Hours.FromText() + "–" + c.Hours.ToText(), Created: campaignLocal(c.CreatedAt), Closed: campaignLocal(c.ClosedAt)}
	for _, o := range survey.Outcomes {
		if n := sum.Progress.Outcomes[o]; n > 0 {
			d.Outcomes = append(d.Outcomes, campaignOutcome{Code: string(o), N: n})
		}
	}
	if v != nil {
		lines := campaignVerifyLines(lang, v)
		d.Verified = &campaignVerification{Reproduced: v.Reproduced(), Verdict: v.Verdict, Text: lines[len(lines)-1], Lines: lines[:len(lines)-1]}
	}
	switch {
	case r.URL.Query().Get("opened") == "1":
		d.Notice = i18n.T(lang, "web.campaigns.opened", "calls", sum.Progress.Calls)
	case r.URL.Query().Get("closed") == "1":
		d.Notice = i18n.T(lang, "web.campaigns.closed_now")
	}
	s.render(w, r, http.StatusOK, "campaign", "web.campaigns.page", d)
}

// campaignFailed answers an action on a campaign that failed: a refusal
// by the rules as a notice in the user's language, anything else as a
// server error. It reports whether err was one.
func (s *Server) campaignFailed(w http.ResponseWriter, r *http.Request, err error) bool {
	switch {
	case campaign.IsRefusal(err):
		s.cycleNotice(w, r, campaignStatus(err), "web.campaigns.title", campaignProblems(langOf(r), err)[0], "/campaigns")
	case err != nil:
		s.serverError(w, r, err)
	}
	return err != nil
}

func (s *Server) campaignClose(w http.ResponseWriter, r *http.Request) {
	id, ok := campaignID(r)
	var err error = campaign.ErrNotFound
	if ok {
		err = s.campaigns().Close(r.Context(), id, store.ActorOf(userOf(r).ID))
	}
	if s.campaignFailed(w, r, err) {
		return
	}
	http.Redirect(w, r, campaignPath(id)+"?closed=1", http.StatusSeeOther)
}

// campaignCycleNotices lists, for the cycle page of the months [from, to]
// (YYYY-MM), the services of those months that their clients did not
// confirm: of the user's region when she has one. ack says whether she may
// acknowledge them: an operator, whose records they are.
func (s *Server) campaignCycleNotices(r *http.Request, from, to string) (ns []campaignNotice, ack bool, err error) {
	u := userOf(r)
	list, err := s.db.Notices(r.Context(), store.NoticeFilter{Region: u.Region, From: from + "-01", To: to + "-31", Limit: 500})
	if err != nil {
		return nil, false, err
	}
	return campaignNoticesOf(list), u.Can(auth.WriteRegister), nil
}
