package kz

import "slices"

// LegalForm is one value of the register's legal_form column
// (spec/register-format.md §1), with its names from reference-kz.md §5.2.
// The register keeps only the forms SME support deals with; every other
// organisational form is OTHER.
type LegalForm struct {
	Code  string   // IE, LLP, JSC, FARM, PC or OTHER
	Short Names    // abbreviation: ИП / ЖК / IE
	Name  Names    // full name
	KOPF  []string // 2-digit KOPF codes of this form (db-struct dict_org_legal; not the official classifier)
}

// The legal-form codes of the register file.
const (
	FormIE    = "IE"
	FormLLP   = "LLP"
	FormJSC   = "JSC"
	FormFARM  = "FARM"
	FormPC    = "PC"
	FormOTHER = "OTHER"
)

// There is no official English name of any form: LLP, JSC and IE are what
// Kazakh companies write in their English names; the farm and the
// cooperative have no customary English abbreviation, so theirs are
// descriptive.
var legalForms = []LegalForm{
	{
		Code:  FormIE,
		Short: Names{KK: "ЖК", RU: "ИП", EN: "IE"},
		Name: Names{
			KK: "Жеке кәсіпкер",
			RU: "Индивидуальный предприниматель",
			EN: "Individual entrepreneur",
		},
		KOPF: []string{"45", "46", "47"}, // 45, 46 personal; 47 joint entrepreneurship
	},
	{
		Code:  FormLLP,
		Short: Names{KK: "ЖШС", RU: "ТОО", EN: "LLP"},
		Name: Names{
			KK: "Жауапкершілігі шектеулі серіктестік",
			RU: "Товарищество с ограниченной ответственностью",
			EN: "Limited liability partnership",
		},
		KOPF: []string{"20"},
	},
	{
		Code:  FormJSC,
		Short: Names{KK: "АҚ", RU: "АО", EN: "JSC"},
		Name: Names{
			KK: "Акционерлік қоғам",
			RU: "Акционерное общество",
			EN: "Joint-stock company",
		},
		KOPF: []string{"28"},
	},
	{
		// A peasant farm is a form of individual entrepreneurship: it has
		// no KOPF code of its own.
		Code:  FormFARM,
		Short: Names{KK: "ШҚ", RU: "КХ", EN: "Farm"},
		Name: Names{
			KK: "Шаруа (фермер) қожалығы",
			RU: "Крестьянское (фермерское) хозяйство",
			EN: "Peasant (farm) enterprise",
		},
	},
	{
		Code:  FormPC,
		Short: Names{KK: "ӨК", RU: "ПК", EN: "PC"},
		Name: Names{
			KK: "Өндірістік кооператив",
			RU: "Производственный кооператив",
			EN: "Production cooperative",
		},
		KOPF: []string{"31"},
	},
	{
		// Additional liability, general, limited and agricultural
		// partnerships, consumer cooperatives, state enterprises,
		// institutions, public associations and foundations.
		Code:  FormOTHER,
		Short: Names{KK: "басқа", RU: "другая", EN: "other"},
		Name: Names{
			KK: "Басқа ұйымдық-құқықтық нысан",
			RU: "Другая организационно-правовая форма",
			EN: "Other legal form",
		},
		KOPF: []string{"10", "11", "12", "18", "19", "21", "35", "36", "37", "38", "42"},
	},
}

// LegalForms returns the register's legal forms in the order of the
// register format. The slice and its KOPF lists are copies.
func LegalForms() []LegalForm {
	out := make([]LegalForm, len(legalForms))
	for i, f := range legalForms {
		f.KOPF = slices.Clone(f.KOPF)
		out[i] = f
	}
	return out
}

// LegalFormByCode finds a legal form by its register code, e.g. "LLP".
func LegalFormByCode(code string) (LegalForm, bool) {
	for _, f := range legalForms {
		if f.Code == code {
			f.KOPF = slices.Clone(f.KOPF)
			return f, true
		}
	}
	return LegalForm{}, false
}

// IDKindFits reports whether an enterprise of legalForm may have an
// identification number of kind, for a warning (never a block) on the
// enterprise_iin_bin column. An individual entrepreneur or a peasant farm
// normally works under the owner's IIN (Law No. 223 of 12.01.2007, art. 1),
// but in joint entrepreneurship it has a BIN, so both kinds fit; LLP, JSC
// and PC are legal entities and have a BIN. OTHER, and a code this package
// does not know, fit either kind: an unknown code is reported by the
// legal_form check itself, not twice. IDFits is the finer test when the
// BIN itself is at hand.
func IDKindFits(legalForm string, kind IDKind) bool {
	switch legalForm {
	case FormLLP, FormJSC, FormPC:
		return kind == KindBIN
	}
	return kind == KindIIN || kind == KindBIN
}

// IDFits is IDKindFits with the number's digits taken into account: an IE
// or a farm with a BIN fits only if its type digit is 6 (IE in joint
// entrepreneurship), and an LLP, JSC or PC fits only with a BIN of type 4
// or 5 (resident or non-resident legal entity). The farm's attribute digit
// (3 for a joint farm) is not required, as reference-kz.md §1.1 does not
// say that every joint farm's BIN has it.
func IDFits(legalForm string, id ID) bool {
	if !IDKindFits(legalForm, id.Kind) {
		return false
	}
	if id.Kind != KindBIN || id.BIN == nil {
		return true
	}
	switch legalForm {
	case FormIE, FormFARM:
		return id.BIN.Type == 6
	case FormLLP, FormJSC, FormPC:
		return id.BIN.Type == 4 || id.BIN.Type == 5
	}
	return true
}

// Category is an entrepreneur category of the Entrepreneurial Code, art. 24
// (reference-kz.md §5.1), as in the register's entrepreneur_category
// column. For state statistics only the employee criterion applies
// (art. 24 p.2); the thresholds are not kept here because the wording of
// the income criteria and the later amendments are unconfirmed.
type Category struct {
	Code string // micro, small, medium or large
	Name Names
}

// The category codes of the register file.
const (
	CategoryMicro  = "micro"
	CategorySmall  = "small"
	CategoryMedium = "medium"
	CategoryLarge  = "large"
)

var categories = []Category{
	{CategoryMicro, Names{KK: "Микрокәсіпкерлік", RU: "Микропредпринимательство", EN: "Micro business"}},
	{CategorySmall, Names{KK: "Шағын кәсіпкерлік", RU: "Малое предпринимательство", EN: "Small business"}},
	{CategoryMedium, Names{KK: "Орта кәсіпкерлік", RU: "Среднее предпринимательство", EN: "Medium business"}},
	{CategoryLarge, Names{KK: "Ірі кәсіпкерлік", RU: "Крупное предпринимательство", EN: "Large business"}},
}

// Categories returns the four categories from micro to large. The slice is
// a copy.
func Categories() []Category { return slices.Clone(categories) }

// CategoryByCode finds a category by its register code, e.g. "small".
func CategoryByCode(code string) (Category, bool) {
	for _, c := range categories {
		if c.Code == code {
			return c, true
		}
	}
	return Category{}, false
}
