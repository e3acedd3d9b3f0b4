package kz

import (
	"errors"
	"fmt"
	"strings"
	"time"
)

// IIN is an individual identification number (ЖСН / ИИН) with what its
// digits say about the person. The birth date and gender are decoded from
// the number and are only a hint: since Government Decree No. 853 of
// 26.08.2013 the digits need not match the person's data
// (reference-kz.md §1.1), so esep keeps the real birth date and gender in
// their own fields and uses these for a cross-check warning at most.
type IIN struct {
	Number    string    // 12 digits
	BirthDate time.Time // from digits 1–7, at 00:00 UTC
	Gender    Gender    // from digit 7
}

// BIN is a business identification number (БСН / БИН) with what its
// digits say about the entity (reference-kz.md §1.1).
type BIN struct {
	Number    string // 12 digits
	Year      int    // four-digit year of (re)registration; see ParseBIN for the century
	Month     int    // month of (re)registration, 1–12
	Type      int    // 4 resident legal entity, 5 non-resident, 6 joint IE
	Attribute int    // 0 head unit, 1 branch, 2 representative office, 3 joint farm
}

// Gender is the gender an IIN encodes, written as in the register file.
type Gender string

// The genders of the register file's client_gender column.
const (
	Male   Gender = "M"
	Female Gender = "F"
)

// IDKind tells an IIN from a BIN.
type IDKind string

// The kinds of identification number.
const (
	KindIIN IDKind = "iin"
	KindBIN IDKind = "bin"
)

// ID is an identification number of either kind: exactly one of IIN and
// BIN is set, the one Kind names. The register's enterprise_iin_bin column
// holds either, which is why this type exists.
type ID struct {
	Number string
	Kind   IDKind
	IIN    *IIN
	BIN    *BIN
}

// IDErrorCode says what is wrong with an IIN or BIN. The codes are stable:
// they are stored with validation findings and name i18n keys.
type IDErrorCode string

// The ways an IIN or BIN can be wrong.
const (
	IDLength       IDErrorCode = "length"        // not 12 characters after Normalize
	IDNotDigits    IDErrorCode = "not_digits"    // a character that is not 0–9
	IDNeverIssued  IDErrorCode = "never_issued"  // both check-digit passes give 10
	IDCheckDigit   IDErrorCode = "check_digit"   // the 12th digit is not the check digit
	IDCentury      IDErrorCode = "century"       // IIN digit 7 is not 1–6
	IDBirthDate    IDErrorCode = "birth_date"    // IIN digits 1–6 are not a real date
	IDBINMonth     IDErrorCode = "bin_month"     // BIN digits 3–4 are not 01–12
	IDBINType      IDErrorCode = "bin_type"      // BIN digit 5 is not 4–6
	IDBINAttribute IDErrorCode = "bin_attribute" // BIN digit 6 is not 0–3
)

var idErrorText = map[IDErrorCode]string{
	IDLength:       "must have 12 digits",
	IDNotDigits:    "must have only digits",
	IDNeverIssued:  "is never issued: no check digit can be formed for its first 11 digits",
	IDCheckDigit:   "has a wrong check digit",
	IDCentury:      "IIN digit 7 (century and gender) must be 1 to 6",
	IDBirthDate:    "IIN digits 1-6 are not a real date of birth",
	IDBINMonth:     "BIN digits 3-4 must be a month, 01 to 12",
	IDBINType:      "BIN digit 5 (type of entity) must be 4, 5 or 6",
	IDBINAttribute: "BIN digit 6 (kind of unit) must be 0 to 3",
}

// IDError reports an invalid IIN or BIN. It carries a code and the number
// (after Normalize), never translated text: Key and Params give the message
// in the user's language.
type IDError struct {
	Number string
	Code   IDErrorCode
}

// Error returns the problem in English, for logs and tests.
func (e *IDError) Error() string {
	return fmt.Sprintf("kz: IIN/BIN %q %s", e.Number, idErrorText[e.Code])
}

// Key returns the i18n key of the message, e.g. "kz.id.check_digit".
func (e *IDError) Key() string { return "kz.id." + string(e.Code) }

// Params returns the message parameters as name, value pairs for i18n.T.
func (e *IDError) Params() []any { return []any{"number", e.Number} }

// Unwrap lets errors.Is(err, ErrNeverIssued) find a never-issued number,
// whether it came from a parser or a generator.
func (e *IDError) Unwrap() error {
	if e.Code == IDNeverIssued {
		return ErrNeverIssued
	}
	return nil
}

// ErrNeverIssued means that both passes of the check-digit algorithm give
// 10 for the first 11 digits, so no valid number starts with them. The
// generators return it so that the caller tries the next serial.
var ErrNeverIssued = errors.New("kz: no check digit can be formed; such a number is never issued")

// Normalize removes what people and spreadsheets put between the digits of
// an IIN or BIN: spaces, tabs, no-break spaces (Excel's thousands separator
// in Kazakh and Russian locales), and hyphens or dashes that stand between
// two digits ("830717-350867"). A hyphen elsewhere is kept, so that "-1" is
// still reported as not a number rather than silently fixed.
func Normalize(s string) string {
	rs := make([]rune, 0, len(s))
	for _, r := range s {
		if !isSpace(r) {
			rs = append(rs, r)
		}
	}
	var b strings.Builder
	b.Grow(len(rs))
	for i, r := range rs {
		if isDash(r) && i > 0 && i+1 < len(rs) && isDigit(rs[i-1]) && isDigit(rs[i+1]) {
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

func isSpace(r rune) bool {
	switch r {
	case ' ', '\t', '\n', '\r', '\v', '\f',
		'\u00a0', // no-break space
		'\u2007', // figure space
		'\u2009', // thin space
		'\u202f', // narrow no-break space (French-style digit grouping)
		'\ufeff': // zero-width no-break space, a stray BOM
		return true
	}
	return false
}

func isDash(r rune) bool {
	switch r {
	case '-', '\u2010', '\u2011', '\u2012', '\u2013':
		return true
	}
	return false
}

func isDigit(r rune) bool { return r >= '0' && r <= '9' }

// checkNumber does the checks common to IINs and BINs: length, digits and
// the check digit. The check digit comes before the structure because a
// mistyped digit is the commonest fault, and it is what the check digit
// exists to catch.
func checkNumber(n string) error {
	if len(n) != 12 {
		return &IDError{Number: n, Code: IDLength}
	}
	for i := 0; i < len(n); i++ {
		if !isDigit(rune(n[i])) {
			return &IDError{Number: n, Code: IDNotDigits}
		}
	}
	c, ok := CheckDigit(n[:11])
	if !ok {
		return &IDError{Number: n, Code: IDNeverIssued}
	}
	if int(n[11]-'0') != c {
		return &IDError{Number: n, Code: IDCheckDigit}
	}
	return nil
}

// digits2 reads two ASCII digits at s[i:i+2].
func digits2(s string, i int) int { return int(s[i]-'0')*10 + int(s[i+1]-'0') }

// ParseIIN normalises s and checks that it is a valid IIN: 12 digits, the
// check digit holds, digit 7 is 1–6 and digits 1–6 with it make a real
// date. It returns an *IDError with code length, not_digits, never_issued,
// check_digit, century or birth_date.
//
// Digit 7 = 0, which python-stdnum accepts for foreigners, is rejected:
// no official source for it was found (reference-kz.md §1.1, UNCONFIRMED).
func ParseIIN(s string) (IIN, error) {
	n := Normalize(s)
	if err := checkNumber(n); err != nil {
		return IIN{}, err
	}
	return decodeIIN(n)
}

// decodeIIN reads the birth date and gender of a 12-digit number whose
// check digit has been verified.
func decodeIIN(n string) (IIN, error) {
	c := int(n[6] - '0')
	if c < 1 || c > 6 {
		return IIN{}, &IDError{Number: n, Code: IDCentury}
	}
	year := 1800 + 100*((c-1)/2) + digits2(n, 0)
	month, day := digits2(n, 2), digits2(n, 4)
	birth := Date(year, time.Month(month), day)
	if month < 1 || month > 12 || day < 1 || birth.Day() != day {
		return IIN{}, &IDError{Number: n, Code: IDBirthDate}
	}
	g := Male
	if c%2 == 0 {
		g = Female
	}
	return IIN{Number: n, BirthDate: birth, Gender: g}, nil
}

// binCenturyPivot splits the two-digit year of a BIN: 90–99 are the 1990s
// (entities registered after independence and never re-registered, such as
// 961141000023), 00–89 the 2000s. The number itself does not say the
// century; this is esep's assumption and holds until 2090.
const binCenturyPivot = 90

// ParseBIN normalises s and checks that it is a valid BIN: 12 digits, the
// check digit holds, digits 3–4 are a month, digit 5 (type) is 4–6 and digit
// 6 (attribute) is 0–3. Year is the four-digit year of registration; a
// two-digit year of 90–99 is read as the 1990s and 00–89 as the 2000s. It
// returns an *IDError with code length, not_digits, never_issued,
// check_digit, bin_month, bin_type or bin_attribute.
func ParseBIN(s string) (BIN, error) {
	n := Normalize(s)
	if err := checkNumber(n); err != nil {
		return BIN{}, err
	}
	return decodeBIN(n)
}

func decodeBIN(n string) (BIN, error) {
	yy, month := digits2(n, 0), digits2(n, 2)
	typ, attr := int(n[4]-'0'), int(n[5]-'0')
	switch {
	case month < 1 || month > 12:
		return BIN{}, &IDError{Number: n, Code: IDBINMonth}
	case typ < 4 || typ > 6:
		return BIN{}, &IDError{Number: n, Code: IDBINType}
	case attr > 3:
		return BIN{}, &IDError{Number: n, Code: IDBINAttribute}
	}
	year := 2000 + yy
	if yy >= binCenturyPivot {
		year = 1900 + yy
	}
	return BIN{Number: n, Year: year, Month: month, Type: typ, Attribute: attr}, nil
}

// ParseID normalises s and parses it as an IIN or a BIN, deciding by digit
// 5: in an IIN it is the tens digit of the day of birth (0–3), in a BIN the
// type of entity (4–6) (reference-kz.md §1.1). A digit 5 of 7–9 fits
// neither and is reported as bin_type. The errors are those of ParseIIN and
// ParseBIN.
func ParseID(s string) (ID, error) {
	n := Normalize(s)
	if err := checkNumber(n); err != nil {
		return ID{}, err
	}
	if n[4] <= '3' {
		iin, err := decodeIIN(n)
		if err != nil {
			return ID{}, err
		}
		return ID{Number: n, Kind: KindIIN, IIN: &iin}, nil
	}
	bin, err := decodeBIN(n)
	if err != nil {
		return ID{}, err
	}
	return ID{Number: n, Kind: KindBIN, BIN: &bin}, nil
}

// NewIIN makes a valid IIN for synthetic data (demos, tests, benchmarks)
// from a birth date (its year, month and day; 1800–2099), a gender and a
// serial number 0–9999. It returns an error wrapping ErrNeverIssued when no
// check digit can be formed for that serial, so that the caller tries the
// next one (about one serial in 121); other errors mean bad arguments.
func NewIIN(birth time.Time, g Gender, serial int) (string, error) {
	y := birth.Year()
	if y < 1800 || y > 2099 {
		return "", fmt.Errorf("kz: NewIIN: birth year %d outside 1800-2099", y)
	}
	if serial < 0 || serial > 9999 {
		return "", fmt.Errorf("kz: NewIIN: serial %d outside 0-9999", serial)
	}
	c := 1 + 2*((y-1800)/100)
	switch g {
	case Male:
	case Female:
		c++
	default:
		return "", fmt.Errorf("kz: NewIIN: gender %q is neither %q nor %q", g, Male, Female)
	}
	first11 := fmt.Sprintf("%02d%02d%02d%d%04d", y%100, int(birth.Month()), birth.Day(), c, serial)
	return withCheckDigit(first11)
}

// NewBIN makes a valid BIN for synthetic data from a year of registration
// (1990–2089, the years ParseBIN reads back), a month 1–12, a type 4–6, an
// attribute 0–3 and a serial number 0–99999. Like NewIIN it returns an
// error wrapping ErrNeverIssued when the serial gives no check digit.
func NewBIN(year, month, typ, attr, serial int) (string, error) {
	switch {
	case year < 1900+binCenturyPivot || year >= 2000+binCenturyPivot:
		return "", fmt.Errorf("kz: NewBIN: year %d outside %d-%d", year, 1900+binCenturyPivot, 1999+binCenturyPivot)
	case month < 1 || month > 12:
		return "", fmt.Errorf("kz: NewBIN: month %d outside 1-12", month)
	case typ < 4 || typ > 6:
		return "", fmt.Errorf("kz: NewBIN: type %d outside 4-6", typ)
	case attr < 0 || attr > 3:
		return "", fmt.Errorf("kz: NewBIN: attribute %d outside 0-3", attr)
	case serial < 0 || serial > 99999:
		return "", fmt.Errorf("kz: NewBIN: serial %d outside 0-99999", serial)
	}
	return withCheckDigit(fmt.Sprintf("%02d%02d%d%d%05d", year%100, month, typ, attr, serial))
}

func withCheckDigit(first11 string) (string, error) {
	c, ok := CheckDigit(first11)
	if !ok {
		return "", &IDError{Number: first11, Code: IDNeverIssued}
	}
	return first11 + string(rune('0'+c)), nil
}
