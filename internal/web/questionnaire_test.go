package web_test

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"esep/internal/browsertest"
	"esep/internal/store/storetest"
)

// TestQuestionnaire: a client opens the questionnaire link on a phone,
// answers in Kazakh, and cannot answer twice; the answer is in the Register
// of questionnaires.
func TestQuestionnaire(t *testing.T) {
	s := newSite(t, storetest.Engines()[0])
	id := firstRecord(t, s, "manager", "430000000")
	resp, link := s.call("POST", "/api/v1/records/"+id+"/questionnaire", "manager", nil)
	if resp.StatusCode != http.StatusCreated || !strings.HasPrefix(link["path"].(string), "/q/") {
		t.Fatalf("link: %d %v", resp.StatusCode, link)
	}
	path := link["path"].(string)
	if resp, _ := s.call("POST", "/api/v1/records/"+id+"/questionnaire", "ministry", nil); resp.StatusCode != http.StatusForbidden {
		t.Errorf("the ministry made a link: %d", resp.StatusCode)
	}
	if r, _ := http.Get(s.srv.URL + "/q/not-a-real-token"); r.StatusCode != http.StatusGone {
		t.Errorf("a guessed link: %d", r.StatusCode)
	}

	b := browsertest.New(t, browsertest.Language("kk"), browsertest.Viewport(390, 844))
	b.Navigate(s.srv.URL + path)
	b.WaitVisible("#q-form")
	if w := browsertest.Get(b, evalInt(`document.documentElement.scrollWidth`)); w > 400 {
		t.Errorf("the questionnaire is %d px wide on a 390 px phone", w)
	}
	for _, name := range []string{"usefulness", "organisation", "expectations", "satisfaction"} {
		b.Click(`input[name="` + name + `"][value="5"]`)
	}
	b.Click(`input[name="financial"][value="grant"]`)
	b.Click(`input[name="purpose"][value="new_markets"]`)
	b.DocScreenshot("page-questionnaire")
	b.Submit("#q-form")
	b.WaitText("#q-thanks", "Рақмет")
	if errs := b.ConsoleErrors(); len(errs) > 0 {
		t.Errorf("console errors: %v", errs)
	}
	b.Navigate(s.srv.URL + path) // answered: 410 Gone, with a message
	b.WaitText("#q-closed", "бір рет")
	qs, err := s.db.Questionnaires(context.Background(), "0000-01-01", "9999-12-31")
	if err != nil || len(qs) != 1 || qs[0].RecordID != id || qs[0].Satisfaction != 5 || qs[0].Lang != "kk" || len(qs[0].Financial) != 1 {
		t.Errorf("the Register of questionnaires: %+v %v", qs, err)
	}
	// A second submission, bypassing the page, is refused too.
	r2, err := http.PostForm(s.srv.URL+path, map[string][]string{"usefulness": {"1"}, "organisation": {"1"}, "expectations": {"1"}, "satisfaction": {"1"}})
	if err != nil {
		t.Fatal(err)
	}
	r2.Body.Close()
	if r2.StatusCode != http.StatusGone {
		t.Errorf("a second answer: %d", r2.StatusCode)
	}
}
