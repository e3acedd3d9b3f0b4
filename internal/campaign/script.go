package campaign

import (
	"slices"
	"strconv"
	"strings"
	"time"

	"esep/internal/i18n"
	"esep/internal/register"
	"esep/internal/survey"
)

// Script is what the agent reads to the client, in the client's language:
// an introduction naming the service and its date, then the four questions
// of Annex 4 with their options, question 1 filled with the service's date
// and place.
type Script struct {
	Lang      i18n.Lang        `json:"lang"`
	Intro     string           `json:"intro"`
	Service   string           `json:"service"` // the service's name in Lang
	Date      string           `json:"date"`    // the service's date in Lang, e.g. "12 наурыз"
	Place     string           `json:"place"`
	Questions []ScriptQuestion `json:"questions"`
}

// ScriptQuestion is one question of the script: the option group's code
// (survey.GroupPhoneReceived and so on), its wording and its options.
type ScriptQuestion struct {
	Group   string         `json:"group"`
	Text    string         `json:"text"`
	Options []ScriptOption `json:"options,omitempty"`
}

// ScriptOption is one answer option with its stored code.
type ScriptOption struct {
	Code  string `json:"code"`
	Label string `json:"label"`
}

// scriptGroups are the Annex 4 questions in the order they are asked.
var scriptGroups = []string{survey.GroupPhoneReceived, survey.GroupPhoneRating, survey.GroupPhoneUseful,
	survey.GroupPhoneInterested, survey.GroupPhoneInstrument}

// NewScript writes the script about record r in lang, read by the agent
// named agent; service is the name of r's service in lang (the edge names
// codes, from the catalogue it was configured with). The wording of the questions is the annex's, from the survey
// package's options; the date is the service's end date, the day the act
// or the online confirmation closed it, which is the date the register
// reports it under.
func NewScript(lang i18n.Lang, r *register.Record, agent, service string) Script {
	s := Script{Lang: lang, Service: service, Date: FormatDate(lang, r.EndDate), Place: Place(r)}
	s.Intro = i18n.T(lang, "campaign.script.intro", "agent", agent, "service", s.Service, "date", s.Date)
	for _, g := range survey.OptionGroups() {
		if !slices.Contains(scriptGroups, g.Code) {
			continue
		}
		q := ScriptQuestion{Group: g.Code, Text: fill(g.Question.In(string(lang)), s.Date, s.Place)}
		for _, o := range g.Options {
			q.Options = append(q.Options, ScriptOption{Code: o.Code, Label: o.Label.In(string(lang))})
		}
		if g.Code == survey.GroupPhoneRating {
			for n := 1; n <= 5; n++ {
				q.Options = append(q.Options, ScriptOption{Code: strconv.Itoa(n), Label: strconv.Itoa(n)})
			}
		}
		s.Questions = append(s.Questions, q)
	}
	return s
}

// fill puts the date and place into question 1's blanks.
func fill(text, date, place string) string {
	return strings.NewReplacer("{date}", date, "{place}", place).Replace(text)
}

// Place is where the service was given, as question 1 asks: the center's
// name, or, for a mobile center (a bus), the settlement it stood in.
func Place(r *register.Record) string {
	if r.PlaceKind == "mobile_center" && r.SettlementName != "" {
		return r.SettlementName
	}
	if r.ServicePlace != "" {
		return r.ServicePlace
	}
	return r.SettlementName
}

// FormatDate writes a date (YYYY-MM-DD) the way it is said on the phone in
// lang: "12 наурыз", "12 марта", "12 March". The year is left out, as in
// speech: the service was this season. A value that is not a date is
// returned as it is.
func FormatDate(lang i18n.Lang, date string) string {
	t, err := time.Parse(time.DateOnly, date)
	if err != nil {
		return date
	}
	return i18n.T(lang, "campaign.date", "day", t.Day(), "month", i18n.T(lang, "campaign.month."+strconv.Itoa(int(t.Month()))))
}
