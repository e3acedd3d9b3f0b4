package kz

import (
	"strings"
	"unicode"
)

// FoldName returns the form of a person's full name that esep compares to
// tell whether two records are the same client when there is no IIN
// (spec/register-format.md §3). Two spellings that a person would read as
// the same name fold to the same string:
//
//   - Case is ignored and every run of white space (including no-break
//     spaces) becomes one space; leading and trailing space is dropped.
//   - Kazakh letters become their Russian look-alikes (Қ→к, Ғ→г, Ү→у, Ұ→у,
//     Ө→о, Ә→а, І→и, Ң→н, Һ→х), because the same name is typed with and
//     without the Kazakh keyboard layout: Қасымов and Касымов.
//   - Ё becomes е, because Russian text usually omits the diaeresis, so
//     Семёнов and Семенов are the same surname in different registers. A
//     decomposed ё (е + U+0308) and й (и + U+0306) are treated like the
//     composed letters.
//   - Latin letters that look like Cyrillic ones (A B C E H K M O P T X Y I,
//     a c e o p x y i h) are read as Cyrillic in a word that has more
//     Cyrillic letters than Latin ones, because such words come from
//     keyboards switched mid-word or from OCR, and look identical on
//     screen: "Aсанов" with a Latin A is Асанов. In a word with more Latin
//     letters the Cyrillic look-alikes are read as Latin instead, so a name
//     written in Latin letters stays Latin; a tie counts as Cyrillic,
//     because register names are normally Cyrillic. Latin is never
//     transliterated: "Asanov" and "Асанов" stay different.
//
// The result is for comparison only; never show it or store it in place of
// the name as written.
func FoldName(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	for i, word := range strings.Fields(s) {
		if i > 0 {
			b.WriteByte(' ')
		}
		foldWord(&b, word)
	}
	return b.String()
}

// latinToCyrillic maps Latin letters to the Cyrillic letters they are
// drawn like, case by case: lower-case b, k, m, n, t do not look like в,
// к, м, п, т, so they are left out.
var latinToCyrillic = map[rune]rune{
	'A': 'А', 'B': 'В', 'C': 'С', 'E': 'Е', 'H': 'Н', 'K': 'К', 'M': 'М',
	'O': 'О', 'P': 'Р', 'T': 'Т', 'X': 'Х', 'Y': 'У', 'I': 'І',
	'a': 'а', 'c': 'с', 'e': 'е', 'o': 'о', 'p': 'р', 'x': 'х', 'y': 'у',
	'i': 'і', 'h': 'һ',
}

var cyrillicToLatin = invert(latinToCyrillic)

func invert(m map[rune]rune) map[rune]rune {
	out := make(map[rune]rune, len(m))
	for k, v := range m {
		out[v] = k
	}
	return out
}

// kazakhFold maps lower-case Kazakh letters, and ё, to the Russian letters
// they are folded to.
var kazakhFold = map[rune]rune{
	'қ': 'к', 'ғ': 'г', 'ү': 'у', 'ұ': 'у', 'ө': 'о',
	'ә': 'а', 'і': 'и', 'ң': 'н', 'һ': 'х', 'ё': 'е',
}

const (
	combiningBreve     = '\u0306'
	combiningDiaeresis = '\u0308'
)

func foldWord(b *strings.Builder, word string) {
	cyr, lat := 0, 0
	for _, r := range word {
		switch {
		case unicode.Is(unicode.Cyrillic, r):
			cyr++
		case unicode.Is(unicode.Latin, r):
			lat++
		}
	}
	toCyrillic := cyr >= lat
	out := make([]rune, 0, len(word))
	for _, r := range word {
		switch r {
		case combiningDiaeresis:
			continue // ё → е anyway, and no other letter of a name needs it
		case combiningBreve:
			if n := len(out); n > 0 && out[n-1] == 'и' {
				out[n-1] = 'й'
			}
			continue
		}
		if toCyrillic {
			if c, ok := latinToCyrillic[r]; ok {
				r = c
			}
		} else if l, ok := cyrillicToLatin[r]; ok {
			r = l
		}
		r = unicode.ToLower(r)
		if f, ok := kazakhFold[r]; ok {
			r = f
		}
		out = append(out, r)
	}
	for _, r := range out {
		b.WriteRune(r)
	}
}
