package kz

import (
	"testing"
)

func TestLegalForms(t *testing.T) {
	// The register's codes, in its order (spec/register-format.md §1).
	want := []string{"IE", "LLP", "JSC", "FARM", "PC", "OTHER"}
	list := LegalForms()
	if len(list) != len(want) {
		t.Fatalf("%d legal forms, want %d", len(list), len(want))
	}
	for i, f := range list {
		if f.Code != want[i] {
			t.Errorf("form %d = %s, want %s", i, f.Code, want[i])
		}
		for _, n := range []Names{f.Short, f.Name} {
			if n.KK == "" || n.RU == "" || n.EN == "" {
				t.Errorf("%s: a name is missing: %+v", f.Code, n)
			}
		}
		if got, ok := LegalFormByCode(f.Code); !ok || got.Code != f.Code {
			t.Errorf("LegalFormByCode(%s) = %+v, %v", f.Code, got, ok)
		}
	}
	// Names from reference-kz.md §5.2.
	llp, _ := LegalFormByCode("LLP")
	if llp.Short.RU != "ТОО" || llp.Short.KK != "ЖШС" || llp.KOPF[0] != "20" {
		t.Errorf("LLP = %+v", llp)
	}
	if ie, _ := LegalFormByCode("IE"); ie.Short.RU != "ИП" || ie.Short.KK != "ЖК" {
		t.Errorf("IE = %+v", ie)
	}
	if _, ok := LegalFormByCode("ТОО"); ok {
		t.Error("LegalFormByCode takes register codes, not abbreviations")
	}
	LegalForms()[1].KOPF[0] = "99"
	if f, _ := LegalFormByCode("LLP"); f.KOPF[0] != "20" {
		t.Error("LegalForms shares the KOPF slices")
	}
}

func TestCategories(t *testing.T) {
	want := []string{"micro", "small", "medium", "large"}
	list := Categories()
	if len(list) != len(want) {
		t.Fatalf("%d categories, want 4", len(list))
	}
	for i, c := range list {
		if c.Code != want[i] || c.Name.KK == "" || c.Name.RU == "" || c.Name.EN == "" {
			t.Errorf("category %d = %+v", i, c)
		}
		if got, ok := CategoryByCode(c.Code); !ok || got != c {
			t.Errorf("CategoryByCode(%s) = %+v, %v", c.Code, got, ok)
		}
	}
	if _, ok := CategoryByCode("Small"); ok {
		t.Error("CategoryByCode is case-sensitive, like the register")
	}
}

func TestIDKindFits(t *testing.T) {
	tests := []struct {
		form string
		kind IDKind
		want bool
	}{
		{"IE", KindIIN, true},
		{"IE", KindBIN, true}, // joint entrepreneurship
		{"FARM", KindIIN, true},
		{"FARM", KindBIN, true},
		{"LLP", KindBIN, true},
		{"LLP", KindIIN, false},
		{"JSC", KindIIN, false},
		{"PC", KindIIN, false},
		{"OTHER", KindIIN, true},
		{"OTHER", KindBIN, true},
		{"XYZ", KindIIN, true}, // unknown codes are the legal_form check's business
		{"IE", "", false},
	}
	for _, tt := range tests {
		if got := IDKindFits(tt.form, tt.kind); got != tt.want {
			t.Errorf("IDKindFits(%s, %s) = %v, want %v", tt.form, tt.kind, got, tt.want)
		}
	}
}

func TestIDFits(t *testing.T) {
	iin := mustID(t, "830717350867")
	llpBIN := mustID(t, "011140001654")  // type 4
	jointIE := mustID(t, "190163000104") // type 6, attribute 3
	tests := []struct {
		form string
		id   ID
		want bool
	}{
		{"IE", iin, true},
		{"IE", jointIE, true},
		{"IE", llpBIN, false}, // an IE with a legal entity's BIN
		{"FARM", jointIE, true},
		{"FARM", llpBIN, false},
		{"LLP", llpBIN, true},
		{"LLP", jointIE, false},
		{"LLP", iin, false},
		{"OTHER", jointIE, true},
	}
	for _, tt := range tests {
		if got := IDFits(tt.form, tt.id); got != tt.want {
			t.Errorf("IDFits(%s, %s) = %v, want %v", tt.form, tt.id.Number, got, tt.want)
		}
	}
}

func mustID(t *testing.T, s string) ID {
	t.Helper()
	id, err := ParseID(s)
	if err != nil {
		t.Fatal(err)
	}
	return id
}
