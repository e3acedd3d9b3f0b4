package auth

import (
	"strings"
	"unicode/utf8"
)

// Personal data (IIN, names of persons, phones, e-mail) is shown masked to
// a user who lacks ReadPersonal, and in every list: enough to tell records
// apart, not enough to identify a person.

// MaskIIN keeps the last 4 digits: "********0011".
func MaskIIN(s string) string {
	if len(s) <= 4 {
		return strings.Repeat("*", len(s))
	}
	return strings.Repeat("*", len(s)-4) + s[len(s)-4:]
}

// MaskName keeps the surname's first letter and the initials:
// "Қасымова Әсем Серікқызы" → "Қ******** Ә. С.".
func MaskName(s string) string {
	words := strings.Fields(s)
	for i, w := range words {
		r, size := utf8.DecodeRuneInString(w)
		if i == 0 {
			words[i] = string(r) + strings.Repeat("*", max(utf8.RuneCountInString(w[size:]), 3))
		} else {
			words[i] = string(r) + "."
		}
	}
	return strings.Join(words, " ")
}

// MaskPhone keeps the country and operator code and the last two digits:
// "+77011234567" → "+7701*****67".
func MaskPhone(s string) string {
	if len(s) < 8 {
		return strings.Repeat("*", len(s))
	}
	return s[:5] + strings.Repeat("*", len(s)-7) + s[len(s)-2:]
}

// MaskEmail keeps the first letter and the domain: "a***@mail.kz".
func MaskEmail(s string) string {
	at := strings.LastIndexByte(s, '@')
	if at < 1 {
		return strings.Repeat("*", len(s))
	}
	r, _ := utf8.DecodeRuneInString(s)
	return string(r) + "***" + s[at:]
}
