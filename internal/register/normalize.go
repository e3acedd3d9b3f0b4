package register

import (
	"strings"
	"time"
	"unicode"

	"esep/internal/kz"
)

// Kazakhstan has one time zone, UTC+5, since 1 March 2024. An act timestamp
// written without an offset is read in it; older acts written without an
// offset may be an hour off, which cannot move them across a date in any
// check esep makes on whole days closer than that.
var localZone = kz.Zone

// Normalize rewrites r into the canonical form of spec §1: trimmed text,
// ISO dates, M/F, lower-case codes, +7XXXXXXXXXX phones, and the Kazakh and
// Russian spellings of codes that real files use (ТОО, онлайн, Ж, 12.03.2026).
// A value it cannot understand is left as it was, trimmed, for Validate to
// report.
func Normalize(r *Record) {
	for _, c := range Columns {
		c.Set(r, strings.TrimSpace(strings.ReplaceAll(c.Get(r), "\u00a0", " ")))
	}
	r.EnterpriseName = collapseSpaces(r.EnterpriseName)
	r.ClientFullName = collapseSpaces(r.ClientFullName)
	r.ManagerFullName = collapseSpaces(r.ManagerFullName)
	r.EnterpriseID = kz.Normalize(r.EnterpriseID)
	r.ClientIIN = kz.Normalize(r.ClientIIN)
	r.RegionKATO = normalizeRegion(r.RegionKATO)
	r.SettlementKATO = digitsOnly(r.SettlementKATO)
	r.StartDate = normalizeDate(r.StartDate)
	r.EndDate = normalizeDate(r.EndDate)
	r.ClientBirthDate = normalizeDate(r.ClientBirthDate)
	r.ClientGender = lookup(genders, r.ClientGender)
	r.ClientDisability = lookup(disabilities, r.ClientDisability)
	r.DeliveryMode = lookup(deliveryModes, r.DeliveryMode)
	r.PlaceKind = lookup(placeKinds, r.PlaceKind)
	r.LegalForm = lookup(legalForms, r.LegalForm)
	r.Category = lookup(categories, r.Category)
	r.ActConfirmation = lookup(confirmations, r.ActConfirmation)
	r.ServiceCode = lookup(serviceNames, r.ServiceCode)
	r.ServiceSubtype = lookup(serviceNames, r.ServiceSubtype)
	r.OKEDSection = strings.ToUpper(r.OKEDSection)
	if strings.ContainsAny(r.OKEDCode, ". ") {
		r.OKEDCode = okedSeparators.Replace(r.OKEDCode)
	}
	r.MobilePhone = normalizePhone(r.MobilePhone)
	r.Email = strings.ToLower(r.Email)
	r.ActSignedAt = normalizeTimestamp(r.ActSignedAt)
	r.ClientAge = strings.TrimSuffix(r.ClientAge, ".0") // Excel writes whole numbers as 41.0
}

// okedSeparators are the dots and spaces written inside OKED codes
// (47.11.0). One replacer for every row: building it costs more than using
// it.
var okedSeparators = strings.NewReplacer(".", "", " ", "")

// collapseSpaces makes every run of white space one space and trims the
// ends. Names nearly always have single spaces between words only: then
// the value is returned as it is, without splitting and joining it again.
func collapseSpaces(s string) string {
	prev := true // a space at the start needs trimming
	for _, r := range s {
		space := unicode.IsSpace(r)
		if space && (prev || r != ' ') {
			return strings.Join(strings.Fields(s), " ")
		}
		prev = space
	}
	if prev && s != "" { // a space at the end
		return strings.Join(strings.Fields(s), " ")
	}
	return s
}

func digitsOnly(s string) string {
	return strings.Map(func(r rune) rune {
		if unicode.IsSpace(r) || r == '-' {
			return -1
		}
		return r
	}, s)
}

// lookup maps a value to its code through table, comparing folded text; a
// value that is not in the table is returned unchanged.
func lookup(table map[string]string, v string) string {
	if v == "" {
		return v
	}
	// Most files carry the codes themselves: find those without folding.
	if code, ok := table[v]; ok && code == v {
		return code
	}
	if code, ok := table[kz.FoldName(v)]; ok {
		return code
	}
	return v
}

// The tables are keyed by kz.FoldName of each spelling, so that Қ and К,
// upper and lower case all match.
var (
	genders       = foldedTable(map[string][]string{"M": {"m", "male", "м", "муж", "мужской", "ер", "еркек"}, "F": {"f", "female", "ж", "жен", "женский", "әйел", "əйел"}})
	disabilities  = foldedTable(map[string][]string{"none": {"none", "no", "0", "нет", "жоқ", "-"}, "1": {"1", "i", "1 группа", "1 топ"}, "2": {"2", "ii", "2 группа", "2 топ"}, "3": {"3", "iii", "3 группа", "3 топ"}})
	deliveryModes = foldedTable(map[string][]string{"online": {"online", "онлайн"}, "offline": {"offline", "офлайн", "оффлайн"}})
	placeKinds    = foldedTable(map[string][]string{
		"service_center": {"service_center", "цоп", "центр обслуживания предпринимателей", "кқо", "кәсіпкерлерге қызмет көрсету орталығы"},
		"support_center": {"support_center", "цпп", "центр поддержки предпринимателей", "кқо орталығы", "кәсіпкерлерді қолдау орталығы"},
		"mobile_center":  {"mobile_center", "мцпп", "мобильный центр", "мобильді орталық", "bus", "автобус"},
		"online":         {"online", "онлайн"},
	})
	legalForms = foldedTable(map[string][]string{
		"IE": {"ie", "ип", "жк", "ип (жк)"}, "LLP": {"llp", "тоо", "жшс"}, "JSC": {"jsc", "ао", "ақ"},
		"FARM": {"farm", "кх", "фх", "шқ", "фқ", "крестьянское хозяйство"}, "PC": {"pc", "пк", "өк"}, "OTHER": {"other", "прочее", "басқа"},
	})
	categories = foldedTable(map[string][]string{
		"micro": {"micro", "микро", "микропредпринимательство", "микрокәсіпкерлік"}, "small": {"small", "малое", "шағын"},
		"medium": {"medium", "среднее", "орта"}, "large": {"large", "крупное", "ірі"},
	})
	confirmations = foldedTable(map[string][]string{
		"eds": {"eds", "эцп", "эцқ"}, "otp2": {"otp2", "2fa"}, "otp3": {"otp3", "3fa"}, "paper": {"paper", "бумага", "қағаз"},
	})
)

func foldedTable(spellings map[string][]string) map[string]string {
	t := make(map[string]string)
	for code, ss := range spellings {
		t[kz.FoldName(code)] = code
		for _, s := range ss {
			t[kz.FoldName(s)] = code
		}
	}
	addCodes(t)
	return t
}

// addCodes adds each code of table under itself, unfolded, so that lookup
// finds a value that is already a code without folding it. A key that is
// some spelling's folded form keeps its meaning.
func addCodes(table map[string]string) {
	codes := make([]string, 0, len(table))
	for _, code := range table {
		codes = append(codes, code)
	}
	for _, code := range codes {
		if _, taken := table[code]; !taken {
			table[code] = code
		}
	}
}

// serviceNames maps the names of the catalogue's services and subtypes, in
// the three languages, to their codes: Annex 1 has a column for the service's
// name, and files made from it carry names, not codes.
var serviceNames = func() map[string]string {
	m := map[string]string{}
	var add func(ss []Service)
	add = func(ss []Service) {
		for _, s := range ss {
			m[kz.FoldName(s.Code)] = s.Code
			for _, n := range s.Name {
				m[kz.FoldName(n)] = s.Code
			}
			add(s.Subtypes)
		}
	}
	add(DefaultServices())
	addCodes(m)
	return m
}()

// regionNames maps the folded kk, ru and en names of every region to its
// code, so a file that names regions as Annex 1 does ("Қызылорда облысы")
// still loads.
var regionNames = func() map[string]string {
	m := make(map[string]string)
	for _, list := range [][]kz.Region{kz.Regions2019(), kz.Regions()} {
		for _, r := range list {
			for _, n := range []string{r.Name.KK, r.Name.RU, r.Name.EN} {
				if n != "" {
					m[kz.FoldName(n)] = r.Code
				}
			}
		}
	}
	return m
}()

func normalizeRegion(s string) string {
	if d := digitsOnly(s); d != "" && isDigits(d) {
		return d
	}
	if code, ok := regionNames[kz.FoldName(s)]; ok {
		return code
	}
	return s
}

var dateLayouts = []string{"2006-01-02", "02.01.2006", "02/01/2006", "2006.01.02", "2.1.2006", "2006-01-02 15:04:05", "2006-01-02T15:04:05", "02.01.2006 15:04:05", "02.01.2006 15:04"}

func normalizeDate(s string) string {
	if s == "" {
		return s
	}
	if _, err := time.Parse(time.DateOnly, s); err == nil {
		return s // the canonical form already: it reads only as itself
	}
	for _, l := range dateLayouts {
		if t, err := time.Parse(l, s); err == nil {
			return t.Format(time.DateOnly)
		}
	}
	return s
}

var timestampLayouts = []string{"2006-01-02 15:04:05", "2006-01-02T15:04:05", "2006-01-02 15:04", "2006-01-02T15:04", "02.01.2006 15:04:05", "02.01.2006 15:04", "2006-01-02", "02.01.2006"}

func normalizeTimestamp(s string) string {
	if s == "" {
		return s
	}
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t.Format(time.RFC3339)
	}
	for _, l := range timestampLayouts {
		if t, err := time.ParseInLocation(l, s, localZone); err == nil {
			return t.Format(time.RFC3339)
		}
	}
	return s
}

func normalizePhone(s string) string {
	if s == "" {
		return s
	}
	d := strings.Map(func(r rune) rune {
		if r >= '0' && r <= '9' {
			return r
		}
		if strings.ContainsRune(" +-()./", r) {
			return -1
		}
		return 'x' // a letter: leave the value for the format rule to report
	}, s)
	switch {
	case strings.ContainsRune(d, 'x'):
		return s
	case len(d) == 11 && (d[0] == '7' || d[0] == '8'):
		return "+7" + d[1:]
	case len(d) == 10 && d[0] == '7':
		return "+7" + d
	}
	return s
}

func isDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}
