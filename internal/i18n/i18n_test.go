package i18n

import (
	"regexp"
	"sort"
	"strings"
	"testing"
)

// TestCatalogsComplete checks that every key exists in every language with
// the same parameters, and that plural keys have every form their language
// needs.
func TestCatalogsComplete(t *testing.T) {
	all := map[string]bool{}
	for _, lang := range Langs {
		for _, k := range Keys(lang) {
			all[baseKey(k)] = true
		}
	}
	param := regexp.MustCompile(`\{[a-z_]+\}`)
	for base := range all {
		var plural bool
		for _, lang := range Langs {
			if Has(lang, base+".one") {
				plural = true
			}
		}
		for _, lang := range Langs {
			if !plural {
				if !Has(lang, base) {
					t.Errorf("%s: key %q missing", lang, base)
				}
				continue
			}
			forms := []string{"one", "other"}
			if lang == RU {
				forms = []string{"one", "few", "many"}
			}
			for _, f := range forms {
				if !Has(lang, base+"."+f) {
					t.Errorf("%s: plural key %q missing form %q", lang, base, f)
				}
			}
		}
		if plural {
			continue
		}
		want := params(param, T(EN, base))
		for _, lang := range []Lang{KK, RU} {
			if got := params(param, T(lang, base)); got != want {
				t.Errorf("%s: key %q has parameters %s, English has %s", lang, base, got, want)
			}
		}
	}
}

func baseKey(k string) string {
	for _, f := range []string{".one", ".few", ".many", ".other"} {
		if strings.HasSuffix(k, f) {
			return strings.TrimSuffix(k, f)
		}
	}
	return k
}

func params(re *regexp.Regexp, s string) string {
	p := re.FindAllString(s, -1)
	sort.Strings(p)
	return strings.Join(p, ",")
}

func TestPluralForm(t *testing.T) {
	tests := []struct {
		lang Lang
		n    int
		want string
	}{
		{RU, 1, "one"}, {RU, 21, "one"}, {RU, 11, "many"}, {RU, 2, "few"},
		{RU, 24, "few"}, {RU, 12, "many"}, {RU, 5, "many"}, {RU, 0, "many"},
		{RU, 111, "many"}, {RU, 101, "one"},
		{KK, 1, "one"}, {KK, 2, "other"}, {EN, 1, "one"}, {EN, 0, "other"},
	}
	for _, tt := range tests {
		if got := PluralForm(tt.lang, tt.n); got != tt.want {
			t.Errorf("PluralForm(%s, %d) = %s, want %s", tt.lang, tt.n, got, tt.want)
		}
	}
}

func TestParse(t *testing.T) {
	tests := map[string]Lang{"kk": KK, "ru-RU": RU, "en_US.UTF-8": EN, "KZ": KK, " ru ": RU}
	for in, want := range tests {
		if got, ok := Parse(in); !ok || got != want {
			t.Errorf("Parse(%q) = %q, %v; want %q", in, got, ok, want)
		}
	}
	if _, ok := Parse("de"); ok {
		t.Error("Parse(de) accepted a language esep does not speak")
	}
}

func TestFill(t *testing.T) {
	got := fill("{column}: {value} ({column})", []any{"column", "start_date", "value", 3})
	if want := "start_date: 3 (start_date)"; got != want {
		t.Errorf("fill = %q, want %q", got, want)
	}
}
