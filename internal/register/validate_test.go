package register

import (
	"slices"
	"strings"
	"testing"
	"time"

	"esep/internal/i18n"
	"esep/internal/kz"
)

var today = time.Date(2026, 11, 25, 0, 0, 0, 0, time.UTC)

// validRecord returns a record that breaks no rule: the passing example
// for every rule below.
func validRecord(t *testing.T) Record {
	t.Helper()
	iin, err := kz.NewIIN(time.Date(1985, 3, 14, 0, 0, 0, 0, time.UTC), kz.Female, 1234)
	if err != nil {
		t.Fatal(err)
	}
	bin := mustBIN(t)
	return Record{
		RecordID: "SRV-1", RegionKATO: "430000000", SettlementKATO: "431010000", SettlementName: "Қызылорда",
		PlaceKind: "service_center", ServicePlace: "ЦОП Кызылорда", EnterpriseName: "ТОО «Береке»",
		EnterpriseID: bin, ClientFullName: "Қасымова Әсем Серікқызы", ClientIIN: iin, ClientGender: "F",
		ClientBirthDate: "1985-03-14", ClientAge: "40", ClientDisability: "none", LegalForm: "LLP",
		Category: "micro", OKEDSection: "G", OKEDCode: "47110", ServiceCode: "ACC", ServiceSubtype: "ACC-01",
		ManagerFullName: "Ахметов Нұрлан", StartDate: "2026-03-12", EndDate: "2026-03-13",
		WorkPhone: "8 (7242) 23-45-67", MobilePhone: "+77011234567", Email: "asem@mail.kz", DeliveryMode: "offline",
		ActNumber: "A-1", ActSignedAt: "2026-03-13T15:04:05+05:00", ActConfirmation: "eds",
	}
}

func mustBIN(t *testing.T) string {
	t.Helper()
	for serial := 1; ; serial++ {
		if b, err := kz.NewBIN(2015, 6, 4, 0, serial); err == nil {
			return b
		}
	}
}

func validator() *Validator {
	return &Validator{Today: today, Services: ServiceSet(DefaultServices()),
		Settlements: func(code string) bool { return code != "431099999" }}
}

func TestValidRecordPasses(t *testing.T) {
	r := validRecord(t)
	Normalize(&r)
	if fs := validator().Validate(&r); len(fs) != 0 {
		t.Fatalf("a valid record has findings: %v", fs)
	}
}

// TestRules gives each rule a failing example: the valid record with one
// change. The valid record itself is the passing example (above).
func TestRules(t *testing.T) {
	tests := []struct {
		rule   Rule
		column string
		change func(r *Record)
	}{
		{RuleRequired, "manager_full_name", func(r *Record) { r.ManagerFullName = " " }},
		{RuleRequired, "record_id", func(r *Record) { r.RecordID = "" }},
		{RuleInvalidDate, "start_date", func(r *Record) { r.StartDate = "2026-02-30" }},
		{RuleInvalidDate, "client_birth_date", func(r *Record) { r.ClientBirthDate = "вчера" }},
		{RuleInvalidValue, "client_gender", func(r *Record) { r.ClientGender = "X" }},
		{RuleInvalidValue, "delivery_mode", func(r *Record) { r.DeliveryMode = "by post" }},
		{RuleInvalidValue, "oked_section", func(r *Record) { r.OKEDSection = "Z" }},
		{RuleInvalidValue, "client_age", func(r *Record) { r.ClientAge = "forty" }},
		{RuleInvalidTimestamp, "act_signed_at", func(r *Record) { r.ActSignedAt = "13 March" }},
		{RuleEnterpriseID, "enterprise_iin_bin", func(r *Record) { r.EnterpriseID = flipLast(r.EnterpriseID) }},
		{RuleClientIIN, "client_iin", func(r *Record) { r.ClientIIN = flipLast(r.ClientIIN) }},
		{RuleEndBeforeStart, "end_date", func(r *Record) { r.EndDate = "2026-03-10" }},
		{RuleFutureDate, "end_date", func(r *Record) { r.EndDate = "2027-01-05" }},
		{RuleRegionUnknown, "region_kato", func(r *Record) { r.RegionKATO = "510000000" }},
		{RuleSettlementRegion, "settlement_kato", func(r *Record) { r.SettlementKATO = "711010000" }},
		{RuleSettlementUnknown, "settlement_kato", func(r *Record) { r.SettlementKATO = "431099999" }},
		{RuleOKEDMismatch, "oked_code", func(r *Record) { r.OKEDCode = "01110" }},
		{RuleIINGender, "client_gender", func(r *Record) { r.ClientGender = "M" }},
		{RuleIINBirthDate, "client_birth_date", func(r *Record) { r.ClientBirthDate = "1985-03-15"; r.ClientAge = "" }},
		{RuleAgeMismatch, "client_age", func(r *Record) { r.ClientAge = "39" }},
		{RuleAgeImplausible, "client_age", func(r *Record) { r.ClientAge = "7"; r.ClientBirthDate = ""; r.ClientIIN = "" }},
		{RuleOnlineUnconfirmed, "act_confirmation", func(r *Record) { r.DeliveryMode = "online"; r.ActConfirmation = "paper" }},
		{RuleActMissing, "act_number", func(r *Record) { r.ActNumber = "" }},
		{RuleActMissing, "act_signed_at", func(r *Record) { r.ActSignedAt = "" }},
		{RuleActBeforeStart, "act_signed_at", func(r *Record) { r.ActSignedAt = "2026-03-11T23:00:00+05:00" }},
		{RulePhoneFormat, "mobile_phone", func(r *Record) { r.MobilePhone = "8-777-12" }},
		{RulePhoneFormat, "work_phone", func(r *Record) { r.WorkPhone = "call me" }},
		{RuleEmailFormat, "email", func(r *Record) { r.Email = "asem@" }},
		{RuleLegalFormID, "legal_form", func(r *Record) { r.LegalForm = "IE" }},
		{RuleServiceUnknown, "service_code", func(r *Record) { r.ServiceCode = "ZZZ" }},
	}
	for _, tt := range tests {
		t.Run(tt.rule.Code+"/"+tt.column, func(t *testing.T) {
			r := validRecord(t)
			tt.change(&r)
			Normalize(&r)
			fs := validator().Validate(&r)
			i := slices.IndexFunc(fs, func(f Finding) bool { return f.Rule == tt.rule.Code && f.Column == tt.column })
			if i < 0 {
				t.Fatalf("want %s on %s, got %v", tt.rule.Code, tt.column, fs)
			}
			f := fs[i]
			if f.Severity != tt.rule.Severity {
				t.Errorf("severity %s, want %s", f.Severity, tt.rule.Severity)
			}
			for _, lang := range i18n.Langs {
				msg := f.Message(lang)
				if msg == "" || strings.HasPrefix(msg, "rule.") || strings.Contains(msg, "{") {
					t.Errorf("%s message not rendered: %q", lang, msg)
				}
			}
		})
	}
}

// TestEveryRuleHasMessages checks that each rule's message exists in every
// language; the catalog test checks their parameters agree.
func TestEveryRuleHasMessages(t *testing.T) {
	for _, r := range Rules {
		for _, lang := range i18n.Langs {
			if !i18n.Has(lang, "rule."+r.Code) {
				t.Errorf("rule %s has no %s message", r.Code, lang)
			}
		}
	}
}

func flipLast(id string) string {
	return id[:11] + string(rune('0'+(id[11]-'0'+1)%10))
}

func TestNormalize(t *testing.T) {
	r := Record{
		ClientGender: "Ж", DeliveryMode: "Онлайн", LegalForm: "ТОО", Category: "Шағын", StartDate: "12.03.2026",
		EndDate: "2026-03-13 00:00:00", MobilePhone: "8 (701) 123-45-67", RegionKATO: "Қызылорда облысы",
		ActSignedAt: "2026-03-13 10:00", ActConfirmation: "ЭЦП", OKEDCode: "47.11.0", ClientFullName: "  Қасымова   Әсем ",
		ClientAge: "41.0", ClientDisability: "II", ServiceCode: "Юридические услуги", ServiceSubtype: "салық есептілігін тапсыру",
	}
	Normalize(&r)
	want := Record{
		ClientGender: "F", DeliveryMode: "online", LegalForm: "LLP", Category: "small", StartDate: "2026-03-12",
		EndDate: "2026-03-13", MobilePhone: "+77011234567", RegionKATO: "430000000",
		ActSignedAt: "2026-03-13T10:00:00+05:00", ActConfirmation: "eds", OKEDCode: "47110", ClientFullName: "Қасымова Әсем",
		ClientAge: "41", ClientDisability: "2", ServiceCode: "LEG", ServiceSubtype: "ACC-01",
	}
	if d := r.Diff(&want); len(d) > 0 {
		t.Errorf("Normalize differs: %+v", d)
	}
}

func TestActExclusion(t *testing.T) {
	tests := []struct {
		name   string
		change func(r *Record)
		want   string
	}{
		{"confirmed", func(*Record) {}, ""},
		{"no act number", func(r *Record) { r.ActNumber = "" }, ExcludedNoAct},
		{"no signing time", func(r *Record) { r.ActSignedAt = "" }, ExcludedNoAct},
		{"online on paper", func(r *Record) { r.DeliveryMode = "online"; r.ActConfirmation = "paper" }, ExcludedOnlinePaper},
		{"online with otp2", func(r *Record) { r.DeliveryMode = "online"; r.ActConfirmation = "otp2" }, ""},
		{"offline on paper", func(r *Record) { r.ActConfirmation = "paper" }, ""},
		{"signed before start", func(r *Record) { r.ActSignedAt = "2026-03-11T12:00:00+05:00" }, ExcludedActBeforeStart},
		// 20:00 UTC on 11 March is 01:00 on 12 March in Kazakhstan: the
		// start day, so the act is in time.
		{"signed on start day in UTC+5", func(r *Record) { r.ActSignedAt = "2026-03-11T20:00:00Z" }, ""},
	}
	for _, tt := range tests {
		r := validRecord(t)
		tt.change(&r)
		if got := ActExclusion(&r); got != tt.want {
			t.Errorf("%s: ActExclusion = %q, want %q", tt.name, got, tt.want)
		}
	}
}

func TestClientKey(t *testing.T) {
	a := Record{ClientFullName: "Қасымова  Әсем", ClientBirthDate: "1985-03-14"}
	b := Record{ClientFullName: "касымова асем", ClientBirthDate: "1985-03-14"}
	if ClientKey(&a) != ClientKey(&b) {
		t.Errorf("folded spellings give different keys: %q, %q", ClientKey(&a), ClientKey(&b))
	}
	c := b
	c.ClientBirthDate = "1985-03-15"
	if ClientKey(&b) == ClientKey(&c) {
		t.Error("different birth dates give the same key")
	}
	d := a
	d.ClientIIN = "850314450011"
	if ClientKey(&d) != "iin:850314450011" {
		t.Errorf("IIN key = %q", ClientKey(&d))
	}
}

func TestAgeBand(t *testing.T) {
	tests := []struct {
		birth, age, start, want string
	}{
		{"2008-03-13", "", "2026-03-12", "under_18"},
		{"2008-03-12", "", "2026-03-12", "18_29"},
		{"1996-03-12", "", "2026-03-12", "30_39"},
		{"1996-03-13", "", "2026-03-12", "18_29"},
		{"", "45", "2026-03-12", "40_49"},
		{"", "59", "2026-03-12", "50_59"},
		{"1950-01-01", "30", "2026-03-12", "60_plus"}, // the birth date wins over the stated age
		{"", "", "2026-03-12", "unknown"},
		{"", "abc", "2026-03-12", "unknown"},
	}
	for _, tt := range tests {
		r := Record{ClientBirthDate: tt.birth, ClientAge: tt.age, StartDate: tt.start}
		if got := AgeBand(&r); got != tt.want {
			t.Errorf("AgeBand(birth %q, age %q) = %s, want %s", tt.birth, tt.age, got, tt.want)
		}
	}
}
