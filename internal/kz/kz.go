// Package kz holds the facts about Kazakhstan that esep depends on: IIN and
// BIN numbers, KATO regions and settlements, OKED sections, legal forms and
// entrepreneur categories, the working-day calendar, and the folding of
// Kazakh letters used to match names. The sources of each fact are in
// ../shared/reference-kz.md; what is marked unconfirmed there is kept as
// data that an administrator can replace, not as a constant in code.
package kz

import (
	"time"

	"esep/internal/i18n"
)

// Names is a name in the three languages of esep.
type Names struct {
	KK string `json:"kk"`
	RU string `json:"ru"`
	EN string `json:"en"`
}

// In returns the name in lang, falling back to Russian, then English, when
// a translation is missing.
func (n Names) In(lang i18n.Lang) string {
	switch {
	case lang == i18n.KK && n.KK != "":
		return n.KK
	case lang == i18n.EN && n.EN != "":
		return n.EN
	case n.RU != "":
		return n.RU
	}
	return n.EN
}

// Settlement is one entry of the KATO classifier below the region level.
type Settlement struct {
	Code string // 9 digits
	Name Names
}

// Zone is Kazakhstan's single time zone, UTC+5 since 1 March 2024, in
// which esep reads civil dates from instants. Earlier instants written
// with their own offset keep it; only the reading of "which day" uses this.
var Zone = time.FixedZone("UTC+5", 5*3600)

// Today is the current date in Kazakhstan, at 00:00 UTC like every civil
// date in esep.
func Today() time.Time {
	y, m, d := time.Now().In(Zone).Date()
	return Date(y, m, d)
}
