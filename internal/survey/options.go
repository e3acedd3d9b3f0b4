package survey

import (
	_ "embed"
	"encoding/json"
	"fmt"
	"slices"
)

// Label is a text in esep's three languages.
type Label struct {
	KK string `json:"kk"`
	RU string `json:"ru"`
	EN string `json:"en"`
}

// In returns the label in lang ("kk", "ru" or "en"); any other language
// gets Kazakh, esep's default.
func (l Label) In(lang string) string {
	switch lang {
	case "ru":
		return l.RU
	case "en":
		return l.EN
	}
	return l.KK
}

// Option is one answer option of a question, with its stable code.
type Option struct {
	Code  string `json:"code"`
	Label Label  `json:"label"`
	// Unconfirmed lists the languages ("kk", "ru", "en") whose label is not
	// taken from an official text of the annex, on top of the group's.
	Unconfirmed []string `json:"unconfirmed,omitempty"`
}

// OptionGroup is a question of Annex 2 or 4 with its options.
type OptionGroup struct {
	Code     string   `json:"code"`
	Annex    int      `json:"annex"` // 2 or 4
	Question Label    `json:"question"`
	Options  []Option `json:"options"`
	// Unconfirmed lists the languages whose texts in the whole group are not
	// taken from an official text of the annex (see options.json "about").
	Unconfirmed []string `json:"unconfirmed,omitempty"`
	Note        string   `json:"note,omitempty"` // where a text comes from or was corrected
}

// The labels are data, not code, because some of them are not from an
// official text (the Russian, and the Kazakh options the published Kazakh
// text lost): a correction is an edit of options.json. They live here and
// not in the i18n catalog because they belong to the annexes, with their
// codes, and options_test.go checks them against the Go constants.
//
//go:embed options.json
var optionsJSON []byte

var optionGroups = mustLoadOptions(optionsJSON)

func mustLoadOptions(b []byte) []OptionGroup {
	gs, err := loadOptions(b)
	if err != nil {
		panic(err) // embedded at build time: a broken file is a build defect
	}
	return gs
}

func loadOptions(b []byte) ([]OptionGroup, error) {
	var f struct {
		Groups []struct {
			OptionGroup
			From string `json:"options_from"`
		} `json:"groups"`
	}
	if err := json.Unmarshal(b, &f); err != nil {
		return nil, fmt.Errorf("survey: options.json: %w", err)
	}
	var out []OptionGroup
	for _, g := range f.Groups {
		if g.From != "" {
			i := slices.IndexFunc(out, func(o OptionGroup) bool { return o.Code == g.From })
			if i < 0 || len(g.Options) > 0 {
				return nil, fmt.Errorf("survey: options.json: group %q takes its options from %q, which must come before it, and has none of its own", g.Code, g.From)
			}
			g.Options = out[i].Options
		}
		if g.Code == "" || slices.ContainsFunc(out, func(o OptionGroup) bool { return o.Code == g.Code }) {
			return nil, fmt.Errorf("survey: options.json: group code %q is empty or repeated", g.Code)
		}
		if !complete(g.Question) {
			return nil, fmt.Errorf("survey: options.json: group %q: the question lacks a language", g.Code)
		}
		seen := map[string]bool{}
		for _, o := range g.Options {
			if o.Code == "" || seen[o.Code] || !complete(o.Label) {
				return nil, fmt.Errorf("survey: options.json: group %q: option %q is empty, repeated or lacks a language", g.Code, o.Code)
			}
			seen[o.Code] = true
		}
		out = append(out, g.OptionGroup)
	}
	return out, nil
}

func complete(l Label) bool { return l.KK != "" && l.RU != "" && l.EN != "" }

// OptionGroups returns the questions of Annexes 2 and 4 with their options
// and labels, in the annexes' order. The result is a copy; changing it
// changes nothing else.
func OptionGroups() []OptionGroup {
	out := slices.Clone(optionGroups)
	for i := range out {
		out[i].Options = slices.Clone(out[i].Options)
		out[i].Unconfirmed = slices.Clone(out[i].Unconfirmed)
	}
	return out
}

// The codes of the option groups, as in options.json.
const (
	GroupRatingAspect    = "rating_aspect"    // Annex 2: the four rated aspects
	GroupPurpose         = "purpose"          // Annex 2: purpose of the request
	GroupFinancial       = "financial"        // Annex 2: financial support wanted
	GroupNonFinancial    = "non_financial"    // Annex 2: non-financial support wanted
	GroupPhoneReceived   = "phone_received"   // Annex 4, question 1
	GroupPhoneRating     = "phone_rating"     // Annex 4, question 2
	GroupPhoneUseful     = "phone_useful"     // Annex 4, question 3
	GroupPhoneInterested = "phone_interested" // Annex 4, question 4
	GroupPhoneInstrument = "phone_instrument" // esep's follow-up to question 4
)

// OptionLabel returns the label of the option code in the group, and false
// when either is unknown.
func OptionLabel(group, code string) (Label, bool) {
	for _, g := range optionGroups {
		if g.Code != group {
			continue
		}
		for _, o := range g.Options {
			if o.Code == code {
				return o.Label, true
			}
		}
	}
	return Label{}, false
}

// QuestionLabel returns the wording of the group's question, and false when
// the group is unknown.
func QuestionLabel(group string) (Label, bool) {
	for _, g := range optionGroups {
		if g.Code == group {
			return g.Question, true
		}
	}
	return Label{}, false
}

// fieldGroups maps the JSON names of the answers' fields, which
// ValidationError.Field carries, to the option groups that word them.
var fieldGroups = map[string]string{
	"purposes": GroupPurpose, "financial": GroupFinancial, "non_financial": GroupNonFinancial,
	"q1_received": GroupPhoneReceived, "q2_rating": GroupPhoneRating, "q3_useful": GroupPhoneUseful,
	"q4_interested": GroupPhoneInterested, "q4_instruments": GroupPhoneInstrument,
}

// FieldLabel returns the wording of the question an answer's field (a
// ValidationError's Field) answers, for a message a client can read: the
// rated aspect for the four ratings of Annex 2, the question otherwise.
// It returns false for a field it does not know.
func FieldLabel(field string) (Label, bool) {
	if l, ok := OptionLabel(GroupRatingAspect, field); ok {
		return l, true
	}
	if g, ok := fieldGroups[field]; ok {
		return QuestionLabel(g)
	}
	return Label{}, false
}
