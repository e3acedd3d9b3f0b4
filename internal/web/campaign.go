package web

// The telephone survey of Annex 4 (package campaign) on the web: what the
// campaign pages (campaign_pages.go), the call queue (campaign_calls.go)
// and the API (campaign_api.go) share. Names carry a "campaign" prefix
// because other parts of the package are written at the same time.

import (
	"errors"
	"fmt"
	"math"
	"net/http"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"esep/internal/auth"
	"esep/internal/campaign"
	"esep/internal/i18n"
	"esep/internal/kz"
	"esep/internal/survey"
)

// Permissions of the survey: analysts open and close campaigns
// (permSurvey, questionnaires.go), agents work the calls.
var permCall = ptr(auth.CallClients)

// campaignClock is the survey's clock: nil means time.Now. Tests fix it
// (campaign_export_test.go) so that calling hours and call-back times do
// not depend on the time of day the test runs at.
var campaignClock atomic.Pointer[func() time.Time]

func (s *Server) campaignNow() time.Time {
	if f := campaignClock.Load(); f != nil {
		return (*f)()
	}
	return time.Now()
}

// campaigns is the survey's domain service over this server's database.
func (s *Server) campaigns() *campaign.Service {
	return &campaign.Service{Store: s.db, Frame: s.cycle, Calendar: s.cycle.Calendar, Now: s.campaignNow}
}

// campaignStatus is the HTTP status of a refusal by the survey's rules.
func campaignStatus(err error) int {
	var e *campaign.Error
	switch {
	case errors.As(err, &e) && e.Code == campaign.CodeNotFound:
		return http.StatusNotFound
	case errors.As(err, &e) && e.Code == campaign.CodeNotYours:
		return http.StatusForbidden
	case errors.As(err, &e) && (e.Code == campaign.CodeDone || e.Code == campaign.CodeClosed || e.Code == campaign.CodeChanged):
		return http.StatusConflict
	}
	return http.StatusUnprocessableEntity
}

// campaignCode is the API code of a refusal: the campaign package's code,
// or "invalid_answers" for answers the survey rejects.
func campaignCode(err error) string {
	var e *campaign.Error
	if errors.As(err, &e) {
		return string(e.Code)
	}
	return "invalid_answers"
}

// campaignProblems renders a refusal in lang: one message, or one per
// answer that is not valid.
func campaignProblems(lang i18n.Lang, err error) []string {
	if ps := survey.Problems(err); len(ps) > 0 {
		out := make([]string, 0, len(ps))
		for _, p := range ps {
			out = append(out, i18n.T(lang, p.Key(), "field", campaignFieldName(lang, p.Field), "value", p.Value, "want", p.Want))
		}
		return out
	}
	if text, ok := i18n.Error(lang, err); ok {
		return []string{text}
	}
	return []string{err.Error()}
}

// campaignFieldName names an answer field the way the call page labels it.
func campaignFieldName(lang i18n.Lang, field string) string {
	if key := "web.calls.field." + field; i18n.Has(lang, key) {
		return i18n.T(lang, key)
	}
	return questionLabel(lang, field)
}

// campaignForm is the form that opens a campaign, as typed: margin and
// oversample in percent, confidence as a percentage.
type campaignForm struct {
	Name, From, To                 string
	Margin, Confidence, Oversample string
	ByService                      bool
	ExcludeMonths, MaxAttempts     string
	CallingFrom, CallingTo, Seed   string
}

// campaignDefaultForm proposes the previous month, ±5 points at 95% and
// the default calling rules.
func campaignDefaultForm(today time.Time) campaignForm {
	first := kz.Date(today.Year(), today.Month(), 1)
	from := first.AddDate(0, -1, 0)
	return campaignForm{From: from.Format(time.DateOnly), To: first.AddDate(0, 0, -1).Format(time.DateOnly), Margin: "5", Confidence: "95",
		Oversample: "0", ExcludeMonths: "6", MaxAttempts: strconv.Itoa(campaign.DefaultMaxAttempts), CallingFrom: campaign.DefaultFrom, CallingTo: campaign.DefaultTo}
}

func campaignFormOf(r *http.Request) campaignForm {
	v := func(name string) string { return strings.TrimSpace(r.PostFormValue(name)) }
	return campaignForm{Name: v("name"), From: v("from"), To: v("to"), Margin: v("margin"), Confidence: v("confidence"), Oversample: v("oversample"),
		ByService: r.PostFormValue("by_service") != "", ExcludeMonths: v("exclude_months"), MaxAttempts: v("max_attempts"),
		CallingFrom: v("calling_from"), CallingTo: v("calling_to"), Seed: v("seed")}
}

// options reads the form into campaign options: percentages become
// fractions. A number that cannot be read is refused with the same error
// as a number out of range.
func (f campaignForm) options() (campaign.Options, error) {
	o := campaign.Options{Name: f.Name, From: f.From, To: f.To, ByService: f.ByService, CallingFrom: f.CallingFrom, CallingTo: f.CallingTo}
	pct := func(field, s string, dst *float64) error {
		x, err := strconv.ParseFloat(strings.ReplaceAll(s, ",", "."), 64)
		if err != nil || math.IsNaN(x) || math.IsInf(x, 0) {
			return &campaign.Error{Code: campaign.CodeInvalid, Field: field, Value: s}
		}
		*dst = x / 100
		return nil
	}
	whole := func(field, s string, dst *int) error {
		if s == "" {
			return nil
		}
		n, err := strconv.Atoi(s)
		if err != nil {
			return &campaign.Error{Code: campaign.CodeInvalid, Field: field, Value: s}
		}
		*dst = n
		return nil
	}
	for _, err := range []error{
		pct("margin", f.Margin, &o.Margin), pct("confidence", f.Confidence, &o.Confidence), pct("oversample", campaignOr(f.Oversample, "0"), &o.Oversample),
		whole("exclude_months", f.ExcludeMonths, &o.ExcludeMonths), whole("max_attempts", f.MaxAttempts, &o.MaxAttempts),
	} {
		if err != nil {
			return o, err
		}
	}
	seed, err := campaignSeed(f.Seed)
	o.Seed = seed
	return o, err
}

func campaignOr(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

// campaignSeed reads an optional seed: "" is none (a random one is drawn).
func campaignSeed(s string) (*uint64, error) {
	if s == "" {
		return nil, nil
	}
	n, err := strconv.ParseUint(s, 10, 64)
	if err != nil {
		return nil, &campaign.Error{Code: campaign.CodeInvalid, Field: "seed", Value: s}
	}
	return &n, nil
}

// campaignLocal writes an instant as a Kazakhstan date and time, or ""
// for none.
func campaignLocal(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.In(kz.Zone).Format("2006-01-02 15:04")
}

// campaignIdleText says in lang why an agent has no call.
func campaignIdleText(lang i18n.Lang, idle *campaign.Idle) string {
	return i18n.T(lang, "campaign.idle."+idle.Reason, "until", campaignLocal(idle.Until))
}

// campaignPath is a campaign's page.
func campaignPath(id int64) string { return fmt.Sprintf("/campaigns/%d", id) }

// campaignID reads the {id} of a path.
func campaignID(r *http.Request) (int64, bool) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	return id, err == nil && id > 0
}
