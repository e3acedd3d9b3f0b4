package report

import (
	"strings"

	"esep/internal/i18n"
	"esep/internal/kz"
	"esep/internal/register"
)

// The kinds of code a report names.
const (
	NameRegion    = "region"
	NameSection   = "oked_section"
	NameLegalForm = "legal_form"
	NameCategory  = "entrepreneur_category"
	NameGender    = "gender"
	NameAgeBand   = "age_band"
	NameService   = "service_code"
	NameReason    = "reason"
)

var serviceNames = func() map[string]map[string]string {
	m := map[string]map[string]string{}
	for _, s := range register.DefaultServices() {
		m[s.Code] = s.Name
		for _, st := range s.Subtypes {
			m[st.Code] = st.Name
		}
	}
	return m
}()

// Name gives the name of a code in lang, for a table's key column: a region
// for its KATO code, a section for its letter, and so on. An empty code
// reads "not stated"; a code esep does not know is shown as it is.
func Name(lang i18n.Lang, kind, code string) string {
	if code == "" {
		return i18n.T(lang, "doc.unspecified")
	}
	switch kind {
	case NameRegion:
		if r, ok := kz.RegionByCode(code); ok {
			return r.Name.In(lang)
		}
	case NameSection:
		if s, ok := kz.SectionByLetter(code); ok {
			return code + " — " + s.Name.In(lang)
		}
	case NameLegalForm:
		if f, ok := kz.LegalFormByCode(code); ok {
			return f.Name.In(lang)
		}
	case NameCategory:
		if c, ok := kz.CategoryByCode(code); ok {
			return c.Name.In(lang)
		}
	case NameGender:
		return i18n.T(lang, "gender."+code)
	case NameAgeBand:
		return i18n.T(lang, "age_band."+code)
	case NameReason:
		return i18n.T(lang, "exclusion."+code)
	case NameService:
		if n, ok := serviceNames[code]; ok && n[string(lang)] != "" {
			return n[string(lang)]
		}
	}
	return code
}

// ConclusionText renders a conclusion in lang: the analyst's edit when there
// is one, else the generated observation.
func ConclusionText(c Conclusion, lang i18n.Lang) string {
	if t := c.Edited[string(lang)]; t != "" {
		return t
	}
	params := make([]any, 0, 2*len(c.Params))
	for k, v := range c.Params {
		// Codes are kept as codes, so the same observation reads right in
		// every language: a region or a reason is named at rendering.
		switch k {
		case "region":
			v = Name(lang, NameRegion, v)
		case "reason":
			v = Name(lang, NameReason, v)
		case "regions":
			var names []string
			for _, code := range strings.Split(v, ",") {
				names = append(names, Name(lang, NameRegion, code))
			}
			v = strings.Join(names, ", ")
		}
		params = append(params, k, v)
	}
	return i18n.T(lang, c.Key, params...)
}

// VersionLine is the line that says which report this is: its version and
// status, or that it is a live draft never saved, with when it was made.
func VersionLine(r *Report, lang i18n.Lang, generated string) string {
	status := i18n.T(lang, "doc.status."+string(r.Status))
	if r.Version == 0 {
		return i18n.T(lang, "doc.report.unsaved", "generated", generated)
	}
	return i18n.T(lang, "doc.report.version", "version", r.Version, "status", status, "generated", generated)
}
