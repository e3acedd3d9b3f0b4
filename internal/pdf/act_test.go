package pdf

import (
	"bytes"
	"strings"
	"testing"

	"esep/internal/i18n"
)

func testAct() *ActDoc {
	return &ActDoc{
		Number: "АКТ-2026/0457", Date: "2026-03-13T10:05:00+05:00",
		Region: "Қызылорда облысы", Settlement: "Арал", Center: "Кәсіпкерлерге қызмет көрсету орталығы",
		Manager: "Ахметов Нұрлан Серікұлы", Client: "Қасымова Әсем Серікқызы", ClientIIN: "900515400123",
		Enterprise: "ЖК «Әсем»", EnterpriseID: "900515400123",
		Services:         []ActService{{RecordID: "SRV-2026-0001", Service: "Бухгалтерлік есеп", Subtype: "Салық есептілігі", Start: "2026-03-12", End: "2026-03-13"}},
		QuestionnaireURL: "https://esep.example.kz/q/abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG",
		Expires:          "2026-05-12T05:05:00Z", Printed: "2026-03-13T05:05:00Z",
	}
}

// TestAct: the act reads back with its number, parties, service, signature
// lines and the link in every language, Kazakh letters intact, with the QR
// code embedded as an image; the same act renders to the same bytes.
func TestAct(t *testing.T) {
	for _, tt := range []struct {
		lang  i18n.Lang
		words []string
	}{
		{i18n.KK, []string{"Көрсетілген қызметтер актісі № АКТ-2026/0457", "13.03.2026", "Қасымова Әсем Серікқызы", "ЖСН 900515400123", "қолы", "бір рет жауап беруге болады"}},
		{i18n.RU, []string{"Акт оказанных услуг № АКТ-2026/0457", "Клиент: Қасымова Әсем Серікқызы", "подпись", "новая ссылка", "12.05.2026"}},
		{i18n.EN, []string{"Act of services rendered No. АКТ-2026/0457", "Manager: Ахметов Нұрлан Серікұлы", "signature", "Printing the act again makes a new link"}},
	} {
		var buf bytes.Buffer
		if err := Act(&buf, testAct(), tt.lang); err != nil {
			t.Fatal(err)
		}
		path := writePDF(t, buf.Bytes())
		text := flat(pdfText(t, path, "-raw"))
		for _, w := range append(tt.words, "SRV-2026-0001", "Бухгалтерлік есеп / Салық есептілігі", testAct().QuestionnaireURL, "Арал") {
			if !strings.Contains(text, w) {
				t.Errorf("%s: %q not in the act:\n%s", tt.lang, w, text)
			}
		}
		if images := run(t, "pdfimages", "-list", path); strings.Count(images, "\n") < 3 {
			t.Errorf("%s: no QR image in the act:\n%s", tt.lang, images)
		}
		var again bytes.Buffer
		Act(&again, testAct(), tt.lang)
		if !bytes.Equal(buf.Bytes(), again.Bytes()) {
			t.Errorf("%s: the same act rendered to different bytes", tt.lang)
		}
	}
	if err := Act(&bytes.Buffer{}, &ActDoc{Printed: "2026-03-13T05:05:00Z"}, i18n.KK); err == nil {
		t.Error("an act without a link rendered")
	}
}
