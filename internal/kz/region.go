package kz

import (
	_ "embed"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
)

// Region is a top-level unit of the KATO classifier: an oblast or a city
// of republican significance (reference-kz.md §3).
type Region struct {
	Code   string `json:"code"`   // 9 digits, AB0000000
	ISO    string `json:"iso"`    // ISO 3166-2:KZ code, e.g. KZ-71
	Name   Names  `json:"name"`   // official name in kk, ru, en
	Center string `json:"center"` // administrative centre, romanised; empty for the three cities
}

// The region lists are data, not code, because some of their names and
// dates are unconfirmed (the Russian names of Abai, Zhetysu and Ulytau; the
// 2019 code of Turkestan Region; the dates of the capital's renamings): the
// notes in regions.json say which. A correction is an edit of that file.
//
//go:embed regions.json
var regionsJSON []byte

var regionsCurrent, regions2019 = mustLoadRegions(regionsJSON)

func mustLoadRegions(b []byte) (current, y2019 []Region) {
	var f struct {
		About   string   `json:"about"`
		Current []region `json:"current"`
		Y2019   []region `json:"2019"`
	}
	if err := json.Unmarshal(b, &f); err != nil {
		panic("kz: regions.json: " + err.Error()) // embedded: a broken file is a build defect
	}
	for _, list := range [][]region{f.Current, f.Y2019} {
		for _, r := range list {
			if err := ValidKATO(r.Code); err != nil || r.Code[2:] != "0000000" {
				panic(fmt.Sprintf("kz: regions.json: %q is not a region code", r.Code))
			}
		}
	}
	return plainRegions(f.Current), plainRegions(f.Y2019)
}

// region is a Region as stored in regions.json, with its note.
type region struct {
	Region
	Note string `json:"note"`
}

func plainRegions(rs []region) []Region {
	out := make([]Region, len(rs))
	for i, r := range rs {
		out[i] = r.Region
	}
	return out
}

// Regions returns the 20 regions in force since 08.06.2022, ordered by
// code. The slice is a copy: changing it changes nothing here.
func Regions() []Region { return slices.Clone(regionsCurrent) }

// Regions2019 returns the 17 regions of 2019 (14 oblasts and the cities 71,
// 75, 79) with the names of that time, such as Nur-Sultan for 71, for
// reports on services of 2019–2022. Their ISO field is the current ISO code
// of the same KATO prefix. The slice is a copy.
func Regions2019() []Region { return slices.Clone(regions2019) }

// RegionByCode finds a region by its 9-digit code (AB0000000), first in
// the current list, then in the 2019 list, so a current code gets its
// current name.
func RegionByCode(code string) (Region, bool) {
	for _, list := range [][]Region{regionsCurrent, regions2019} {
		for _, r := range list {
			if r.Code == code {
				return r, true
			}
		}
	}
	return Region{}, false
}

// RegionOf returns the region code (AB0000000) that a 9-digit KATO code of
// a settlement, district or region belongs to. It does not check that the
// region exists (use RegionByCode for that), because a code of 2019 may
// name a region that the current list has not. It returns a *KATOError if
// kato is not 9 digits.
func RegionOf(kato string) (string, error) {
	if err := ValidKATO(kato); err != nil {
		return "", err
	}
	return kato[:2] + "0000000", nil
}

// ValidKATO checks that code has the shape of a KATO code: exactly 9 ASCII
// digits (AB CD EF HIJ). It returns a *KATOError otherwise. Whether the
// code exists in the classifier is a question for the settlement table.
func ValidKATO(code string) error {
	if len(code) != 9 {
		return &KATOError{Value: code, Code: KATOFormat}
	}
	for i := 0; i < len(code); i++ {
		if !isDigit(rune(code[i])) {
			return &KATOError{Value: code, Code: KATOFormat}
		}
	}
	return nil
}

// KATOErrorCode says what is wrong with a KATO code. Codes are stable.
type KATOErrorCode string

// KATOFormat means the value is not 9 digits.
const KATOFormat KATOErrorCode = "kato_format"

// KATOError reports an invalid KATO code, with a code and an i18n key.
type KATOError struct {
	Value string
	Code  KATOErrorCode
}

// Error returns the problem in English, for logs and tests.
func (e *KATOError) Error() string {
	return fmt.Sprintf("kz: KATO code %q must be 9 digits", e.Value)
}

// Key returns the i18n key of the message, e.g. "kz.kato.format".
func (e *KATOError) Key() string { return "kz.kato." + strings.TrimPrefix(string(e.Code), "kato_") }

// Params returns the message parameters as name, value pairs for i18n.T.
func (e *KATOError) Params() []any { return []any{"code", e.Value} }
