package pdf

import (
	"bytes"
	"errors"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"io"

	"codeberg.org/go-pdf/fpdf"
	"github.com/boombuler/barcode/qr"

	"esep/internal/i18n"
)

// ActDoc is an act of services rendered (clause 6: the document that
// confirms a service, signed by the client) with the link to the client's
// quality questionnaire (Annex 2, clause 15) printed on it as a QR code.
// Its fields are what the paper says, already in the reader's language
// where they are names of codes: the caller resolves service and region
// names.
type ActDoc struct {
	Number string // the act's number; empty when the register has none yet
	Date   string // the act's date: YYYY-MM-DD or RFC 3339
	// Where and by whom.
	Region, Settlement, Center string
	Manager                    string
	// The client and the enterprise.
	Client, ClientIIN        string
	Enterprise, EnterpriseID string
	Services                 []ActService
	// QuestionnaireURL is the absolute link the QR code holds; Expires (RFC
	// 3339) is when it stops working; Printed (RFC 3339) is when this copy
	// was printed and the link made, and dates the PDF.
	QuestionnaireURL string
	Expires, Printed string
}

// ActService is one service the act covers.
type ActService struct {
	RecordID         string
	Service, Subtype string // names
	Start, End       string // YYYY-MM-DD
	Online           bool
}

// qrModulePixels is how many pixels one module of the QR code takes in
// the embedded image; qrQuiet is the quiet zone around it, in modules, that
// the QR standard asks for so a phone finds the code.
const (
	qrModulePixels = 8
	qrQuiet        = 4
	qrSize         = 36.0 // mm on paper: a phone reads it from arm's length
)

// Act writes the act a as a PDF in lang to w: title and number, date and
// place, the parties, the services, the client's confirmation, signature
// lines for the manager and the client, and the questionnaire's QR code
// with the link written out and a note that the link was made when the act
// was printed. It returns an error when a has no link or bad dates, and
// errors of fpdf.
func Act(w io.Writer, a *ActDoc, lang i18n.Lang) error {
	if a == nil || a.QuestionnaireURL == "" {
		return errors.New("pdf act: no act or no questionnaire link")
	}
	printed, err := parseDate(a.Printed)
	if err != nil {
		return fmt.Errorf("pdf act %s: printed: %w", a.Number, err)
	}
	code, err := qrPNG(a.QuestionnaireURL)
	if err != nil {
		return fmt.Errorf("pdf act %s: %w", a.Number, err)
	}
	number := a.Number
	if number == "" {
		number = "—"
	}
	d := newDoc(lang, printed, i18n.T(lang, "doc.act.title", "number", number), 1)
	f := d.f
	f.AddPage()
	d.para(d.t("doc.act.title", "number", clean(number)), true, 14, "C")
	f.Ln(2)
	d.para(d.t("doc.act.date_place", "date", dateText(civil(a.Date)), "place", clean(joinNonEmpty(", ", a.Settlement, a.Region))), false, sizeBody, "C")
	f.Ln(6)

	for _, p := range [][2]string{
		{"doc.act.operator", joinNonEmpty(", ", a.Center, a.Settlement, a.Region)},
		{"doc.act.manager", a.Manager},
		{"doc.act.client", joinNonEmpty(", ", a.Client, prefixed(d.t("doc.act.iin"), a.ClientIIN))},
		{"doc.act.enterprise", joinNonEmpty(", ", a.Enterprise, prefixed(d.t("doc.act.bin"), a.EnterpriseID))},
	} {
		d.para(d.t(p[0])+": "+clean(p[1]), false, sizeBody, "L")
		f.Ln(1)
	}
	f.Ln(4)
	d.para(d.t("doc.act.intro"), false, sizeBody, "L")
	f.Ln(2)
	cols := []column{
		{"№", 8, "R"},
		{d.t("doc.act.col.service"), 0, "L"},
		{d.t("doc.act.col.dates"), 40, "L"},
		{d.t("doc.act.col.mode"), 20, "L"},
		{d.t("doc.col.record_id"), 34, "L"},
	}
	cols[1].width = bodyWidth - cols[0].width - cols[2].width - cols[3].width - cols[4].width
	t := d.newTableMM(cols)
	for i, s := range a.Services {
		mode := d.t("doc.act.offline")
		if s.Online {
			mode = d.t("doc.act.online")
		}
		dates := dateText(s.Start)
		if s.End != s.Start {
			dates += " — " + dateText(s.End)
		}
		t.row([]string{fmt.Sprint(i + 1), joinNonEmpty(" / ", s.Service, s.Subtype), dates, mode, s.RecordID}, rowStyle{})
	}
	f.Ln(4)
	d.para(d.t("doc.act.statement"), false, sizeBody, "L")

	// The signatures stay whole, with the QR code beside them.
	d.room(qrSize + 30)
	f.Ln(10)
	y := f.GetY()
	lineW := bodyWidth - qrSize - 12
	for i, who := range []string{d.t("doc.act.sign_manager", "name", clean(a.Manager)), d.t("doc.act.sign_client", "name", clean(a.Client))} {
		yy := y + float64(i)*20
		d.font(false, sizeBody)
		f.SetXY(marginLeft, yy)
		f.CellFormat(lineW, lineHeight(sizeBody), who, "", 0, "L", false, 0, "")
		f.Line(marginLeft, yy+11, marginLeft+lineW-10, yy+11)
		d.font(false, sizeSmall)
		f.SetXY(marginLeft, yy+11.5)
		f.CellFormat(lineW, lineHeight(sizeSmall), d.t("doc.act.signature"), "", 0, "L", false, 0, "")
	}
	qrX := marginLeft + bodyWidth - qrSize
	f.RegisterImageOptionsReader("questionnaire-qr", fpdf.ImageOptions{ImageType: "PNG"}, bytes.NewReader(code))
	f.ImageOptions("questionnaire-qr", qrX, y, qrSize, qrSize, false, fpdf.ImageOptions{ImageType: "PNG"}, 0, a.QuestionnaireURL)

	f.SetXY(marginLeft, max(y+36, y+qrSize)+6)
	d.para(d.t("doc.act.qr"), true, sizeBody, "L")
	f.Ln(1)
	d.font(false, sizeSmall)
	f.SetX(marginLeft)
	f.MultiCell(bodyWidth, lineHeight(sizeSmall), clean(a.QuestionnaireURL), "", "L", false)
	f.Ln(1)
	d.para(d.t("doc.act.qr_note", "printed", timeText(a.Printed), "expires", dateText(civil(a.Expires))), false, sizeSmall, "L")

	if err := f.Error(); err != nil {
		return fmt.Errorf("pdf act %s: %w", a.Number, err)
	}
	if err := f.Output(w); err != nil {
		return fmt.Errorf("pdf act %s: %w", a.Number, err)
	}
	return nil
}

// qrPNG draws text as a QR code (error correction M: a printed act may be
// creased) with its quiet zone, as an 8-bit grey PNG, which fpdf embeds
// (it refuses 16-bit ones). Black modules are exactly black, white exactly
// white: nothing a camera could misread.
func qrPNG(text string) ([]byte, error) {
	code, err := qr.Encode(text, qr.M, qr.Auto)
	if err != nil {
		return nil, fmt.Errorf("qr code: %w", err)
	}
	n := code.Bounds().Dx()
	side := (n + 2*qrQuiet) * qrModulePixels
	img := image.NewGray(image.Rect(0, 0, side, side))
	for i := range img.Pix {
		img.Pix[i] = 0xff
	}
	for my := range n {
		for mx := range n {
			if c := color.GrayModel.Convert(code.At(mx, my)).(color.Gray); c.Y >= 0x80 {
				continue
			}
			for py := range qrModulePixels {
				row := ((my+qrQuiet)*qrModulePixels + py) * img.Stride
				for px := range qrModulePixels {
					img.Pix[row+(mx+qrQuiet)*qrModulePixels+px] = 0
				}
			}
		}
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		return nil, fmt.Errorf("qr code: %w", err)
	}
	return buf.Bytes(), nil
}

// civil gives the date part of an RFC 3339 instant in Kazakhstan, or s as
// it is.
func civil(s string) string {
	if t, err := parseDate(s); err == nil && len(s) > len("2006-01-02") {
		return t.In(kzZone).Format("2006-01-02")
	}
	return s
}

func joinNonEmpty(sep string, parts ...string) string {
	out := ""
	for _, p := range parts {
		if p == "" {
			continue
		}
		if out != "" {
			out += sep
		}
		out += p
	}
	return out
}

func prefixed(label, value string) string {
	if value == "" {
		return ""
	}
	return label + " " + value
}
