// Package i18n holds esep's messages in Kazakh, Russian and English and turns
// a message key and its parameters into text in one of them.
//
// Each language has one catalog, built from the JSON files under
// locales/<lang>/ (one file per part of the program, so that packages do not
// fight over one file). A catalog is a flat object from key to text; a text
// names its parameters in braces, {column}, because word order differs
// between the languages. A key with plural forms is stored as key.one,
// key.few, key.many (Russian) or key.one, key.other (Kazakh, English).
// Domain code never holds translated text: it carries keys, and the edge of
// the program (CLI, HTTP) picks the language.
package i18n

import (
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strconv"
	"strings"
)

// Lang is a language code: "kk", "ru" or "en".
type Lang string

// The languages esep speaks. Kazakh is the default (DESIGN.md, Languages).
const (
	KK Lang = "kk"
	RU Lang = "ru"
	EN Lang = "en"
)

// Default is the language used when none is asked for.
const Default = KK

// Langs lists the supported languages in their display order.
var Langs = []Lang{KK, RU, EN}

//go:embed locales
var localeFS embed.FS

var catalogs = mustLoad(localeFS)

func mustLoad(fsys fs.FS) map[Lang]map[string]string {
	cats, err := load(fsys)
	if err != nil {
		panic(err) // the catalogs are embedded: a broken one is a build defect
	}
	return cats
}

func load(fsys fs.FS) (map[Lang]map[string]string, error) {
	cats := make(map[Lang]map[string]string)
	for _, lang := range Langs {
		cat := make(map[string]string)
		dir := path.Join("locales", string(lang))
		files, err := fs.Glob(fsys, dir+"/*.json")
		if err != nil {
			return nil, err
		}
		for _, f := range files {
			b, err := fs.ReadFile(fsys, f)
			if err != nil {
				return nil, err
			}
			var m map[string]string
			if err := json.Unmarshal(b, &m); err != nil {
				return nil, fmt.Errorf("i18n: %s: %w", f, err)
			}
			for k, v := range m {
				if _, dup := cat[k]; dup {
					return nil, fmt.Errorf("i18n: %s: key %q defined twice", f, k)
				}
				cat[k] = v
			}
		}
		cats[lang] = cat
	}
	return cats, nil
}

// Parse reads a language code such as "kk", "ru-RU" or "en_US.UTF-8" and
// reports whether esep speaks it.
func Parse(s string) (Lang, bool) {
	s = strings.ToLower(strings.TrimSpace(s))
	if i := strings.IndexAny(s, "-_.;,"); i >= 0 {
		s = s[:i]
	}
	switch Lang(s) {
	case KK, RU, EN:
		return Lang(s), true
	case "kz":
		return KK, true
	}
	return "", false
}

// T returns the text of key in lang with its parameters filled in. Params
// come in name, value pairs. A key missing from lang falls back to English,
// then to the key itself, so a missing translation shows as a visible key
// rather than an empty string (and the catalog test catches it first).
func T(lang Lang, key string, params ...any) string {
	text, ok := catalogs[lang][key]
	if !ok {
		if text, ok = catalogs[EN][key]; !ok {
			text = key
		}
	}
	return fill(text, params)
}

// N returns the plural form of key for the count n, with {n} and params
// filled in.
func N(lang Lang, key string, n int, params ...any) string {
	params = append(params, "n", n)
	return T(lang, key+"."+PluralForm(lang, n), params...)
}

// PluralForm gives the CLDR plural category of n in lang for whole numbers:
// "one", "few", "many" for Russian; "one", "other" for Kazakh and English.
func PluralForm(lang Lang, n int) string {
	if n < 0 {
		n = -n
	}
	switch lang {
	case RU:
		switch {
		case n%10 == 1 && n%100 != 11:
			return "one"
		case n%10 >= 2 && n%10 <= 4 && (n%100 < 12 || n%100 > 14):
			return "few"
		default:
			return "many"
		}
	default:
		if n == 1 {
			return "one"
		}
		return "other"
	}
}

func fill(text string, params []any) string {
	if len(params) == 0 || !strings.Contains(text, "{") {
		return text
	}
	pairs := make([]string, 0, len(params))
	for i := 0; i+1 < len(params); i += 2 {
		name := fmt.Sprint(params[i])
		var val string
		switch v := params[i+1].(type) {
		case string:
			val = v
		case int:
			val = strconv.Itoa(v)
		default:
			val = fmt.Sprint(v)
		}
		pairs = append(pairs, "{"+name+"}", val)
	}
	return strings.NewReplacer(pairs...).Replace(text)
}

// Keys returns every key of lang's catalog, sorted.
func Keys(lang Lang) []string {
	keys := make([]string, 0, len(catalogs[lang]))
	for k := range catalogs[lang] {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// Has reports whether lang's catalog defines key.
func Has(lang Lang, key string) bool {
	_, ok := catalogs[lang][key]
	return ok
}

// Error renders err in lang when it knows its message: an error with a
// Localize method (one that lists several problems), or one with a message
// key and parameters (Key, Params) anywhere in its chain. ok is false for
// an error esep has no message for; the caller then shows err.Error().
func Error(lang Lang, err error) (text string, ok bool) {
	var self interface{ Localize(Lang) string }
	if errors.As(err, &self) {
		return self.Localize(lang), true
	}
	var keyed interface {
		error
		Key() string
		Params() []any
	}
	if errors.As(err, &keyed) && Has(lang, keyed.Key()) {
		return T(lang, keyed.Key(), keyed.Params()...), true
	}
	return "", false
}
