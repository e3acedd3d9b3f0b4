package auth

import (
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/pquerna/otp/totp"
)

func TestTOTP(t *testing.T) {
	secret, err := NewTOTPSecret("asem")
	if err != nil {
		t.Fatal(err)
	}
	if len(secret) != 32 { // 160 bits in base32
		t.Errorf("secret %d characters", len(secret))
	}
	now := time.Date(2026, 3, 23, 9, 0, 10, 0, time.UTC)
	code, _ := totp.GenerateCode(secret, now)
	step, ok := CheckTOTP(secret, code, now, 0)
	if !ok || step != TOTPStep(now) {
		t.Fatalf("the current code: %v %d", ok, step)
	}
	if _, ok := CheckTOTP(secret, code, now, step); ok {
		t.Error("a used code was accepted again")
	}
	if _, ok := CheckTOTP(secret, code[:3]+" "+code[3:], now, 0); !ok {
		t.Error("a code typed with a space")
	}
	prev, _ := totp.GenerateCode(secret, now.Add(-30*time.Second))
	if s, ok := CheckTOTP(secret, prev, now, 0); !ok || s != step-1 {
		t.Error("the previous step's code (clock drift)")
	}
	old, _ := totp.GenerateCode(secret, now.Add(-2*time.Minute))
	for _, bad := range []string{old, "", "12345", "1234567", "abcdef"} {
		if bad == code {
			continue
		}
		if _, ok := CheckTOTP(secret, bad, now, 0); ok {
			t.Errorf("code %q accepted", bad)
		}
	}
	if _, ok := CheckTOTP("not base32!", "123456", now, 0); ok {
		t.Error("a malformed secret")
	}
	u, err := url.Parse(TOTPURI("asem@mail.kz", secret))
	if err != nil || u.Scheme != "otpauth" || u.Host != "totp" || u.Query().Get("secret") != secret || !strings.Contains(u.Path, "esep:asem@mail.kz") {
		t.Errorf("uri %v %v", u, err)
	}
}
