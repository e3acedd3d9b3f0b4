package kz

import "testing"

func TestFoldName(t *testing.T) {
	tests := []struct{ name, in, want string }{
		{"case and spaces", "  ИВАНОВ   Иван\tИванович ", "иванов иван иванович"},
		{"no-break space", "Иванов\u00a0Иван", "иванов иван"},
		{"newline", "Иванов\nИван", "иванов иван"},
		// Kazakh letters and their Russian look-alikes (spec §3).
		{"Қ", "Қасымов", "касымов"},
		{"all Kazakh letters", "ӘҒҚҢӨҰҮҺІ әғқңөұүһі", "агкноуухи агкноуухи"},
		{"Kazakh name", "Әсемгүл Нұрланқызы Жұмабаева", "асемгул нурланкызы жумабаева"},
		{"Ғ and Ң", "Ғаниев Кеңес", "ганиев кенес"},
		{"ё", "Семёнов Пётр", "семенов петр"},
		{"Ё", "ЁЛКИН", "елкин"},
		{"decomposed ё", "Семе\u0308нов", "семенов"},
		{"decomposed й", "Нии\u0306ков", "нийков"},
		// Latin look-alikes in a Cyrillic word are read as Cyrillic.
		{"Latin A", "Aсанов", "асанов"},
		{"Latin o and e", "Сepик Кoжаxмeтoв", "серик кожахметов"},
		{"Latin i", "Әлiбек", "алибек"},
		{"Latin K upper", "Kазбек", "казбек"},
		// A word written in Latin stays Latin; Cyrillic look-alikes in it
		// are read as Latin.
		{"Latin word", "Asanov Serik", "asanov serik"},
		{"Cyrillic а in Latin word", "Аsanov", "asanov"},
		{"no transliteration", "Asanov", "asanov"},
		{"mixed words", "Aсанов Serik", "асанов serik"},
		{"hyphenated", "Мұхаммед-Әлі", "мухаммед-али"},
		{"empty", "", ""},
		{"only spaces", " \t ", ""},
	}
	for _, tt := range tests {
		if got := FoldName(tt.in); got != tt.want {
			t.Errorf("%s: FoldName(%q) = %q, want %q", tt.name, tt.in, got, tt.want)
		}
	}
}

// TestFoldNameSamePerson checks pairs that must fold to the same key.
func TestFoldNameSamePerson(t *testing.T) {
	pairs := [][2]string{
		{"Қасымов Қайрат", "Касымов Кайрат"},
		{"Нұрсұлтан Әбішұлы", "Нурсултан Абишулы"},
		{"Семёнова Алёна", "Семенова Алена"},
		{"ТӨЛЕГЕНОВА  Гүлнар", "Толегенова Гулнар"},
		{"Ахмeтов", "Ахметов"}, // Latin e
	}
	for _, p := range pairs {
		if FoldName(p[0]) != FoldName(p[1]) {
			t.Errorf("FoldName(%q) = %q, FoldName(%q) = %q; want equal", p[0], FoldName(p[0]), p[1], FoldName(p[1]))
		}
	}
	if FoldName("Иванов") == FoldName("Иванова") {
		t.Error("folding must not merge different names")
	}
}
