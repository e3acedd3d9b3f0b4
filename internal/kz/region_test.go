package kz

import (
	"errors"
	"slices"
	"testing"

	"esep/internal/i18n"
)

// TestRegions checks the 20 current regions against reference-kz.md §3.2
// (codes from goszakup.gov.kz getKato and FindWorkBot const.py; ISO codes
// from pycountry iso3166-2.json, which since 2023 are the KATO prefixes).
func TestRegions(t *testing.T) {
	want := []string{"10", "11", "15", "19", "23", "27", "31", "33", "35", "39",
		"43", "47", "55", "59", "61", "62", "63", "71", "75", "79"}
	checkRegionList(t, Regions(), want)
	r, ok := RegionByCode("710000000")
	if !ok || r.Name.EN != "Astana city" || r.Name.RU != "город Астана" || r.Name.KK != "Астана қаласы" || r.Center != "" {
		t.Errorf("RegionByCode(710000000) = %+v, %v", r, ok)
	}
	if r, _ := RegionByCode("190000000"); r.Center != "Konaev" {
		t.Errorf("Almaty Region centre = %q, want Konaev since 2022", r.Center)
	}
	if r, _ := RegionByCode("620000000"); r.Name.In(i18n.KK) != "Ұлытау облысы" {
		t.Errorf("Ulytau kk name = %q", r.Name.KK)
	}
}

// TestRegions2019 checks the 17 regions of 2019 (reference-kz.md §3.3).
func TestRegions2019(t *testing.T) {
	want := []string{"11", "15", "19", "23", "27", "31", "35", "39", "43", "47",
		"55", "59", "61", "63", "71", "75", "79"}
	list := Regions2019()
	checkRegionList(t, list, want)
	byCode := map[string]Region{}
	for _, r := range list {
		byCode[r.Code] = r
	}
	tests := []struct{ code, en, center string }{
		{"710000000", "Nur-Sultan city", ""},           // capital's name in 2019
		{"610000000", "Turkestan Region", "Turkistan"}, // renamed from South Kazakhstan in 2018
		{"190000000", "Almaty Region", "Taldykorgan"},  // before the 2022 split
	}
	for _, tt := range tests {
		if r := byCode[tt.code]; r.Name.EN != tt.en || r.Center != tt.center {
			t.Errorf("2019 %s = %+v, want %s, centre %q", tt.code, r, tt.en, tt.center)
		}
	}
	// RegionByCode prefers the current name of a code in both lists.
	if r, _ := RegionByCode("710000000"); r.Name.EN != "Astana city" {
		t.Errorf("RegionByCode(71) = %s, want the current name", r.Name.EN)
	}
}

func checkRegionList(t *testing.T, list []Region, prefixes []string) {
	t.Helper()
	var got []string
	for _, r := range list {
		got = append(got, r.Code[:2])
		if r.Code != r.Code[:2]+"0000000" || r.ISO != "KZ-"+r.Code[:2] {
			t.Errorf("region %+v: code or ISO malformed", r)
		}
		if r.Name.KK == "" || r.Name.RU == "" || r.Name.EN == "" {
			t.Errorf("region %s: a name is missing: %+v", r.Code, r.Name)
		}
		if _, ok := RegionByCode(r.Code); !ok {
			t.Errorf("RegionByCode(%s) not found", r.Code)
		}
	}
	if !slices.Equal(got, prefixes) {
		t.Errorf("region prefixes = %v, want %v", got, prefixes)
	}
}

func TestRegionsAreCopies(t *testing.T) {
	Regions()[0].Name.EN = "changed"
	if Regions()[0].Name.EN == "changed" {
		t.Error("Regions returned the package's own slice")
	}
}

func TestRegionOf(t *testing.T) {
	tests := []struct {
		in, want string
		ok       bool
	}{
		{"710000000", "710000000", true},
		{"751010000", "750000000", true},
		{"101033100", "100000000", true}, // an Abai village, recoded in 2022
		{"621039100", "620000000", true}, // an Ulytau settlement
		{"510000000", "510000000", true}, // any 9 digits: existence is RegionByCode's question
		{"71000000", "", false},
		{"7100000000", "", false},
		{"71000000a", "", false},
		{" 71000000", "", false},
		{"", "", false},
	}
	for _, tt := range tests {
		got, err := RegionOf(tt.in)
		if got != tt.want || (err == nil) != tt.ok {
			t.Errorf("RegionOf(%q) = %q, %v; want %q, ok %v", tt.in, got, err, tt.want, tt.ok)
		}
		var e *KATOError
		if err != nil && (!errors.As(err, &e) || e.Code != KATOFormat) {
			t.Errorf("RegionOf(%q): error %v, want *KATOError kato_format", tt.in, err)
		}
		if (ValidKATO(tt.in) == nil) != tt.ok {
			t.Errorf("ValidKATO(%q) = %v", tt.in, ValidKATO(tt.in))
		}
	}
	if _, ok := RegionByCode("510000000"); ok {
		t.Error("RegionByCode(510000000) found a region; 51 is in neither list")
	}
	if _, ok := RegionByCode("71"); ok {
		t.Error("RegionByCode takes 9-digit codes only")
	}
	e := &KATOError{Value: "7", Code: KATOFormat}
	for _, lang := range i18n.Langs {
		if !i18n.Has(lang, e.Key()) {
			t.Errorf("%s: key %s missing", lang, e.Key())
		}
	}
}
