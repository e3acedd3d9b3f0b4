package web_test

import (
	"strings"
	"testing"
	"time"

	"github.com/pquerna/otp/totp"

	"esep/internal/browsertest"
	"esep/internal/store/storetest"
)

// TestAdminBrowser enrols the administrator's second factor and opens the
// administration and catalogue pages in a real Chromium on a phone-sized
// screen: the pages work under the Content-Security-Policy (no inline
// script or style, which the browser would report as a console error).
func TestAdminBrowser(t *testing.T) {
	s := newSite(t, storetest.Engines()[0])
	b := browsertest.New(t, browsertest.Language("kk"), browsertest.Viewport(390, 844))
	b.Navigate(s.srv.URL + "/login")
	b.Fill("#login", "admin")
	b.Fill("#password", password)
	b.Submit("#login-form")
	b.Navigate(s.srv.URL + "/admin")
	if !strings.Contains(b.URL(), "/account/totp") {
		t.Fatalf("an administrator without TOTP reached %s", b.URL())
	}
	secret := strings.ReplaceAll(b.Text("#totp-secret"), " ", "")
	code, err := totp.GenerateCode(secret, time.Now())
	if err != nil {
		t.Fatalf("secret %q: %v", secret, err)
	}
	b.Fill("#code", code)
	b.Submit("#totp-form")
	b.WaitVisible("#admin-users")
	b.SetViewport(1280, 800) // the screenshots for docs/ are at desktop width
	b.DocScreenshot("page-admin")
	b.SetViewport(390, 844)
	for _, p := range []struct{ path, sel, doc string }{
		{"/admin/users/2", "#user-edit", ""}, {"/admin/tokens", "#admin-token-create", ""}, {"/admin/audit", "#admin-audit", "page-audit"},
		{"/catalogs", "#catalog-regions", "page-catalogs"}, {"/catalogs/calendar?year=2026", "#calendar-days-off", "page-calendar"},
	} {
		b.Navigate(s.srv.URL + p.path)
		b.WaitVisible(p.sel)
		if p.doc != "" {
			b.SetViewport(1280, 800)
			b.DocScreenshot(p.doc)
			b.SetViewport(390, 844)
		}
	}
	if !strings.Contains(b.Text("#calendar-days-off"), "2026-03-23") {
		t.Error("the calendar page lacks 2026-03-23")
	}
	if errs := b.ConsoleErrors(); len(errs) > 0 {
		t.Errorf("console errors: %v", errs)
	}
}
