package kz

import (
	_ "embed"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
)

// Section is a section of OKED (ОКЭД / ЭҚЖЖ, НК РК 03-2019), the general
// classifier of economic activities. It is harmonised with NACE Rev.2, so
// its sections and 2-digit divisions are NACE's (reference-kz.md §4).
type Section struct {
	Letter string `json:"letter"` // A–U
	From   int    `json:"from"`   // first division, e.g. 10 for C
	To     int    `json:"to"`     // last division, e.g. 33 for C
	Name   Names  `json:"name"`
}

// The sections are data, not code: their Russian and Kazakh names are
// unconfirmed (written from memory of the ОКЭД wording) and must be checked
// against the official file of stat.gov.kz; oked.json is where to correct
// them.
//
//go:embed oked.json
var okedJSON []byte

var sections = mustLoadSections(okedJSON)

func mustLoadSections(b []byte) []Section {
	var f struct {
		About    string    `json:"about"`
		Sections []Section `json:"sections"`
	}
	if err := json.Unmarshal(b, &f); err != nil {
		panic("kz: oked.json: " + err.Error()) // embedded: a broken file is a build defect
	}
	last := 0
	for _, s := range f.Sections {
		if len(s.Letter) != 1 || s.From <= last || s.To < s.From || s.To > 99 {
			panic(fmt.Sprintf("kz: oked.json: section %q has a bad or overlapping division range", s.Letter))
		}
		last = s.To
	}
	return f.Sections
}

// Sections returns the 21 OKED sections A–U in order. The slice is a copy.
func Sections() []Section { return slices.Clone(sections) }

// SectionByLetter finds a section by its capital letter.
func SectionByLetter(letter string) (Section, bool) {
	for _, s := range sections {
		if s.Letter == letter {
			return s, true
		}
	}
	return Section{}, false
}

// SectionOfDivision returns the section that a 2-digit division belongs
// to. Divisions that do not exist in NACE Rev.2 (00, 04, 34, 40, 44, 48,
// 54, 57, 67, 76, 83, 89) belong to none and return false. Within a
// section's range every division exists, so the ranges are enough.
func SectionOfDivision(div int) (Section, bool) {
	for _, s := range sections {
		if s.From <= div && div <= s.To {
			return s, true
		}
	}
	return Section{}, false
}

// NormalizeOKED returns an OKED code as esep stores it: without the dots
// of its written form ("62.01.0" → "62010") and surrounding spaces.
func NormalizeOKED(code string) string {
	return strings.ReplaceAll(strings.TrimSpace(code), ".", "")
}

// CheckOKED checks the register's oked_section and oked_code columns
// together: code, after NormalizeOKED, must be 2 to 5 digits (division,
// group, class or national subclass), and its first two digits must be a
// division of the section. The section letter may have surrounding spaces
// and be lower case. It returns an *OKEDError with code oked_format,
// oked_unknown_section, oked_unknown_division or oked_section_mismatch.
// An empty code is a format error: whether the column is required is the
// register's business, so call this only when it is filled.
func CheckOKED(section, code string) error {
	letter := strings.ToUpper(strings.TrimSpace(section))
	n := NormalizeOKED(code)
	if len(n) < 2 || len(n) > 5 || strings.IndexFunc(n, func(r rune) bool { return !isDigit(r) }) >= 0 {
		return &OKEDError{Section: letter, Value: code, Code: OKEDFormat}
	}
	sec, ok := SectionByLetter(letter)
	if !ok {
		return &OKEDError{Section: letter, Value: code, Code: OKEDUnknownSection}
	}
	div, ok := SectionOfDivision(digits2(n, 0))
	if !ok {
		return &OKEDError{Section: letter, Value: code, Code: OKEDUnknownDivision}
	}
	if div.Letter != sec.Letter {
		return &OKEDError{Section: letter, Value: code, Code: OKEDSectionMismatch, Want: div.Letter}
	}
	return nil
}

// OKEDErrorCode says what is wrong with an OKED section and code. The
// codes are stable: they are stored with validation findings.
type OKEDErrorCode string

// The ways an OKED section and code can be wrong.
const (
	OKEDFormat          OKEDErrorCode = "oked_format"           // code is not 2–5 digits
	OKEDUnknownSection  OKEDErrorCode = "oked_unknown_section"  // section is not a letter A–U
	OKEDUnknownDivision OKEDErrorCode = "oked_unknown_division" // first two digits are no division
	OKEDSectionMismatch OKEDErrorCode = "oked_section_mismatch" // the division is in another section
)

// OKEDError reports an invalid OKED section and code, with a code and an
// i18n key.
type OKEDError struct {
	Section string // the section letter as checked (trimmed, upper case)
	Value   string // the code as given
	Code    OKEDErrorCode
	Want    string // for oked_section_mismatch: the section the division is in
}

// Error returns the problem in English, for logs and tests.
func (e *OKEDError) Error() string {
	switch e.Code {
	case OKEDFormat:
		return fmt.Sprintf("kz: OKED code %q must be 2 to 5 digits", e.Value)
	case OKEDUnknownSection:
		return fmt.Sprintf("kz: OKED section %q is not a letter A to U", e.Section)
	case OKEDUnknownDivision:
		return fmt.Sprintf("kz: OKED code %q does not start with an existing division", e.Value)
	default:
		return fmt.Sprintf("kz: OKED code %q is in section %s, not %s", e.Value, e.Want, e.Section)
	}
}

// Key returns the i18n key of the message, e.g. "kz.oked.section_mismatch".
func (e *OKEDError) Key() string {
	return "kz.oked." + strings.TrimPrefix(string(e.Code), "oked_")
}

// Params returns the message parameters as name, value pairs for i18n.T.
func (e *OKEDError) Params() []any {
	return []any{"section", e.Section, "code", e.Value, "want", e.Want}
}
