package kz

import (
	"errors"
	"strings"
	"testing"
	"time"

	"esep/internal/i18n"
)

func TestNormalize(t *testing.T) {
	tests := []struct{ in, want string }{
		{"830717350867", "830717350867"},
		{" 830717 350867 ", "830717350867"},
		{"830\t717\u00a0350\u202f867", "830717350867"},
		{"830717-350867", "830717350867"},
		{"8307-1735-0867", "830717350867"},
		{"830717 - 350867", "830717350867"},     // spaces around the hyphen go first
		{"830717\u2013350867", "830717350867"},  // en dash from a word processor
		{"-830717350867", "-830717350867"},      // not between digits: kept
		{"830717350867-", "830717350867-"},      // idem
		{"83071735086-x", "83071735086-x"},      // idem
		{"830717--350867", "830717--350867"},    // a double hyphen is not a separator
		{"\ufeff830717350867", "830717350867"},  // stray BOM
		{"BIN 961141000023", "BIN961141000023"}, // letters are left for the parser to reject
		{"", ""},
	}
	for _, tt := range tests {
		if got := Normalize(tt.in); got != tt.want {
			t.Errorf("Normalize(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

// TestParseIDPublished checks the published numbers whose check digit
// needs the second pass of the algorithm. Source: reference-kz.md §1.2,
// "Among public test numbers, some need the second pass: 23 BINs (for
// example 961141000023, 011140001654) and 3 IINs (830717350867,
// 061211600012, 040412500083)" (the BINs are from the python-stdnum PR #322
// list, which cites the OECD Kazakhstan TIN document). Digit 5 decides the
// kind (§1.1): 4 in both BINs, 1 in the IINs.
func TestParseIDPublished(t *testing.T) {
	tests := []struct {
		number string
		want   ID
	}{
		{"961141000023", ID{Number: "961141000023", Kind: KindBIN,
			BIN: &BIN{Number: "961141000023", Year: 1996, Month: 11, Type: 4, Attribute: 1}}}, // resident entity, branch
		{"011140001654", ID{Number: "011140001654", Kind: KindBIN,
			BIN: &BIN{Number: "011140001654", Year: 2001, Month: 11, Type: 4, Attribute: 0}}}, // resident entity, head unit
		{"830717350867", ID{Number: "830717350867", Kind: KindIIN,
			IIN: &IIN{Number: "830717350867", BirthDate: Date(1983, 7, 17), Gender: Male}}}, // digit 7 = 3: man, 1900s
		{"061211600012", ID{Number: "061211600012", Kind: KindIIN,
			IIN: &IIN{Number: "061211600012", BirthDate: Date(2006, 12, 11), Gender: Female}}}, // 6: woman, 2000s
		{"040412500083", ID{Number: "040412500083", Kind: KindIIN,
			IIN: &IIN{Number: "040412500083", BirthDate: Date(2004, 4, 12), Gender: Male}}}, // 5: man, 2000s
		// A real-world IIN with digit 7 = 2, a woman born in the 1800s:
		// real numbers break the century rule but are still valid
		// (reference-kz.md §1.1, "790327250010"). Its check digit is a
		// first-pass one.
		{"790327250010", ID{Number: "790327250010", Kind: KindIIN,
			IIN: &IIN{Number: "790327250010", BirthDate: Date(1879, 3, 27), Gender: Female}}},
	}
	for _, tt := range tests {
		// The first pass gives 10 for the five numbers of §1.2.
		if tt.number != "790327250010" && firstPass(tt.number) != 10 {
			t.Errorf("%s: first pass = %d, want 10 (a second-pass number)", tt.number, firstPass(tt.number))
		}
		got, err := ParseID(tt.number)
		if err != nil {
			t.Errorf("ParseID(%s): %v", tt.number, err)
			continue
		}
		if !sameID(got, tt.want) {
			t.Errorf("ParseID(%s) = %+v %+v %+v, want %+v %+v %+v", tt.number, got, got.IIN, got.BIN, tt.want, tt.want.IIN, tt.want.BIN)
		}
		switch tt.want.Kind {
		case KindIIN:
			if _, err := ParseIIN(tt.number); err != nil {
				t.Errorf("ParseIIN(%s): %v", tt.number, err)
			}
		case KindBIN:
			if _, err := ParseBIN(tt.number); err != nil {
				t.Errorf("ParseBIN(%s): %v", tt.number, err)
			}
		}
	}
}

func firstPass(n string) int {
	s := 0
	for i := 0; i < 11; i++ {
		s += int(n[i]-'0') * (i + 1)
	}
	return s % 11
}

func sameID(a, b ID) bool {
	if a.Number != b.Number || a.Kind != b.Kind || (a.IIN == nil) != (b.IIN == nil) || (a.BIN == nil) != (b.BIN == nil) {
		return false
	}
	if a.IIN != nil && (a.IIN.Number != b.IIN.Number || !a.IIN.BirthDate.Equal(b.IIN.BirthDate) || a.IIN.Gender != b.IIN.Gender) {
		return false
	}
	return a.BIN == nil || *a.BIN == *b.BIN
}

func TestParseErrors(t *testing.T) {
	tests := []struct {
		name  string
		parse func(string) error
		in    string
		want  IDErrorCode
	}{
		{"short", parseID, "83071735086", IDLength},
		{"long", parseID, "8307173508670", IDLength},
		{"empty", parseID, "", IDLength},
		{"letter", parseID, "83071735086x", IDNotDigits},
		{"leading hyphen", parseID, "-83071735086", IDNotDigits},
		{"full-width digits", parseID, "８３０７１７３５０８６７", IDLength},
		// 83071730013 gives 10 in both passes, whatever the 12th digit.
		{"never issued", parseID, "830717300135", IDNeverIssued},
		{"never issued 0", parseID, "830717300130", IDNeverIssued},
		{"never issued BIN", parseID, "190140000070", IDNeverIssued},
		// The published IIN with its last digit changed.
		{"check digit", parseID, "830717350868", IDCheckDigit},
		{"check digit BIN", parseID, "961141000024", IDCheckDigit},
		{"transposed digits", parseID, "830717358067", IDCheckDigit},
		// The rest have a correct check digit and a bad structure.
		{"century 0", parseID, "830717050800", IDCentury},
		{"century 7", parseID, "830717750805", IDCentury},
		{"30 February", parseID, "830230350802", IDBirthDate},
		{"29 February 1983", parseID, "830229350807", IDBirthDate},
		{"BIN month 13", parseID, "191340000109", IDBINMonth},
		{"digit 5 is 7", parseID, "190170000102", IDBINType},
		{"BIN attribute 5", parseID, "190145000106", IDBINAttribute},
		// Parsing as the wrong kind fails on the structure.
		{"BIN as IIN", parseIIN, "961141000023", IDCentury},           // digit 7 is 0
		{"BIN as IIN, day 40", parseIIN, "190140100016", IDBirthDate}, // digit 7 is 1, day 40
		{"IIN as BIN", parseBIN, "830717350867", IDBINType},
		{"IIN check digit", parseIIN, "830717350868", IDCheckDigit},
		{"BIN length", parseBIN, "96114100002", IDLength},
	}
	for _, tt := range tests {
		err := tt.parse(tt.in)
		var e *IDError
		if !errors.As(err, &e) {
			t.Errorf("%s: %q: error %v, want *IDError %s", tt.name, tt.in, err, tt.want)
			continue
		}
		if e.Code != tt.want {
			t.Errorf("%s: %q: code %s, want %s (%v)", tt.name, tt.in, e.Code, tt.want, err)
		}
		if got := errors.Is(err, ErrNeverIssued); got != (tt.want == IDNeverIssued) {
			t.Errorf("%s: errors.Is(err, ErrNeverIssued) = %v", tt.name, got)
		}
	}
}

func parseID(s string) error  { _, err := ParseID(s); return err }
func parseIIN(s string) error { _, err := ParseIIN(s); return err }
func parseBIN(s string) error { _, err := ParseBIN(s); return err }

func TestParseValidEdges(t *testing.T) {
	tests := []struct {
		in   string
		kind IDKind
	}{
		{"000229500800", KindIIN},   // 29.02.2000, a leap day
		{"190163000104", KindBIN},   // type 6 (joint IE), attribute 3 (joint farm)
		{"190140000109", KindBIN},   // type 4, head unit
		{"1901 4000 0109", KindBIN}, // grouped digits
		{"830717-350867 ", KindIIN}, // hyphen and trailing space
	}
	for _, tt := range tests {
		id, err := ParseID(tt.in)
		if err != nil || id.Kind != tt.kind {
			t.Errorf("ParseID(%q) = %v, %v; want kind %s", tt.in, id.Kind, err, tt.kind)
		}
	}
}

// TestIDErrorKeys checks that every error code has its message in the
// three catalogs, with the {number} parameter.
func TestIDErrorKeys(t *testing.T) {
	for code := range idErrorText {
		e := &IDError{Number: "123", Code: code}
		for _, lang := range i18n.Langs {
			if !i18n.Has(lang, e.Key()) {
				t.Errorf("%s: key %s missing", lang, e.Key())
			}
			if msg := i18n.T(lang, e.Key(), e.Params()...); !strings.Contains(msg, "123") {
				t.Errorf("%s: %s = %q does not show the number", lang, e.Key(), msg)
			}
		}
		if !strings.Contains(e.Error(), "123") {
			t.Errorf("Error() = %q", e.Error())
		}
	}
}

func TestNewIINRoundTrip(t *testing.T) {
	births := []time.Time{
		Date(1899, 12, 31), Date(1900, 1, 1), Date(1983, 7, 17),
		Date(2000, 2, 29), Date(2006, 12, 11), Date(2099, 6, 30),
		time.Date(1990, 5, 5, 23, 30, 0, 0, time.FixedZone("ALMT", 5*3600)), // its own calendar day counts
	}
	neverIssued := 0
	for _, birth := range births {
		for _, g := range []Gender{Male, Female} {
			for serial := 0; serial < 300; serial++ {
				n, err := NewIIN(birth, g, serial)
				if errors.Is(err, ErrNeverIssued) {
					neverIssued++
					continue
				}
				if err != nil {
					t.Fatalf("NewIIN(%v, %s, %d): %v", birth, g, serial, err)
				}
				iin, err := ParseIIN(n)
				if err != nil {
					t.Fatalf("ParseIIN(NewIIN(%v, %s, %d) = %s): %v", birth, g, serial, n, err)
				}
				y, m, d := birth.Date()
				if !iin.BirthDate.Equal(Date(y, m, d)) || iin.Gender != g {
					t.Errorf("%s: got %v %s, want %v %s", n, iin.BirthDate, iin.Gender, birth, g)
				}
			}
		}
	}
	// About one serial in 121 cannot be issued; the generator must say so.
	if neverIssued == 0 {
		t.Error("no never-issued serial met; the generator should report some")
	}
}

func TestNewBINRoundTrip(t *testing.T) {
	for _, year := range []int{1990, 1996, 2001, 2019, 2089} {
		for _, typ := range []int{4, 5, 6} {
			for attr := 0; attr <= 3; attr++ {
				for serial := 0; serial < 60; serial++ {
					n, err := NewBIN(year, 11, typ, attr, serial)
					if errors.Is(err, ErrNeverIssued) {
						continue
					}
					if err != nil {
						t.Fatalf("NewBIN: %v", err)
					}
					b, err := ParseBIN(n)
					if err != nil {
						t.Fatalf("ParseBIN(%s): %v", n, err)
					}
					want := BIN{Number: n, Year: year, Month: 11, Type: typ, Attribute: attr}
					if b != want {
						t.Errorf("ParseBIN(%s) = %+v, want %+v", n, b, want)
					}
				}
			}
		}
	}
}

func TestGeneratorsNeverIssued(t *testing.T) {
	// 83071730013 gives 10 in both passes (see TestParseErrors).
	if _, err := NewIIN(Date(1983, 7, 17), Male, 13); !errors.Is(err, ErrNeverIssued) {
		t.Errorf("NewIIN serial 13: %v, want ErrNeverIssued", err)
	}
	if _, err := NewBIN(2019, 1, 4, 0, 7); !errors.Is(err, ErrNeverIssued) {
		t.Errorf("NewBIN serial 7: %v, want ErrNeverIssued", err)
	}
}

func TestGeneratorArguments(t *testing.T) {
	bad := []struct {
		name string
		err  error
	}{
		{"birth 1799", errOf(NewIIN(Date(1799, 1, 1), Male, 1))},
		{"birth 2100", errOf(NewIIN(Date(2100, 1, 1), Male, 1))},
		{"gender", errOf(NewIIN(Date(1990, 1, 1), "X", 1))},
		{"IIN serial", errOf(NewIIN(Date(1990, 1, 1), Male, 10000))},
		{"negative serial", errOf(NewIIN(Date(1990, 1, 1), Male, -1))},
		{"BIN year 1989", errOf(NewBIN(1989, 1, 4, 0, 1))},
		{"BIN year 2090", errOf(NewBIN(2090, 1, 4, 0, 1))},
		{"BIN month", errOf(NewBIN(2019, 13, 4, 0, 1))},
		{"BIN type", errOf(NewBIN(2019, 1, 7, 0, 1))},
		{"BIN attribute", errOf(NewBIN(2019, 1, 4, 4, 1))},
		{"BIN serial", errOf(NewBIN(2019, 1, 4, 0, 100000))},
	}
	for _, tt := range bad {
		if tt.err == nil || errors.Is(tt.err, ErrNeverIssued) {
			t.Errorf("%s: error %v, want an argument error", tt.name, tt.err)
		}
	}
}

func errOf(_ string, err error) error { return err }

func FuzzParseID(f *testing.F) {
	for _, s := range []string{
		"830717350867", "961141000023", "830717300135", "190163000104",
		"8307-1735-0867", "", "-", "00000000000\u00a0", "99999999999999",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		id, err := ParseID(s)
		if err != nil {
			var e *IDError
			if !errors.As(err, &e) {
				t.Fatalf("ParseID(%q): error %T, want *IDError", s, err)
			}
			return
		}
		if len(id.Number) != 12 || (id.IIN == nil) == (id.BIN == nil) {
			t.Fatalf("ParseID(%q) = %+v", s, id)
		}
		c, ok := CheckDigit(id.Number[:11])
		if !ok || int(id.Number[11]-'0') != c {
			t.Fatalf("ParseID(%q) accepted a bad check digit", s)
		}
		// Parsing the normalised number again gives the same result.
		again, err := ParseID(id.Number)
		if err != nil || !sameID(id, again) {
			t.Fatalf("ParseID(%q) is not stable: %+v, %v", id.Number, again, err)
		}
	})
}

func BenchmarkParseIIN(b *testing.B) {
	for b.Loop() {
		if _, err := ParseIIN("830717350867"); err != nil {
			b.Fatal(err)
		}
	}
}
