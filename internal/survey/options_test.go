package survey

import (
	"slices"
	"strings"
	"testing"
	"unicode"
)

func codes[T ~string](list []T) []string {
	out := make([]string, len(list))
	for i, c := range list {
		out[i] = string(c)
	}
	return out
}

// Every option code of the Go types has its labels in options.json, in the
// same order, and nothing else does.
func TestOptionsMatchCodes(t *testing.T) {
	want := map[string][]string{
		GroupRatingAspect:    codes(RatingAspects),
		GroupPurpose:         codes(Purposes),
		GroupFinancial:       codes(FinancialSupports),
		GroupNonFinancial:    codes(NonFinancialSupports),
		GroupPhoneReceived:   {string(Yes), string(No)},
		GroupPhoneRating:     {},
		GroupPhoneUseful:     codes(Usefuls),
		GroupPhoneInterested: {string(Yes), string(No)},
		GroupPhoneInstrument: codes(FinancialSupports),
	}
	groups := OptionGroups()
	if len(groups) != len(want) {
		t.Errorf("options.json has %d groups, want %d", len(groups), len(want))
	}
	for _, g := range groups {
		var got []string
		for _, o := range g.Options {
			got = append(got, o.Code)
		}
		w, ok := want[g.Code]
		if !ok || !slices.Equal(got, w) && !(len(got) == 0 && len(w) == 0) {
			t.Errorf("group %s: options %v, want %v", g.Code, got, w)
		}
		if g.Annex != 2 && g.Annex != 4 {
			t.Errorf("group %s: annex %d", g.Code, g.Annex)
		}
		if !strings.HasPrefix(g.Code, "phone_") != (g.Annex == 2) {
			t.Errorf("group %s is in annex %d", g.Code, g.Annex)
		}
	}
	if n := len(NonFinancialSupports); n != 8 {
		t.Errorf("Annex 2 has eight kinds of non-financial support, esep %d", n)
	}
}

// The labels are in their languages: Kazakh and Russian in Cyrillic, and the
// Kazakh in Kazakh (every group's Kazakh has a letter Russian lacks, except
// the plain yes/no), English in Latin; and a text that is only unconfirmed
// in some languages says which.
func TestOptionLabels(t *testing.T) {
	kazakh := func(s string) bool { return strings.ContainsAny(s, "ӘәҒғҚқҢңӨөҰұҮүҺһІі") }
	cyrillic := func(s string) bool {
		return strings.IndexFunc(s, func(r rune) bool { return unicode.Is(unicode.Cyrillic, r) }) >= 0
	}
	latin := func(s string) bool {
		return strings.IndexFunc(s, func(r rune) bool { return unicode.Is(unicode.Cyrillic, r) }) < 0
	}
	for _, g := range OptionGroups() {
		labels := []Label{g.Question}
		for _, o := range g.Options {
			labels = append(labels, o.Label)
			for _, lang := range o.Unconfirmed {
				if !slices.Contains([]string{"kk", "ru", "en"}, lang) {
					t.Errorf("%s/%s: unconfirmed language %q", g.Code, o.Code, lang)
				}
			}
		}
		if !slices.Contains(g.Unconfirmed, "ru") {
			t.Errorf("group %s: the Russian is not from an official text and must say so", g.Code)
		}
		for _, l := range labels {
			if !cyrillic(l.KK) || !cyrillic(l.RU) || !latin(l.EN) {
				t.Errorf("group %s: label %+v is not in kk, ru, en", g.Code, l)
			}
			if l.KK == l.RU {
				t.Errorf("group %s: Kazakh and Russian are the same: %q", g.Code, l.KK)
			}
		}
		if !kazakh(g.Question.KK) {
			t.Errorf("group %s: the Kazakh question %q has no Kazakh letter", g.Code, g.Question.KK)
		}
	}
	// Texts from the seed's Kazakh annex (seeds/001, Annex 2), verbatim.
	for group, kk := range map[[2]string]string{
		{GroupFinancial, "interest_subsidy"}:             "Сыйақының пайыздық мөлшерлемесін субсидиялау",
		{GroupNonFinancial, "young_entrepreneur_school"}: `"Жас кәсіпкер мектебі" жобасына қатысу`,
		{GroupRatingAspect, "expectations"}:              "Алынған консультация үмітіңізді қаншалықты ақтады?",
	} {
		if l, ok := OptionLabel(group[0], group[1]); !ok || l.KK != kk {
			t.Errorf("%v: kk %q, want %q", group, l.KK, kk)
		}
	}
	// The options the published Kazakh text lost are marked.
	for _, g := range OptionGroups() {
		if g.Code != GroupPurpose && g.Code != GroupPhoneUseful {
			continue
		}
		for _, o := range g.Options {
			if !slices.Contains(o.Unconfirmed, "kk") {
				t.Errorf("%s/%s: the Kazakh is esep's translation and must say so", g.Code, o.Code)
			}
		}
	}
}

func TestOptionLookups(t *testing.T) {
	l, ok := OptionLabel(GroupPhoneUseful, string(UsefulNo))
	if !ok || l.In("en") != "No, it was useless" || l.In("ru") == "" || l.In("kk") != l.KK || l.In("de") != l.KK {
		t.Errorf("OptionLabel(phone_useful, useless) = %+v, %v", l, ok)
	}
	if _, ok := OptionLabel(GroupPhoneUseful, "great"); ok {
		t.Error("an unknown option has a label")
	}
	if _, ok := OptionLabel("nope", "yes"); ok {
		t.Error("an unknown group has a label")
	}
	if q, ok := QuestionLabel(GroupPhoneReceived); !ok || !strings.Contains(q.KK, "{date}") || !strings.Contains(q.RU, "{place}") {
		t.Errorf("QuestionLabel(phone_received) = %+v, %v", q, ok)
	}
	if _, ok := QuestionLabel("nope"); ok {
		t.Error("an unknown group has a question")
	}
	// OptionGroups hands out copies.
	g := OptionGroups()
	g[0].Options[0].Label.EN = "changed"
	if OptionGroups()[0].Options[0].Label.EN == "changed" {
		t.Error("OptionGroups shares its slices")
	}
}

func TestLoadOptionsErrors(t *testing.T) {
	q := `"question": {"kk": "а", "ru": "б", "en": "c"}`
	tests := map[string]string{
		"not JSON":           `{`,
		"repeated group":     `{"groups": [{"code": "a", ` + q + `}, {"code": "a", ` + q + `}]}`,
		"question lacks ru":  `{"groups": [{"code": "a", "question": {"kk": "а", "en": "c"}}]}`,
		"option lacks en":    `{"groups": [{"code": "a", ` + q + `, "options": [{"code": "x", "label": {"kk": "а", "ru": "б"}}]}]}`,
		"repeated option":    `{"groups": [{"code": "a", ` + q + `, "options": [{"code": "x", "label": {"kk": "а", "ru": "б", "en": "c"}}, {"code": "x", "label": {"kk": "а", "ru": "б", "en": "c"}}]}]}`,
		"options from later": `{"groups": [{"code": "a", ` + q + `, "options_from": "b"}, {"code": "b", ` + q + `}]}`,
	}
	for name, doc := range tests {
		if _, err := loadOptions([]byte(doc)); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
}

// TestFieldLabel: every field a validation error can name has a wording in
// the three languages, so no message shows a client a JSON name.
func TestFieldLabel(t *testing.T) {
	fields := []string{"purposes", "financial", "non_financial", "q1_received", "q2_rating", "q3_useful", "q4_interested", "q4_instruments"}
	for _, a := range RatingAspects {
		fields = append(fields, string(a))
	}
	for _, f := range fields {
		l, ok := FieldLabel(f)
		if !ok || l.KK == "" || l.RU == "" || l.EN == "" {
			t.Errorf("%s: %+v %v", f, l, ok)
		}
	}
	if _, ok := FieldLabel("nonsense"); ok {
		t.Error("an unknown field has a label")
	}
	// The fields Validate names are among them.
	q := Questionnaire{Usefulness: 9, Purposes: []Purpose{"x"}, Financial: []FinancialSupport{"x"}, NonFinancial: []NonFinancialSupport{"x"}}
	for _, p := range Problems(q.Validate()) {
		if _, ok := FieldLabel(p.Field); !ok {
			t.Errorf("Validate names %q, which has no label", p.Field)
		}
	}
	a := PhoneAnswers{Received: "maybe", Rating: 9, Useful: "x", Interested: "x", Instruments: []FinancialSupport{"x"}}
	for _, p := range Problems(a.Validate()) {
		if _, ok := FieldLabel(p.Field); !ok {
			t.Errorf("PhoneAnswers.Validate names %q, which has no label", p.Field)
		}
	}
}
