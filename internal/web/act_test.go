package web_test

import (
	"context"
	"image"
	_ "image/png"
	"io"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/makiuchi-d/gozxing"
	"github.com/makiuchi-d/gozxing/qrcode"

	"esep/internal/store/storetest"
)

// actTool finds a poppler command, or skips (fails under
// ESEP_REQUIRE_TOOLS=1), as the pdf package's tests do.
func actTool(t *testing.T, name string) string {
	t.Helper()
	path, err := exec.LookPath(name)
	if err != nil {
		if os.Getenv("ESEP_REQUIRE_TOOLS") == "1" {
			t.Fatalf("%s not found: install the Debian package poppler-utils", name)
		}
		t.Skipf("%s not found: install poppler-utils to run this test", name)
	}
	return path
}

// decodeActQR renders the act's page with pdftoppm, as a printer or a
// screen would, and reads the QR code from the picture with a QR decoder,
// as a phone would.
func decodeActQR(t *testing.T, pdf []byte) string {
	t.Helper()
	dir := t.TempDir()
	in := filepath.Join(dir, "act.pdf")
	if err := os.WriteFile(in, pdf, 0o600); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command(actTool(t, "pdftoppm"), "-r", "150", "-png", "-singlefile", in, filepath.Join(dir, "page")).CombinedOutput(); err != nil {
		t.Fatalf("pdftoppm: %v %s", err, out)
	}
	f, err := os.Open(filepath.Join(dir, "page.png"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	img, _, err := image.Decode(f)
	if err != nil {
		t.Fatal(err)
	}
	bmp, err := gozxing.NewBinaryBitmapFromImage(img)
	if err != nil {
		t.Fatal(err)
	}
	res, err := qrcode.NewQRCodeReader().Decode(bmp, map[gozxing.DecodeHintType]any{gozxing.DecodeHintType_TRY_HARDER: true})
	if err != nil {
		t.Fatalf("no QR code read from the act: %v", err)
	}
	return res.GetText()
}

// TestActPDF: an operator prints the act of a record of her region; the
// PDF has the act's text, and its QR code, read from the rendered page,
// is a link whose path opens the client's questionnaire. Each print makes
// a new link and is audited; other roles and regions may not print.
func TestActPDF(t *testing.T) {
	s := newSite(t, storetest.Engines()[0])
	id := firstRecord(t, s, "manager", "430000000")
	rec, _, err := s.db.RecordFacts(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	manager := s.cycleBrowser("manager")
	if status, _, page := manager.get("/register/" + id); status != 200 || !strings.Contains(page, `href="/register/`+id+`/act.pdf"`) {
		t.Fatalf("the record page has no act button: %d", status)
	}
	status, _, body := manager.get("/register/" + id + "/act.pdf")
	if status != 200 || !strings.HasPrefix(body, "%PDF") {
		t.Fatalf("act: %d %q", status, body[:min(len(body), 100)])
	}
	dir := t.TempDir()
	path := filepath.Join(dir, "act.pdf")
	os.WriteFile(path, []byte(body), 0o600)
	out, err := exec.Command(actTool(t, "pdftotext"), "-enc", "UTF-8", "-raw", path, "-").Output()
	if err != nil {
		t.Fatal(err)
	}
	text := strings.Join(strings.Fields(string(out)), " ")
	for _, w := range []string{"Көрсетілген қызметтер актісі", rec.RecordID, rec.ClientFullName, rec.ManagerFullName, "қолы", "жаңа сілтеме"} {
		if !strings.Contains(text, w) {
			t.Errorf("%q not in the act:\n%s", w, text)
		}
	}

	link := decodeActQR(t, []byte(body))
	u, err := url.Parse(link)
	if err != nil || u.Scheme != "http" || u.Host != strings.TrimPrefix(s.srv.URL, "http://") || !strings.HasPrefix(u.Path, "/q/") {
		t.Fatalf("the QR code holds %q", link)
	}
	if !strings.Contains(text, link) {
		t.Errorf("the link is not written out beside the code: %s", link)
	}
	resp, err := http.Get(s.srv.URL + u.Path)
	if err != nil {
		t.Fatal(err)
	}
	page, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !strings.Contains(string(page), `id="q-form"`) {
		t.Errorf("the QR link does not open the questionnaire: %d", resp.StatusCode)
	}

	// A second print, a second link; both audited.
	_, _, body2 := manager.get("/register/" + id + "/act.pdf")
	if link2 := decodeActQR(t, []byte(body2)); link2 == link {
		t.Error("printing again gave the same link")
	}
	events, _ := s.db.AuditEvents(context.Background(), 10)
	printed := 0
	for _, ev := range events {
		if ev.Action == "questionnaire.link" && ev.Object == "record:"+id {
			printed++
		}
	}
	if printed != 2 {
		t.Errorf("%d prints audited, want 2", printed)
	}

	other := firstRecord(t, s, "analyst", "710000000")
	if status, _, _ := manager.get("/register/" + other + "/act.pdf"); status != http.StatusNotFound {
		t.Errorf("another region's act: %d", status)
	}
	for _, login := range []string{"analyst", "agent", "ministry"} {
		if status, _, _ := s.cycleBrowser(login).get("/register/" + id + "/act.pdf"); status != http.StatusForbidden {
			t.Errorf("%s printed an act: %d", login, status)
		}
	}
}
