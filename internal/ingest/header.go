package ingest

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
	"unicode"

	"golang.org/x/text/unicode/norm"

	"esep/internal/register"
)

// Codes of a HeaderError, with the i18n key "ingest.file.<code>".
const (
	// CodeMissingColumns: required register columns are not in the header.
	CodeMissingColumns = "missing_columns"
	// CodeDuplicateColumn: two columns of the file are the same register
	// column.
	CodeDuplicateColumn = "duplicate_column"
)

// HeaderError is a header that cannot be mapped to the register columns.
type HeaderError struct {
	Code string // CodeMissingColumns or CodeDuplicateColumn
	// Columns are the canonical names of the register columns concerned:
	// the missing ones, or the one given twice.
	Columns []string
	// Titles are, for CodeDuplicateColumn, the titles in the file that
	// name the same column.
	Titles []string
}

func (e *HeaderError) Error() string {
	switch e.Code {
	case CodeDuplicateColumn:
		return fmt.Sprintf("header: column %s given twice: %q", strings.Join(e.Columns, ", "), e.Titles)
	default:
		return "header: missing required columns: " + strings.Join(e.Columns, ", ")
	}
}

// Key returns the i18n key of the error's message, "ingest.file.<code>".
func (e *HeaderError) Key() string { return "ingest.file." + e.Code }

// Params returns the parameters of the message in the name, value pairs
// that i18n.T takes: columns (canonical names) and titles (quoted file
// titles), each joined by ", ".
func (e *HeaderError) Params() []any {
	titles := make([]string, len(e.Titles))
	for i, t := range e.Titles {
		titles[i] = "«" + t + "»"
	}
	return []any{"columns", strings.Join(e.Columns, ", "), "titles", strings.Join(titles, ", ")}
}

// HeaderMap says which column of a file holds each register column.
type HeaderMap struct {
	// Index holds, for each column of register.Columns in the same order,
	// the 0-based index of the file column that holds it, or -1 if the file
	// does not have it.
	Index []int
	// Unknown lists, in file order, the titles of the file columns that are
	// ignored: titles that name no register column, and titles that name a
	// column another title of the file names more precisely (see MapHeader).
	// A blank title is listed as "#N", N being the 1-based column number.
	// The importer reports them as a warning (i18n key
	// "ingest.header.ignored_column", param {column}).
	Unknown []string
	// Missing lists the canonical names of the required columns the file
	// does not have.
	Missing []string
}

// Of returns the file column index of the register column with the
// canonical name name, or -1.
func (m HeaderMap) Of(name string) int {
	for i, c := range register.Columns {
		if c.Name == name && i < len(m.Index) {
			return m.Index[i]
		}
	}
	return -1
}

// MapHeader maps the titles of a file's header row to the register columns
// (spec §1). A title matches a column by its canonical English name, or by
// its title in Annex 1 of the methodology in Kazakh, Russian or English, or
// by one of a few usual short names ("ФИО клиента", "Код КАТО области",
// "Номер акта" ...); see aliases. Matching ignores case, spacing,
// punctuation, a text in parentheses, a leading column number ("3. ..."),
// ё/е, and the difference between Kazakh letters and their Russian
// look-alikes (Қ/К, Ә/А, І/И ...), and folds Latin and Cyrillic look-alikes
// inside a word (a Latin "i" in a Kazakh word, a Cyrillic "Е" in "CCЕA").
//
// The column order is free. A first column titled as a row number (№, No,
// #, Р/с, № п/п) is ignored silently; other unmatched columns go to
// Unknown. When two titles name the same column and one of them is a code
// (the canonical name, "Код КАТО области", "Код услуги") while the other is
// a descriptive title (Annex 1's "Область / город ...", "Наименование
// специализированной услуги"), the code wins and the other goes to
// Unknown; two titles of the same kind are an error.
//
// The HeaderMap is always filled in. The error is a *HeaderError: with
// CodeDuplicateColumn if a column is named twice, else with
// CodeMissingColumns if required columns are missing.
func MapHeader(header []string) (HeaderMap, error) {
	m := HeaderMap{Index: make([]int, len(register.Columns))}
	prio := make([]int, len(register.Columns))
	for i := range m.Index {
		m.Index[i] = -1
	}
	ignored := map[int]bool{}
	var dup *HeaderError
	for j, title := range header {
		title = strings.TrimSpace(title)
		if title == "" {
			ignored[j] = true
			continue
		}
		a, ok := lookup(title)
		if !ok {
			if j > 0 || !rowNumberTitles[fold(title)] {
				ignored[j] = true
			}
			continue
		}
		i := a.col
		switch prev := m.Index[i]; {
		case prev < 0:
			m.Index[i], prio[i] = j, a.prio
		case a.prio > prio[i]:
			ignored[prev] = true
			m.Index[i], prio[i] = j, a.prio
		case a.prio < prio[i]:
			ignored[j] = true
		case dup == nil:
			dup = &HeaderError{Code: CodeDuplicateColumn, Columns: []string{register.Columns[i].Name},
				Titles: []string{strings.TrimSpace(header[prev]), title}}
		}
	}
	order := make([]int, 0, len(ignored))
	for j := range ignored {
		order = append(order, j)
	}
	sort.Ints(order)
	for _, j := range order {
		t := strings.TrimSpace(header[j])
		if t == "" {
			t = "#" + strconv.Itoa(j+1)
		}
		m.Unknown = append(m.Unknown, t)
	}
	for i, c := range register.Columns {
		if c.Required && m.Index[i] < 0 {
			m.Missing = append(m.Missing, c.Name)
		}
	}
	switch {
	case dup != nil:
		return m, dup
	case len(m.Missing) > 0:
		return m, &HeaderError{Code: CodeMissingColumns, Columns: m.Missing}
	}
	return m, nil
}

// alias is what a folded title stands for.
type alias struct {
	col  int // index in register.Columns
	prio int // prioCode or prioTitle
}

// Priorities of aliases, for a file that has two titles for one column.
const (
	prioTitle = 1 // a descriptive title: Annex 1, a short name
	prioCode  = 2 // the canonical name or a title that says "code"
)

// lookup finds the column a title names: as it is, without its
// parentheses, then without a leading column number.
func lookup(title string) (alias, bool) {
	for _, t := range []string{title, stripParens(title)} {
		f := fold(t)
		if a, ok := aliasIndex[f]; ok {
			return a, true
		}
		if g := stripNumber(f); g != f {
			if a, ok := aliasIndex[g]; ok {
				return a, true
			}
		}
	}
	return alias{}, false
}

// rowNumberTitles are the folded titles of a row-number column.
var rowNumberTitles = map[string]bool{
	"": true, "no": true, "n": true, "nr": true, "no no": true, "р с": true, "рс": true,
	"п п": true, "no п п": true, "no р с": true, "р с no": true, "рет саны": true, "no р": true,
}

// fold normalises a title for matching: compatibility forms (NFKC, so "№"
// becomes "No"), lower case, every run of characters other than letters
// and digits turned into one space, look-alike letters of the other
// alphabet in a word folded to the word's alphabet, ё to е, and the Kazakh
// letters to their Russian look-alikes.
func fold(s string) string {
	s = strings.ToLower(norm.NFKC.String(s))
	words := strings.FieldsFunc(s, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) })
	for i, w := range words {
		words[i] = foldWord(w)
	}
	return strings.Join(words, " ")
}

// Latin and Cyrillic letters that look the same in lower case.
var (
	latinToCyrillic = map[rune]rune{'a': 'а', 'b': 'в', 'c': 'с', 'e': 'е', 'h': 'һ', 'i': 'і',
		'k': 'к', 'm': 'м', 'o': 'о', 'p': 'р', 't': 'т', 'x': 'х', 'y': 'у'}
	cyrillicToLatin = map[rune]rune{}
	// kazakhFold folds the Kazakh letters (and ё) to the Russian letters
	// people type for them on a Russian keyboard.
	kazakhFold = strings.NewReplacer("ә", "а", "ғ", "г", "қ", "к", "ң", "н", "ө", "о",
		"ұ", "у", "ү", "у", "һ", "х", "і", "и", "ё", "е")
)

func init() {
	for l, c := range latinToCyrillic {
		cyrillicToLatin[c] = l
	}
}

func foldWord(w string) string {
	var latin, cyr int
	for _, r := range w {
		switch {
		case unicode.Is(unicode.Latin, r):
			latin++
		case unicode.Is(unicode.Cyrillic, r):
			cyr++
		}
	}
	if latin > 0 && cyr > 0 {
		to := latinToCyrillic
		if latin > cyr {
			to = cyrillicToLatin
		}
		w = strings.Map(func(r rune) rune {
			if t, ok := to[r]; ok {
				return t
			}
			return r
		}, w)
	}
	return kazakhFold.Replace(w)
}

// stripParens drops text in parentheses: "(при наличии)", "(бар болса)".
func stripParens(s string) string {
	var b strings.Builder
	depth := 0
	for _, r := range s {
		switch {
		case r == '(':
			depth++
		case r == ')' && depth > 0:
			depth--
		case depth == 0:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// stripNumber drops a leading column number from a folded title: "3 пол
// клиента" is "пол клиента".
func stripNumber(f string) string {
	first, rest, ok := strings.Cut(f, " ")
	if !ok || strings.TrimFunc(first, unicode.IsDigit) != "" {
		return f
	}
	return rest
}

// aliasIndex maps folded titles to columns; built from aliases.
var aliasIndex = buildAliasIndex()

func buildAliasIndex() map[string]alias {
	idx := make(map[string]alias)
	add := func(col int, prio int, title string) {
		for _, t := range []string{title, stripParens(title)} {
			f := fold(t)
			if f == "" {
				panic("ingest: empty alias for " + register.Columns[col].Name)
			}
			if old, ok := idx[f]; ok && old.col != col {
				panic(fmt.Sprintf("ingest: alias %q names both %s and %s", title,
					register.Columns[old.col].Name, register.Columns[col].Name))
			}
			if old, ok := idx[f]; !ok || prio > old.prio {
				idx[f] = alias{col: col, prio: prio}
			}
		}
	}
	for i, c := range register.Columns {
		add(i, prioCode, c.Name)
		a, ok := aliases[c.Name]
		if !ok {
			panic("ingest: no aliases for column " + c.Name)
		}
		for _, t := range a.codes {
			add(i, prioCode, t)
		}
		for _, t := range a.titles {
			add(i, prioTitle, t)
		}
	}
	if len(aliases) != len(register.Columns) {
		panic("ingest: aliases for a column the register does not have")
	}
	return idx
}

// aliases are the titles accepted for each register column besides its
// canonical name. titles are descriptive: the titles of Annex 1 of the
// methodology in Kazakh (as in the official text), Russian and English,
// and usual short names; codes are titles that say they hold a code and
// win over a descriptive title of the same column (MapHeader).
//
// The Annex titles of "Name of specialized service" and its subtype map to
// service_code and service_subtype_code: the register keeps the code, and
// the importer turns a name into its code. Likewise "Region / city ..."
// maps to region_kato.
var aliases = map[string]struct{ titles, codes []string }{
	"record_id": {
		titles: []string{"ID записи", "Идентификатор записи", "Жазба ID", "Жазба идентификаторы",
			"Record ID", "ID услуги", "Идентификатор услуги", "Қызмет ID"},
	},
	"region_kato": {
		titles: []string{
			"Облыс /республикалық маңызы бар қала және Астана",
			"Область / город республиканского значения и столица",
			"Region /city of the republican significance and the capital",
			"Облыс", "Область", "Регион", "Region",
		},
		codes: []string{"Код КАТО области", "КАТО области", "КАТО региона", "Код КАТО региона",
			"Облыстың КАТО коды", "Облыс КАТО коды", "Облыстың ӘАОЖ коды", "Region KATO", "Region KATO code"},
	},
	"settlement_kato": {
		codes: []string{"Код КАТО населенного пункта", "КАТО населенного пункта",
			"Елді мекеннің КАТО коды", "Елді мекен КАТО коды", "Елді мекеннің ӘАОЖ коды",
			"Settlement KATO", "Settlement KATO code"},
	},
	"settlement_name": {
		titles: []string{
			"Қызмет көрсетілген елді мекен (аумақтық бөлініс)",
			"Населенный пункт (территориальное деление), где оказана услуга",
			"Settlement (territorial division) where the service is provided",
			"Населенный пункт", "Елді мекен", "Settlement", "Settlement name",
		},
	},
	"place_kind": {
		titles: []string{"Вид места оказания услуги", "Тип места оказания услуги", "Вид места",
			"Қызмет көрсету орнының түрі", "Place kind", "Kind of place of service"},
	},
	"service_place": {
		titles: []string{
			"Қызмет көрсету орны",
			"Место оказания услуги",
			"Place of service provision",
			"Service place",
		},
	},
	"enterprise_name": {
		titles: []string{
			"Клиенттің кәсіпорнының атауы",
			"Наименование предприятия клиента",
			"Name of the enterprise of the customer",
			"Наименование предприятия", "Кәсіпорын атауы", "Кәсіпорынның атауы", "Enterprise name",
		},
	},
	"enterprise_iin_bin": {
		titles: []string{
			"ШОБ субъектілерінің ЖСН / БСН",
			"ИИН/БИН субъекта МСБ",
			"IIN/BIN of the SMB subject",
			"IIN/BIN of SMB subjects",
		},
		codes: []string{"ИИН/БИН", "БИН/ИИН", "ИИН/БИН предприятия", "ЖСН/БСН", "БСН/ЖСН",
			"Кәсіпорынның ЖСН/БСН", "IIN/BIN", "BIN/IIN", "Enterprise IIN/BIN"},
	},
	"client_full_name": {
		titles: []string{
			"Клиенттің тегі, аты және әкесінің аты (бар болса)",
			"Фамилия, имя, отчество (при наличии) клиента",
			"Surname, name and patronymic (if any) of the customer",
			"ФИО клиента", "Ф.И.О. клиента", "Клиенттің аты-жөні", "Клиенттің ТАӘ", "Client full name", "Customer name",
		},
	},
	"client_iin": {
		codes: []string{"ИИН клиента", "Клиенттің ЖСН", "Client IIN", "Customer’s IIN", "Customer IIN"},
	},
	"client_gender": {
		titles: []string{"Клиенттің жынысы", "Пол клиента", "Customer’s gender",
			"Пол", "Жынысы", "Gender", "Client gender"},
	},
	"client_birth_date": {
		titles: []string{"Клиенттің туған күні", "Дата рождения клиента", "Customer’s date of birth",
			"Дата рождения", "Туған күні", "Date of birth", "Client birth date"},
	},
	"client_age": {
		titles: []string{"Клиенттің жасы", "Возраст клиента", "Customer’s age",
			"Возраст", "Жасы", "Age", "Client age"},
	},
	"client_disability": {
		titles: []string{"Клиенттің мүгедектігі", "Инвалидность клиента", "Disability of the customer",
			"Инвалидность", "Группа инвалидности", "Мүгедектігі", "Мүгедектік тобы", "Disability", "Client disability"},
	},
	"legal_form": {
		titles: []string{"Кәсіпорынның ұйымдық-құқықтық нысаны", "Организационно-правовая форма предприятия",
			"Form of entity", "Организационно-правовая форма", "ОПФ", "Ұйымдық-құқықтық нысаны", "Legal form"},
	},
	"entrepreneur_category": {
		titles: []string{"Кәсіпкерлік субъектісінің санаты", "Категория субъекта предпринимательства",
			"Category of the entrepreneur", "Категория предпринимательства", "Категория субъекта МСБ",
			"Кәсіпкерлік санаты", "Entrepreneur category"},
	},
	"oked_section": {
		titles: []string{
			"ЭҚЖЖ бойынша сала клиенттің кәсіпорны",
			"Отрасль по ОКЭД предприятия клиента",
			"Branch by CCEA of the customer’s enterprise",
			"Отрасль по ОКЭД", "Отрасль",
		},
		codes: []string{"Секция ОКЭД", "Раздел ОКЭД", "ЭҚЖЖ секциясы", "OKED section"},
	},
	"oked_code": {
		titles: []string{
			"Клиент кәсіпорнының ЭҚЖЖ бойынша кіші саласы",
			"Подотрасль по ОКЭД предприятия клиента",
			"Sub-branch by CCEA of the customer’s enterprise",
			"Подотрасль по ОКЭД", "Подотрасль",
		},
		codes: []string{"Код ОКЭД", "ЭҚЖЖ коды", "OKED code", "OKED"},
	},
	"service_code": {
		titles: []string{
			"Мамандандырылған қызмет атауы",
			"Наименование специализированной услуги",
			"Name of specialized service",
			"Наименование услуги", "Услуга", "Қызмет атауы", "Service",
		},
		codes: []string{"Код услуги", "Код специализированной услуги", "Қызмет коды",
			"Мамандандырылған қызмет коды", "Service code"},
	},
	"service_subtype_code": {
		titles: []string{
			"Мамандандырылған қызметтің кіші түрінің атауы",
			"Наименование подвида специализированной услуги",
			"Name of subtype of specialized service",
			"Наименование подвида услуги", "Подвид услуги", "Қызметтің кіші түрі", "Service subtype",
		},
		codes: []string{"Код подвида услуги", "Код подвида специализированной услуги",
			"Қызмет кіші түрінің коды", "Service subtype code"},
	},
	"manager_full_name": {
		titles: []string{
			"Қызмет көрсеткен қаржылық емес қолдау операторы менеджерінің тегі, аты және әкесінің аты (бар болса)",
			"Фамилия, имя, отчество (при наличии) менеджера оператора нефинансовой поддержки, оказавшего услугу",
			"Surname, name, patronymic (if any) of the manager of the operator of non-financial support that provided the service",
			"ФИО менеджера", "Ф.И.О. менеджера", "Менеджер", "Менеджердің аты-жөні", "Менеджердің ТАӘ", "Manager", "Manager full name",
		},
	},
	"start_date": {
		titles: []string{
			"Жүгіну/ қызметтің басталу күні",
			"Дата обращения / начала оказания услуги",
			"Date of request / start of service",
			"Дата начала", "Дата обращения", "Дата начала оказания услуги", "Басталу күні", "Жүгіну күні", "Start date",
		},
	},
	"end_date": {
		titles: []string{
			"Қызметті аяқтау / аяқтау күні",
			"Дата завершения / окончания оказания услуги",
			"Date of completion / end of service",
			"Дата завершения", "Дата окончания", "Дата окончания оказания услуги", "Аяқталу күні", "Аяқтау күні", "End date",
		},
	},
	"work_phone": {
		titles: []string{"Клиенттің жұмыс телефоны", "Рабочий телефон клиента", "Customer’s work phone",
			"Рабочий телефон", "Жұмыс телефоны", "Work phone"},
	},
	"mobile_phone": {
		titles: []string{"Клиенттің ұялы телефоны", "Мобильный телефон клиента", "Customer’s mobile phone",
			"Мобильный телефон", "Ұялы телефон", "Ұялы телефоны", "Mobile phone"},
	},
	"email": {
		titles: []string{"Клиенттің электрондық мекенжайы", "Электронная почта клиента", "Customer’s e-mail",
			"Электронная почта", "Электрондық мекенжайы", "Электрондық пошта", "Эл. почта", "E-mail", "Email"},
	},
	"delivery_mode": {
		titles: []string{"Формат оказания (онлайн/офлайн)", "Формат оказания услуги", "Формат оказания",
			"Онлайн/офлайн", "Қызмет көрсету форматы", "Көрсету форматы", "Delivery mode", "Online/offline"},
	},
	"act_number": {
		codes: []string{"Номер акта", "№ акта", "Акт нөмірі", "Актінің нөмірі", "Act number"},
	},
	"act_signed_at": {
		titles: []string{"Дата подписания акта", "Дата и время подписания акта", "Актіге қол қойылған күн",
			"Актіге қол қойылған күні", "Act signed at", "Date of signing of the act"},
	},
	"act_confirmation": {
		titles: []string{"Способ подтверждения", "Способ подтверждения акта", "Растау тәсілі",
			"Актіні растау тәсілі", "Act confirmation", "Confirmation method"},
	},
}
