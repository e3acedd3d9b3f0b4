package ingest

import (
	"errors"
	"math/rand"
	"reflect"
	"strings"
	"testing"

	"esep/internal/i18n"
	"esep/internal/ingest/tabular"
	"esep/internal/register"
)

// annexKK, annexRU and annexEN are the Annex 1 titles in the order of
// register.Columns, "" for a column that Annex 1 does not have. The Kazakh
// and English ones are copied from the official text (the English one has
// a Cyrillic "Е" in "CCЕA" and lacks the IIN/BIN title).
var (
	annexKK = map[string]string{
		"region_kato":           "Облыс /республикалық маңызы бар қала және Астана",
		"settlement_name":       "Қызмет көрсетілген елді мекен (аумақтық бөлініс)",
		"service_place":         "Қызмет көрсету орны",
		"enterprise_name":       "Клиенттің кәсіпорнының атауы",
		"client_full_name":      "Клиенттің тегі, аты және әкесінің аты (бар болса)",
		"enterprise_iin_bin":    "ШОБ субъектілерінің ЖСН / БСН",
		"client_gender":         "Клиенттің жынысы",
		"client_birth_date":     "Клиенттің туған күні",
		"client_age":            "Клиенттің жасы",
		"client_disability":     "Клиенттің мүгедектігі",
		"legal_form":            "Кәсіпорынның ұйымдық-құқықтық нысаны",
		"entrepreneur_category": "Кәсіпкерлік субъектісінің санаты",
		"oked_section":          "ЭҚЖЖ бойынша сала клиенттің кәсіпорны",
		"oked_code":             "Клиент кәсіпорнының ЭҚЖЖ бойынша кіші саласы",
		"service_code":          "Мамандандырылған қызмет атауы",
		"service_subtype_code":  "Мамандандырылған қызметтің кіші түрінің атауы",
		"manager_full_name":     "Қызмет көрсеткен қаржылық емес қолдау операторы менеджерінің тегі, аты және әкесінің аты (бар болса)",
		"start_date":            "Жүгіну/ қызметтің басталу күні",
		"end_date":              "Қызметті аяқтау / аяқтау күні",
		"work_phone":            "Клиенттің жұмыс телефоны",
		"mobile_phone":          "Клиенттің ұялы телефоны",
		"email":                 "Клиенттің электрондық мекенжайы",
		// Not in Annex 1: short Kazakh names.
		"record_id":        "Жазба ID",
		"settlement_kato":  "Елді мекеннің КАТО коды",
		"client_iin":       "Клиенттің ЖСН",
		"place_kind":       "Қызмет көрсету орнының түрі",
		"delivery_mode":    "Қызмет көрсету форматы",
		"act_number":       "Акт нөмірі",
		"act_signed_at":    "Актіге қол қойылған күн",
		"act_confirmation": "Растау тәсілі",
	}
	annexRU = map[string]string{
		"region_kato":           "Область / город республиканского значения и столица",
		"settlement_name":       "Населенный пункт (территориальное деление), где оказана услуга",
		"service_place":         "Место оказания услуги",
		"enterprise_name":       "Наименование предприятия клиента",
		"client_full_name":      "Фамилия, имя, отчество (при наличии) клиента",
		"enterprise_iin_bin":    "ИИН/БИН субъекта МСБ",
		"client_gender":         "Пол клиента",
		"client_birth_date":     "Дата рождения клиента",
		"client_age":            "Возраст клиента",
		"client_disability":     "Инвалидность клиента",
		"legal_form":            "Организационно-правовая форма предприятия",
		"entrepreneur_category": "Категория субъекта предпринимательства",
		"oked_section":          "Отрасль по ОКЭД предприятия клиента",
		"oked_code":             "Подотрасль по ОКЭД предприятия клиента",
		"service_code":          "Наименование специализированной услуги",
		"service_subtype_code":  "Наименование подвида специализированной услуги",
		"manager_full_name":     "Фамилия, имя, отчество (при наличии) менеджера оператора нефинансовой поддержки, оказавшего услугу",
		"start_date":            "Дата обращения / начала оказания услуги",
		"end_date":              "Дата завершения / окончания оказания услуги",
		"work_phone":            "Рабочий телефон клиента",
		"mobile_phone":          "Мобильный телефон клиента",
		"email":                 "Электронная почта клиента",
		"record_id":             "ID записи",
		"settlement_kato":       "Код КАТО населенного пункта",
		"client_iin":            "ИИН клиента",
		"place_kind":            "Вид места оказания услуги",
		"delivery_mode":         "Формат оказания (онлайн/офлайн)",
		"act_number":            "Номер акта",
		"act_signed_at":         "Дата подписания акта",
		"act_confirmation":      "Способ подтверждения",
	}
	annexEN = map[string]string{
		"region_kato":           "Region /city of the republican significance and the capital",
		"settlement_name":       "Settlement (territorial division) where the service is provided",
		"service_place":         "Place of service provision",
		"enterprise_name":       "Name of the enterprise of the customer",
		"client_full_name":      "Surname, name and patronymic (if any) of the customer",
		"client_gender":         "Customer’s gender",
		"client_birth_date":     "Customer’s date of birth",
		"client_age":            "Customer’s age",
		"client_disability":     "Disability of the customer",
		"legal_form":            "Form of entity",
		"entrepreneur_category": "Category of the entrepreneur",
		"oked_section":          "Branch by CCЕA of the customer’s enterprise",
		"oked_code":             "Sub-branch by CCЕA of the customer’s enterprise",
		"service_code":          "Name of specialized service",
		"service_subtype_code":  "Name of subtype of specialized service",
		"manager_full_name":     "Surname, name, patronymic (if any) of the manager of the operator of non-financial support that provided the service",
		"start_date":            "Date of request / start of service",
		"end_date":              "Date of completion / end of service",
		"work_phone":            "Customer’s work phone",
		"mobile_phone":          "Customer’s mobile phone",
		"email":                 "Customer’s e-mail",
	}
)

// titles returns a header of every column, in canonical order, in the
// given language, falling back to the canonical name.
func titles(lang map[string]string) []string {
	h := register.ColumnNames()
	for i, name := range h {
		if t, ok := lang[name]; ok {
			h[i] = t
		}
	}
	return h
}

// identity is the HeaderMap of a header in canonical order.
func identity() []int {
	idx := make([]int, len(register.Columns))
	for i := range idx {
		idx[i] = i
	}
	return idx
}

func TestMapHeaderFull(t *testing.T) {
	tests := map[string][]string{
		"canonical": register.ColumnNames(),
		"kazakh":    titles(annexKK),
		"russian":   titles(annexRU),
		"english":   titles(annexEN),
	}
	for name, header := range tests {
		t.Run(name, func(t *testing.T) {
			m, err := MapHeader(header)
			if err != nil {
				t.Fatalf("MapHeader: %v", err)
			}
			if !reflect.DeepEqual(m.Index, identity()) {
				for i, c := range register.Columns {
					if m.Index[i] != i {
						t.Errorf("%s: index %d, want %d (title %q)", c.Name, m.Index[i], i, header[i])
					}
				}
			}
			if len(m.Unknown) != 0 || len(m.Missing) != 0 {
				t.Errorf("unknown %q missing %q", m.Unknown, m.Missing)
			}
		})
	}
}

func TestMapHeaderShuffled(t *testing.T) {
	rng := rand.New(rand.NewSource(7))
	for _, lang := range []map[string]string{nil, annexKK, annexRU} {
		h := titles(lang)
		perm := rng.Perm(len(h))
		shuffled := make([]string, len(h))
		for i, p := range perm {
			shuffled[p] = h[i]
		}
		m, err := MapHeader(shuffled)
		if err != nil {
			t.Fatal(err)
		}
		for i, c := range register.Columns {
			if m.Index[i] != perm[i] || m.Of(c.Name) != perm[i] {
				t.Errorf("%s at %d, want %d", c.Name, m.Index[i], perm[i])
			}
		}
	}
}

// TestMapHeaderLoose: titles as people type them.
func TestMapHeaderLoose(t *testing.T) {
	tests := []struct{ title, want string }{
		{"RECORD_ID", "record_id"},
		{"Record ID", "record_id"},
		{"record-id", "record_id"},
		{"  Region   Kato ", "region_kato"},
		{"enterprise iin/bin", "enterprise_iin_bin"},
		{"ФАМИЛИЯ,  ИМЯ, ОТЧЕСТВО клиента", "client_full_name"},
		{"Фамилия, имя, отчество (если есть) клиента", "client_full_name"},
		{"Фамилия имя отчество\nклиента", "client_full_name"},
		{"Ф.И.О. клиента", "client_full_name"},
		{"Населённый пункт (территориальное деление), где оказана услуга", "settlement_name"},
		{"Клиенттин жынысы", "client_gender"},                           // typed without Kazakh letters
		{"Клиенттiң туған күнi", "client_birth_date"},                   // Latin i for Kazakh і
		{"КЛИЕНТТІҢ ЖАСЫ", "client_age"},                                // upper case
		{"Customer's e-mail", "email"},                                  // straight apostrophe
		{"Branch by CCEA of the customer’s enterprise", "oked_section"}, // Latin E
		{"3. Место оказания услуги", "service_place"},                   // numbered
		{"Дата начала*", "start_date"},                                  // required mark
		{"ИИН / БИН", "enterprise_iin_bin"},
		{"E-mail", "email"},
		{"Формат оказания (онлайн / офлайн)", "delivery_mode"},
		{"Мамандандырылған қызмет атауы", "service_code"},
		{"Name of subtype of specialized service", "service_subtype_code"},
		{"№ акта", "act_number"},
	}
	for _, tt := range tests {
		a, ok := lookup(tt.title)
		if !ok {
			t.Errorf("%q matches nothing, want %s", tt.title, tt.want)
			continue
		}
		if got := register.Columns[a.col].Name; got != tt.want {
			t.Errorf("%q matches %s, want %s", tt.title, got, tt.want)
		}
	}
}

func TestMapHeaderUnknownAndRowNumber(t *testing.T) {
	for _, num := range []string{"№", "No", "#", "Р/с", "№ п/п", "р/с"} {
		h := append([]string{num}, register.ColumnNames()...)
		h = append(h, "Комментарий", "", "Примечание")
		m, err := MapHeader(h)
		if err != nil {
			t.Fatalf("%s: %v", num, err)
		}
		want := []string{"Комментарий", "#" + itoa(len(h)-1), "Примечание"}
		if !reflect.DeepEqual(m.Unknown, want) {
			t.Errorf("%s: unknown %q, want %q", num, m.Unknown, want)
		}
		if m.Of("record_id") != 1 || m.Of("act_confirmation") != len(register.Columns) {
			t.Errorf("%s: record_id at %d", num, m.Of("record_id"))
		}
	}
	// A row-number title elsewhere than first is not silent.
	h := append(register.ColumnNames(), "№")
	if m, err := MapHeader(h); err != nil || !reflect.DeepEqual(m.Unknown, []string{"№"}) {
		t.Errorf("unknown %q, %v", m.Unknown, err)
	}
}

func itoa(i int) string {
	s := ""
	for ; i > 0; i /= 10 {
		s = string(rune('0'+i%10)) + s
	}
	return s
}

func TestMapHeaderMissing(t *testing.T) {
	h := []string{"record_id", "Область", "Наименование предприятия клиента", "client_iin", "start_date"}
	m, err := MapHeader(h)
	var he *HeaderError
	if !errors.As(err, &he) || he.Code != CodeMissingColumns {
		t.Fatalf("error %v, want missing_columns", err)
	}
	want := []string{"enterprise_iin_bin", "client_full_name", "manager_full_name", "end_date", "delivery_mode"}
	if !reflect.DeepEqual(he.Columns, want) || !reflect.DeepEqual(m.Missing, want) {
		t.Errorf("missing %q / %q, want %q", he.Columns, m.Missing, want)
	}
	if he.Key() != "ingest.file.missing_columns" {
		t.Errorf("key %s", he.Key())
	}
	if p := he.Params(); p[0] != "columns" || p[1] != strings.Join(want, ", ") {
		t.Errorf("params %v", p)
	}
	if m.Of("region_kato") != 1 || m.Of("settlement_kato") != -1 {
		t.Errorf("index %v", m.Index)
	}
}

func TestMapHeaderDuplicate(t *testing.T) {
	h := append(register.ColumnNames(), "Client Gender")
	_, err := MapHeader(h)
	var he *HeaderError
	if !errors.As(err, &he) || he.Code != CodeDuplicateColumn || he.Key() != "ingest.file.duplicate_column" {
		t.Fatalf("error %v, want duplicate_column", err)
	}
	// client_gender is given by its canonical name (a code) and twice by a
	// title: the code wins over both, so this is not an error...
	h = []string{"client_gender", "Пол клиента"}
	if m, _ := MapHeader(h); m.Of("client_gender") != 0 || !reflect.DeepEqual(m.Unknown, []string{"Пол клиента"}) {
		t.Errorf("code and title: index %d unknown %q", m.Of("client_gender"), m.Unknown)
	}
	// ...but two titles of the same kind are.
	_, err = MapHeader([]string{"Пол клиента", "Клиенттің жынысы"})
	if !errors.As(err, &he) || he.Code != CodeDuplicateColumn ||
		!reflect.DeepEqual(he.Columns, []string{"client_gender"}) || !reflect.DeepEqual(he.Titles, []string{"Пол клиента", "Клиенттің жынысы"}) {
		t.Errorf("error %+v", err)
	}
}

// TestMapHeaderCodeBeatsTitle: a file with both the Annex 1 region title and
// a KATO code column takes the code.
func TestMapHeaderCodeBeatsTitle(t *testing.T) {
	h := titles(annexRU)
	h = append(h, "Код КАТО области")
	m, err := MapHeader(h)
	if err != nil {
		t.Fatal(err)
	}
	if m.Of("region_kato") != len(h)-1 || !reflect.DeepEqual(m.Unknown, []string{annexRU["region_kato"]}) {
		t.Errorf("region_kato at %d, unknown %q", m.Of("region_kato"), m.Unknown)
	}
}

func TestFold(t *testing.T) {
	tests := map[string]string{
		"  ӘҒҚҢӨҰҮҺІ  әғқңөұүһі ": "агкноуухи агкноуухи",
		"Ёлка":      "елка",
		"CCЕA":      "ccea",
		"Клиенттiң": "клиенттин",
		"№ п/п":     "no п п",
		"e-mail":    "e mail",
	}
	for in, want := range tests {
		if got := fold(in); got != want {
			t.Errorf("fold(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestMessagesTranslated: every error code of reading and mapping a file has
// its text in every language.
func TestMessagesTranslated(t *testing.T) {
	var keys []string
	for _, c := range []string{tabular.CodeEmpty, tabular.CodeNoRows, tabular.CodeBinary, tabular.CodeTruncated,
		tabular.CodeLineTooLong, tabular.CodeRowTooLong, tabular.CodeTooLarge, tabular.CodeZipBomb,
		tabular.CodeNotXLSX, tabular.CodeOldExcel, tabular.CodeUnreadable} {
		keys = append(keys, (&tabular.FileError{Code: c}).Key())
	}
	for _, c := range []string{tabular.RowFieldCount, tabular.RowBadQuote, tabular.RowInvalidUTF8, tabular.RowBadCell} {
		keys = append(keys, (&tabular.RowError{Code: c}).Key())
	}
	for _, c := range []string{CodeMissingColumns, CodeDuplicateColumn} {
		keys = append(keys, (&HeaderError{Code: c}).Key())
	}
	keys = append(keys, "ingest.header.ignored_column")
	for _, lang := range i18n.Langs {
		for _, k := range keys {
			if !i18n.Has(lang, k) {
				t.Errorf("%s: no text for %s", lang, k)
			}
		}
	}
	he := &HeaderError{Code: CodeDuplicateColumn, Columns: []string{"client_gender"}, Titles: []string{"Пол", "Жынысы"}}
	if got := i18n.T(i18n.RU, he.Key(), he.Params()...); strings.Contains(got, "{") || !strings.Contains(got, "«Жынысы»") {
		t.Errorf("text %q", got)
	}
}
