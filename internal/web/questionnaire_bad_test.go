package web_test

import (
	"context"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"esep/internal/auth"
	"esep/internal/store/storetest"
	"esep/internal/survey"
)

// TestQuestionnaireBadInput: an answer out of range or with an unknown
// option is refused with a message in the client's language and stores
// nothing, and the link still works; an expired link cannot be answered.
func TestQuestionnaireBadInput(t *testing.T) {
	s := newSite(t, storetest.Engines()[0])
	ctx := context.Background()
	id := firstRecord(t, s, "manager", "430000000")
	resp, link := s.call("POST", "/api/v1/records/"+id+"/questionnaire", "manager", nil)
	if resp.StatusCode != http.StatusCreated {
		t.Fatalf("link: %d %v", resp.StatusCode, link)
	}
	path := link["path"].(string)
	post := func(path, lang string, form url.Values) (int, string) {
		t.Helper()
		req, _ := http.NewRequest("POST", s.srv.URL+path, strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("Accept-Language", lang)
		r, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer r.Body.Close()
		b, _ := io.ReadAll(r.Body)
		return r.StatusCode, string(b)
	}
	good := func() url.Values {
		return url.Values{"usefulness": {"5"}, "organisation": {"4"}, "expectations": {"4"}, "satisfaction": {"5"}}
	}
	stored := func() int {
		t.Helper()
		qs, err := s.db.Questionnaires(ctx, "0000-01-01", "9999-12-31")
		if err != nil {
			t.Fatal(err)
		}
		return len(qs)
	}

	label := func(field string) survey.Label {
		l, ok := survey.FieldLabel(field)
		if !ok {
			t.Fatalf("no label for %s", field)
		}
		return l
	}
	for _, tt := range []struct {
		name, lang string
		change     func(url.Values)
		want       string
	}{
		{"a rating of 7, in Russian", "ru", func(v url.Values) { v.Set("usefulness", "7") }, "вне допустимых значений"},
		{"a rating that is not a number, in English", "en", func(v url.Values) { v.Set("satisfaction", "five") }, label("satisfaction").EN},
		{"a missing rating, in Kazakh", "kk", func(v url.Values) { v.Del("organisation") }, label("organisation").KK},
		{"an unknown option, in Russian", "ru", func(v url.Values) { v.Add("financial", "free_money") }, "нет варианта «free_money»"},
		{"a hostile option", "en", func(v url.Values) { v.Add("purpose", `<script>alert(1)</script>`) }, "&lt;script&gt;"},
	} {
		form := good()
		tt.change(form)
		code, body := post(path, tt.lang, form)
		if code != http.StatusUnprocessableEntity || !strings.Contains(body, tt.want) || strings.Contains(body, "<script>alert") {
			t.Errorf("%s: %d, want 422 with %q", tt.name, code, tt.want)
		}
		if n := stored(); n != 0 {
			t.Fatalf("%s: %d answers stored", tt.name, n)
		}
	}
	// The link survived the refused answers: a good one is taken, once.
	if code, _ := post(path, "kk", good()); code != http.StatusOK || stored() != 1 {
		t.Errorf("a good answer after bad ones: %d, %d stored", code, stored())
	}

	// An expired link: the page says so, and an answer to it is not kept.
	token, hash, err := auth.NewToken()
	if err != nil {
		t.Fatal(err)
	}
	other := firstRecord(t, s, "manager", "430000000")
	if err := s.db.CreateLink(ctx, other, hash, time.Now().Add(-time.Minute)); err != nil {
		t.Fatal(err)
	}
	r, err := http.Get(s.srv.URL + "/q/" + token)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(r.Body)
	r.Body.Close()
	if r.StatusCode != http.StatusGone || !strings.Contains(string(b), `id="q-closed"`) {
		t.Errorf("an expired link: %d", r.StatusCode)
	}
	if code, _ := post("/q/"+token, "en", good()); code != http.StatusGone || stored() != 1 {
		t.Errorf("an answer to an expired link: %d, %d stored", code, stored())
	}
}
