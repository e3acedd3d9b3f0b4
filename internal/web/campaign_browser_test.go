package web_test

import (
	"context"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"esep/internal/browsertest"
	"esep/internal/campaign"
	"esep/internal/i18n"
	"esep/internal/kz"
	"esep/internal/store/storetest"
	"esep/internal/survey"
)

// TestCallQueueBrowser: an agent works through the call queue on a phone in
// Kazakh: records a no-answer, then a call-back at a time, then a complete
// interview; another agent cannot record an outcome of her call; a "no" to
// question 1 shows on the cycle page. The clock is fixed (Monday 10:00 in
// Kazakhstan), so calling hours do not depend on when the test runs.
func TestCallQueueBrowser(t *testing.T) {
	s, campaignID, now := campaignSite(t, storetest.Engines()[0])
	ctx := context.Background()
	b := browsertest.New(t, browsertest.Language("kk"), browsertest.Viewport(390, 844))
	signIn(t, b, s.srv.URL, "agent")
	if !exists(b, `a[href="/calls"]`) || exists(b, `a[href="/campaigns"]`) {
		t.Error("the agent's navigation")
	}
	callOnPage := func() int64 {
		t.Helper()
		b.WaitVisible("#call-form")
		path := strings.TrimPrefix(b.URL(), s.srv.URL)
		id, err := strconv.ParseInt(strings.TrimPrefix(path, "/calls/"), 10, 64)
		if err != nil {
			t.Fatalf("not a call page: %s", b.URL())
		}
		return id
	}

	// The first call: the script in Kazakh, filled from the record.
	b.Navigate(s.srv.URL + "/calls")
	b.Click("#calls-next")
	first := callOnPage()
	call, _ := s.db.Call(ctx, first)
	d, err := s.db.Record(ctx, call.RecordID)
	if err != nil {
		t.Fatal(err)
	}
	rec := d.Record
	date := campaign.FormatDate(i18n.KK, rec.EndDate)
	b.WaitText("#q1-text", date)
	b.WaitText("#q1-text", campaign.Place(&rec))
	b.WaitText("#call-client-name", rec.ClientFullName)
	b.WaitText("#call-intro", "Agent")
	if rec.MobilePhone != "" && !exists(b, `a[href^="tel:"]`) {
		t.Error("no phone link")
	}
	if w := browsertest.Get(b, evalInt(`document.documentElement.scrollWidth`)); w > 400 {
		t.Errorf("the call page is %d px wide on a 390 px phone", w)
	}
	b.DocScreenshot("page-calls")
	// The script in Russian, for a client who speaks it.
	b.Click(`#script-langs a[lang="ru"]`)
	b.WaitText("#q1-text", campaign.FormatDate(i18n.RU, rec.EndDate))
	if ev, _ := s.db.AuditEvents(ctx, 1); ev[0].Action != "record.open" || ev[0].Object != "record:"+rec.RecordID {
		t.Errorf("opening the call page was not audited: %+v", ev[0])
	}

	// 1. No answer.
	b.Click("#result-no_answer")
	b.WaitText("#calls-saved", "Жауап бермейді")
	c1, _ := s.db.Call(ctx, first)
	a1, _ := s.db.Attempts(ctx, first)
	if c1.Status != campaign.StatusQueued || c1.Attempts != 1 || !c1.NextAt.Equal(now.Add(2*time.Hour)) || len(a1) != 1 || a1[0].Result != campaign.NoAnswer {
		t.Errorf("after no answer: %+v %+v", c1, a1)
	}

	// 2. The next call: a call-back at 15:30 today.
	b.Click("#calls-next")
	second := callOnPage()
	if second == first {
		t.Fatal("the unanswered call came back at once")
	}
	b.Fill("#callback-at", "2026-07-07T15:30")
	b.Click("#result-callback")
	b.WaitText("#calls-saved", "Кейін қоңырау шалу")
	c2, _ := s.db.Call(ctx, second)
	a2, _ := s.db.Attempts(ctx, second)
	at := time.Date(2026, 7, 7, 15, 30, 0, 0, kz.Zone)
	if c2.Status != campaign.StatusQueued || !c2.NextAt.Equal(at) || len(a2) != 1 || a2[0].Result != campaign.Callback || !a2[0].CallbackAt.Equal(at) {
		t.Errorf("after the call-back: %+v %+v", c2, a2)
	}

	// 3. The next call: a complete interview.
	b.Click("#calls-next")
	third := callOnPage()
	b.Click(`input[name="q1"][value="yes"]`)
	b.Click(`input[name="q2"][value="5"]`)
	b.Click(`input[name="q3"][value="useful"]`)
	b.Click(`input[name="q4"][value="yes"]`)
	b.Click(`input[name="instrument"][value="grant"]`)
	b.Click("#result-answered")
	b.WaitText("#calls-saved", "Жауап берді")
	c3, _ := s.db.Call(ctx, third)
	a3, _ := s.db.Attempts(ctx, third)
	want := survey.PhoneAnswers{Received: survey.Yes, Rating: 5, Useful: survey.UsefulYes, Interested: survey.Yes, Instruments: []survey.FinancialSupport{survey.FinancialGrant}}
	if c3.Status != campaign.StatusDone || c3.Outcome != survey.OutcomeCompleted || c3.Lang != "kk" || len(a3) != 1 || a3[0].Result != campaign.Answered ||
		c3.Answers.Received != want.Received || c3.Answers.Rating != want.Rating || c3.Answers.Useful != want.Useful || c3.Answers.Interested != want.Interested ||
		len(c3.Answers.Instruments) != 1 || c3.Answers.Instruments[0] != survey.FinancialGrant {
		t.Errorf("after the interview: %+v %+v", c3, a3)
	}

	// 4. Another agent cannot record an outcome of the call this agent
	// holds, through the API or the page; nothing changes.
	b.Click("#calls-next")
	fourth := callOnPage()
	before, _ := s.db.Call(ctx, fourth)
	resp, body := attempt(s, "agent2", fourth, `{"result":"refused"}`)
	if resp.StatusCode != http.StatusForbidden || body["code"] != "not_yours" || !strings.Contains(body["message"].(string), "емес") {
		t.Errorf("another agent's attempt: %d %v", resp.StatusCode, body)
	}
	resp, _ = attempt(s, "agent2", third, `{"result":"refused"}`)
	if resp.StatusCode != http.StatusConflict {
		t.Errorf("another agent's attempt on a finished call: %d", resp.StatusCode)
	}
	after, _ := s.db.Call(ctx, fourth)
	if as, _ := s.db.Attempts(ctx, fourth); after.Attempts != before.Attempts || after.Status != before.Status || after.AssignedTo != before.AssignedTo || len(as) != 0 {
		t.Errorf("the call changed: %+v", after)
	}
	if c, _ := s.db.Call(ctx, third); c.Outcome != survey.OutcomeCompleted || c.Attempts != 1 {
		t.Errorf("the finished call changed: %+v", c)
	}

	// 5. A "no" to question 1: the operator is told, on the cycle page.
	b.Click(`input[name="q1"][value="no"]`)
	b.Click(`input[name="q4"][value="no"]`)
	b.Click("#result-answered")
	b.WaitText("#calls-saved", "Жауап берді")
	if errs := b.ConsoleErrors(); len(errs) > 0 {
		t.Errorf("console errors: %v", errs)
	}
	denied, _ := s.db.Call(ctx, fourth)
	a := browsertest.New(t, browsertest.Language("kk"))
	signIn(t, a, s.srv.URL, "analyst")
	a.Navigate(s.srv.URL + "/cycle?from=2026-01&to=2026-06")
	a.WaitText("#not-confirmed-table", denied.RecordID)
	a.Navigate(fmt.Sprintf("%s/campaigns/%d", s.srv.URL, campaignID))
	a.WaitText("#campaign-not-confirmed", denied.RecordID)
	a.WaitText(`#campaign-outcomes tr[data-outcome="completed"]`, "2")
	if errs := a.ConsoleErrors(); len(errs) > 0 {
		t.Errorf("console errors: %v", errs)
	}
}
