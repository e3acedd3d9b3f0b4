package web_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"esep/internal/auth"
	"esep/internal/campaign"
	"esep/internal/kz"
	"esep/internal/store"
	"esep/internal/store/storetest"
	"esep/internal/survey"
	"esep/internal/web"
)

// campaignSite is a site with a fixed survey clock (Tuesday 7 July 2026,
// 10:00 in Kazakhstan, after the demo half-year), a second agent, and a
// campaign over the half-year opened by the analyst through the API.
func campaignSite(t *testing.T, e storetest.Engine) (*site, int64, *time.Time) {
	t.Helper()
	s := newSite(t, e)
	now := time.Date(2026, 7, 7, 10, 0, 0, 0, kz.Zone)
	web.SetCampaignClock(t, func() time.Time { return now })
	addUser(t, s, auth.User{Login: "agent2", Name: "Agent Two", Role: auth.Agent})
	resp, body := s.call("POST", "/api/v1/campaigns", "analyst", strings.NewReader(
		`{"name":"H1","from":"2026-01-01","to":"2026-06-30","margin":0.1,"confidence":0.9,"seed":"7","exclude_months":6}`))
	if resp.StatusCode != http.StatusCreated {
		t.Fatalf("open: %d %v", resp.StatusCode, body)
	}
	c := body["campaign"].(map[string]any)
	return s, int64(c["id"].(float64)), &now
}

// addUser adds a user with the test password and an API token.
func addUser(t *testing.T, s *site, u auth.User) {
	t.Helper()
	ctx := context.Background()
	hash, err := auth.HashPassword(password)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.db.CreateUser(ctx, &u, hash, "test"); err != nil {
		t.Fatal(err)
	}
	tok, th, _ := auth.NewToken()
	if err := s.db.CreateAPIToken(ctx, u.ID, th, "test", "test"); err != nil {
		t.Fatal(err)
	}
	s.tokens[u.Login] = tok
}

// nextCall takes the next call as login through the API and returns its id.
func nextCall(t *testing.T, s *site, login string) int64 {
	t.Helper()
	resp, body := s.call("POST", "/api/v1/calls/next", login, nil)
	c, _ := body["call"].(map[string]any)
	if resp.StatusCode != http.StatusOK || c == nil {
		t.Fatalf("%s: next call: %d %v", login, resp.StatusCode, body)
	}
	return int64(c["id"].(float64))
}

func attempt(s *site, login string, id int64, body string) (*http.Response, map[string]any) {
	return s.call("POST", fmt.Sprintf("/api/v1/calls/%d/attempts", id), login, strings.NewReader(body))
}

// TestCampaignAPI: an analyst opens a campaign, agents work its calls, and
// every bad input is a clear error that stores nothing. Both engines.
func TestCampaignAPI(t *testing.T) {
	for _, e := range storetest.Engines() {
		t.Run(e.Name, func(t *testing.T) {
			s, id, _ := campaignSite(t, e)
			ctx := context.Background()
			_, status := s.call("GET", fmt.Sprintf("/api/v1/campaigns/%d", id), "analyst", nil)
			c := status["campaign"].(map[string]any)
			strata := status["strata"].([]any)
			if c["seed"] != "7" || c["status"] != "open" || len(strata) == 0 || status["calling_from"] != "09:00" {
				t.Fatalf("status %v", status)
			}
			calls := int(status["progress"].(map[string]any)["calls"].(float64))
			if calls == 0 {
				t.Fatal("no calls drawn")
			}

			t.Run("bad campaigns", func(t *testing.T) {
				for _, tt := range []struct {
					name, login, body string
					status            int
					code              string
				}{
					{"a margin in percent", "analyst", `{"from":"2026-01-01","to":"2026-06-30","margin":5,"confidence":0.95}`, 422, "invalid"},
					{"a period backwards", "analyst", `{"from":"2026-06-30","to":"2026-01-01","margin":0.05,"confidence":0.95}`, 422, "invalid"},
					{"calling at night", "analyst", `{"from":"2026-01-01","to":"2026-06-30","margin":0.05,"confidence":0.95,"calling_from":"22:00","calling_to":"06:00"}`, 422, "invalid"},
					{"a seed that is not a number", "analyst", `{"from":"2026-01-01","to":"2026-06-30","margin":0.05,"confidence":0.95,"seed":"x"}`, 422, "invalid"},
					{"an empty period", "analyst", `{"from":"2020-01-01","to":"2020-01-31","margin":0.05,"confidence":0.95}`, 422, "empty_frame"},
					{"an unknown field", "analyst", `{"from":"2026-01-01","to":"2026-06-30","margin":0.05,"confidence":0.95,"size":10}`, 400, "bad_request"},
					{"an agent", "agent", `{"from":"2026-01-01","to":"2026-06-30","margin":0.05,"confidence":0.95}`, 403, "forbidden"},
				} {
					resp, body := s.call("POST", "/api/v1/campaigns", tt.login, strings.NewReader(tt.body), "Accept-Language", "ru")
					if resp.StatusCode != tt.status || body["code"] != tt.code || body["message"] == "" {
						t.Errorf("%s: %d %v", tt.name, resp.StatusCode, body)
					}
				}
				if _, list := s.call("GET", "/api/v1/campaigns", "analyst", nil); len(list["items"].([]any)) != 1 {
					t.Errorf("a refused campaign was stored: %v", list)
				}
			})

			mine := nextCall(t, s, "agent")
			theirs := nextCall(t, s, "agent2")
			if mine == theirs {
				t.Fatal("two agents got the same call")
			}
			before, _ := s.db.Call(ctx, mine)
			unchanged := func(t *testing.T, what string) {
				t.Helper()
				now, _ := s.db.Call(ctx, mine)
				as, _ := s.db.Attempts(ctx, mine)
				if now.Attempts != before.Attempts || now.Status != before.Status || now.AssignedTo != before.AssignedTo || len(as) != 0 {
					t.Errorf("%s changed the call: %+v, attempts %+v", what, now, as)
				}
			}

			t.Run("bad attempts store nothing", func(t *testing.T) {
				for _, tt := range []struct {
					name, login, body string
					status            int
					code, says        string
				}{
					{"another agent's call", "agent2", `{"result":"no_answer"}`, 403, "not_yours", "сіздің қоңырауыңыз емес"},
					{"a rating of 7", "agent", `{"result":"answered","answers":{"q1_received":"yes","q2_rating":7}}`, 422, "invalid_answers", "1-5"},
					{"an unknown option", "agent", `{"result":"answered","answers":{"q1_received":"yes","q3_useful":"very"}}`, 422, "invalid_answers", "very"},
					{"an unknown instrument", "agent", `{"result":"answered","answers":{"q1_received":"yes","q4_interested":"yes","q4_instruments":["lottery"]}}`, 422, "invalid_answers", "lottery"},
					{"ratings after a no", "agent", `{"result":"answered","answers":{"q1_received":"no","q2_rating":5}}`, 422, "invalid_answers", ""},
					{"answers without an answer", "agent", `{"result":"busy","answers":{"q1_received":"yes"}}`, 422, "answers_not_now", ""},
					{"an unknown result", "agent", `{"result":"hung_up"}`, 422, "result", "hung_up"},
					{"a call-back in the past", "agent", `{"result":"callback","callback_at":"2026-07-07T09:30"}`, 422, "callback_time", "09:30"},
					{"a call-back at night", "agent", `{"result":"callback","callback_at":"2026-07-07T22:30"}`, 422, "callback_time", "22:30"},
					{"a call-back without a time", "agent", `{"result":"callback"}`, 422, "callback_time", ""},
					{"a manager", "manager", `{"result":"no_answer"}`, 403, "forbidden", ""},
				} {
					resp, body := attempt(s, tt.login, mine, tt.body)
					msg, _ := body["message"].(string)
					if resp.StatusCode != tt.status || body["code"] != tt.code || msg == "" || !strings.Contains(msg, tt.says) {
						t.Errorf("%s: %d %v", tt.name, resp.StatusCode, body)
					}
					unchanged(t, tt.name)
				}
				// A missing call, and the page form of another agent.
				if resp, body := attempt(s, "agent", 999999, `{"result":"no_answer"}`); resp.StatusCode != 404 || body["code"] != "not_found" {
					t.Errorf("a missing call: %d %v", resp.StatusCode, body)
				}
				resp, page := s.call("POST", fmt.Sprintf("/calls/%d", mine), "agent2", strings.NewReader("result=refused"),
					"Content-Type", "application/x-www-form-urlencoded", "Accept-Language", "en")
				if resp.StatusCode != 403 || !strings.Contains(page["_raw"].(string), "This call is not yours") {
					t.Errorf("the page form of another agent: %d", resp.StatusCode)
				}
				resp, page = s.call("GET", fmt.Sprintf("/calls/%d", mine), "agent2", nil, "Accept-Language", "en")
				if body := page["_raw"].(string); resp.StatusCode != 403 || strings.Contains(body, "tel:") {
					t.Errorf("another agent opened the call page: %d", resp.StatusCode)
				}
				// The form's rating 7 on the call page: the page again, with
				// the reason, and nothing stored.
				resp, page = s.call("POST", fmt.Sprintf("/calls/%d", mine), "agent", strings.NewReader("result=answered&q1=yes&q2=7&lang=kk"),
					"Content-Type", "application/x-www-form-urlencoded", "Accept-Language", "en")
				if resp.StatusCode != 422 || !strings.Contains(page["_raw"].(string), `id="call-problems"`) || !strings.Contains(page["_raw"].(string), "Question 2") {
					t.Errorf("rating 7 on the page: %d", resp.StatusCode)
				}
				unchanged(t, "the page")
			})

			t.Run("a complete interview, then nothing more", func(t *testing.T) {
				resp, body := attempt(s, "agent", mine, `{"result":"answered","lang":"ru","answers":{"q1_received":"yes","q2_rating":4,"q3_useful":"partly","q4_interested":"yes","q4_instruments":["grant","loan_guarantee"]}}`)
				if resp.StatusCode != 200 || body["call"].(map[string]any)["outcome"] != "completed" {
					t.Fatalf("%d %v", resp.StatusCode, body)
				}
				got, _ := s.db.Call(ctx, mine)
				want := survey.PhoneAnswers{Received: survey.Yes, Rating: 4, Useful: survey.UsefulPartly, Interested: survey.Yes,
					Instruments: []survey.FinancialSupport{survey.FinancialGrant, survey.FinancialLoanGuarantee}}
				if got.Lang != "ru" || got.Answers.Rating != want.Rating || got.Answers.Useful != want.Useful || len(got.Answers.Instruments) != 2 {
					t.Errorf("stored %+v", got)
				}
				if resp, body := attempt(s, "agent", mine, `{"result":"no_answer"}`); resp.StatusCode != 409 || body["code"] != "done" {
					t.Errorf("again: %d %v", resp.StatusCode, body)
				}
			})

			t.Run("a no to question 1 reaches the operator", func(t *testing.T) {
				resp, body := attempt(s, "agent2", theirs, `{"result":"answered","answers":{"q1_received":"no","q4_interested":"no"}}`)
				if resp.StatusCode != 200 {
					t.Fatalf("%d %v", resp.StatusCode, body)
				}
				call, _ := s.db.Call(ctx, theirs)
				_, st := s.call("GET", fmt.Sprintf("/api/v1/campaigns/%d", id), "analyst", nil)
				nc, _ := st["not_confirmed"].([]any)
				if len(nc) != 1 || nc[0].(map[string]any)["record_id"] != call.RecordID {
					t.Errorf("not confirmed: %v", st["not_confirmed"])
				}
				resp, page := s.call("GET", "/cycle?from=2026-01&to=2026-06", "analyst", nil, "Accept-Language", "en")
				if resp.StatusCode != 200 || !strings.Contains(page["_raw"].(string), `data-record="`+call.RecordID+`"`) {
					t.Errorf("the cycle page does not list %s: %d", call.RecordID, resp.StatusCode)
				}
				// An operator of that region sees it counted on her dashboard
				// and acknowledges it; one of another region cannot.
				region := call.Region
				addUser(t, s, auth.User{Login: "op", Name: "Operator", Role: auth.Operator, Region: region})
				addUser(t, s, auth.User{Login: "op2", Name: "Other", Role: auth.Operator, Region: otherRegion(region)})
				if _, dash := s.call("GET", "/", "op", nil, "Accept-Language", "en"); !strings.Contains(dash["_raw"].(string), `id="dash-notices"`) {
					t.Error("the operator's dashboard does not count the notice")
				}
				ns, _ := s.db.Notices(ctx, store.NoticeFilter{Region: region})
				path := fmt.Sprintf("/notices/%d/read", ns[0].ID)
				form := "Content-Type"
				if resp, _ := s.call("POST", path, "op2", nil, form, "application/x-www-form-urlencoded"); resp.StatusCode != 404 {
					t.Errorf("another region acknowledged: %d", resp.StatusCode)
				}
				if resp, _ := s.call("POST", path, "op", nil, form, "application/x-www-form-urlencoded"); resp.StatusCode != 200 {
					t.Errorf("acknowledge: %d", resp.StatusCode)
				}
				if n, _ := s.db.UnreadNotices(ctx, region); n != 0 {
					t.Errorf("still unread: %d", n)
				}
			})

			t.Run("rates and closing", func(t *testing.T) {
				_, list := s.call("GET", "/api/v1/campaigns", "analyst", nil)
				p := list["items"].([]any)[0].(map[string]any)["progress"].(map[string]any)
				rates := p["rates"].(map[string]any)
				if p["done"].(float64) != 2 || rates["coop1"].(float64) != 1 || rates["rr1"].(float64) != 2/float64(calls) {
					t.Errorf("progress %v", p)
				}
				_, page := s.call("GET", fmt.Sprintf("/campaigns/%d", id), "analyst", nil, "Accept-Language", "kk")
				for _, want := range []string{`id="campaign-rates"`, `id="campaign-description"`, "esep-survey-draw/v1", `data-outcome="completed"`} {
					if !strings.Contains(page["_raw"].(string), want) {
						t.Errorf("the campaign page lacks %s", want)
					}
				}
				if resp, _ := s.call("POST", fmt.Sprintf("/api/v1/campaigns/%d/close", id), "agent", nil); resp.StatusCode != 403 {
					t.Errorf("an agent closed a campaign: %d", resp.StatusCode)
				}
				if resp, _ := s.call("POST", fmt.Sprintf("/api/v1/campaigns/%d/close", id), "analyst", nil); resp.StatusCode != 200 {
					t.Errorf("close: %d", resp.StatusCode)
				}
				if resp, body := s.call("POST", fmt.Sprintf("/api/v1/campaigns/%d/close", id), "analyst", nil); resp.StatusCode != 409 || body["code"] != "closed" {
					t.Errorf("close twice: %d %v", resp.StatusCode, body)
				}
				resp, body := s.call("POST", "/api/v1/calls/next", "agent", nil, "Accept-Language", "en")
				idle, _ := body["idle"].(map[string]any)
				if resp.StatusCode != 200 || body["call"] != nil || idle["reason"] != campaign.IdleNoCampaign || idle["message"] == "" {
					t.Errorf("after closing: %d %v", resp.StatusCode, body)
				}
			})
		})
	}
}

// TestCampaignForm: the analyst's form opens a campaign with percentages
// and says what is wrong with a bad one, keeping what was typed.
func TestCampaignForm(t *testing.T) {
	s := newSite(t, storetest.Engines()[0])
	post := func(form url.Values) (*http.Response, string) {
		resp, body := s.call("POST", "/campaigns", "analyst", strings.NewReader(form.Encode()),
			"Content-Type", "application/x-www-form-urlencoded", "Accept-Language", "kk")
		return resp, body["_raw"].(string)
	}
	good := url.Values{"name": {"Жарты жыл"}, "from": {"2026-01-01"}, "to": {"2026-06-30"}, "margin": {"10"}, "confidence": {"95"},
		"exclude_months": {"6"}, "oversample": {"20"}, "calling_from": {"09:00"}, "calling_to": {"20:00"}, "max_attempts": {"4"}, "seed": {"123"}}
	bad := url.Values{}
	for k, v := range good {
		bad[k] = v
	}
	bad.Set("margin", "80")
	resp, page := post(bad)
	if resp.StatusCode != 422 || !strings.Contains(page, `id="campaigns-error"`) || !strings.Contains(page, "Қателік шегі") || !strings.Contains(page, `value="Жарты жыл"`) {
		t.Errorf("a margin of 80 points: %d", resp.StatusCode)
	}
	resp, page = post(good)
	if resp.StatusCode != 200 || !strings.Contains(page, `id="campaign-seed">123<`) || !strings.Contains(page, `id="campaign-notice"`) {
		t.Fatalf("open: %d %s", resp.StatusCode, page)
	}
	cs, err := s.db.Campaigns(context.Background())
	if err != nil || len(cs) != 1 || cs[0].Margin != 0.1 || cs[0].Oversample != 0.2 || cs[0].MaxAttempts != 4 || cs[0].Name != "Жарты жыл" {
		t.Fatalf("%+v %v", cs, err)
	}
	if resp, _ := s.call("GET", "/campaigns", "agent", nil); resp.StatusCode != 403 {
		t.Errorf("an agent opened /campaigns: %d", resp.StatusCode)
	}
	if resp, _ := s.call("GET", "/calls", "analyst", nil); resp.StatusCode != 403 {
		t.Errorf("an analyst opened /calls: %d", resp.StatusCode)
	}
	var strata []any
	_, body := s.call("GET", fmt.Sprintf("/api/v1/campaigns/%d", cs[0].ID), "analyst", nil)
	b, _ := json.Marshal(body["strata"])
	json.Unmarshal(b, &strata)
	if len(strata) == 0 {
		t.Error("no strata")
	}
}

func otherRegion(region string) string {
	if region == "430000000" {
		return "710000000"
	}
	return "430000000"
}
