package auth

import (
	"crypto/subtle"
	"net/url"
	"strings"
	"time"

	"github.com/pquerna/otp"
	"github.com/pquerna/otp/totp"
)

// The second factor is TOTP (RFC 6238) with the parameters every
// authenticator app assumes when an otpauth URI says nothing else: SHA-1,
// six digits, 30-second steps.
const (
	TOTPIssuer = "esep"
	totpPeriod = 30
)

var totpOpts = totp.ValidateOpts{Period: totpPeriod, Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1}

// NewTOTPSecret returns a new random secret (160 bits, base32 without
// padding, as RFC 4226 recommends) for the account named login.
func NewTOTPSecret(login string) (string, error) {
	key, err := totp.Generate(totp.GenerateOpts{Issuer: TOTPIssuer, AccountName: login, Period: totpPeriod, Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1})
	if err != nil {
		return "", err
	}
	return key.Secret(), nil
}

// TOTPURI is the otpauth:// URI of secret for login, which an authenticator
// app reads from a QR code or a pasted link.
func TOTPURI(login, secret string) string {
	v := url.Values{}
	v.Set("secret", secret)
	v.Set("issuer", TOTPIssuer)
	v.Set("algorithm", "SHA1")
	v.Set("digits", "6")
	v.Set("period", "30")
	u := url.URL{Scheme: "otpauth", Host: "totp", Path: "/" + TOTPIssuer + ":" + login, RawQuery: v.Encode()}
	return u.String()
}

// TOTPStep is the time step a code of t belongs to.
func TOTPStep(t time.Time) int64 { return t.Unix() / totpPeriod }

// CheckTOTP checks a code typed by the user against secret at now and
// returns the time step it belongs to. It accepts the step before and the
// step after now, for clocks a little off, but only steps after lastStep:
// a code once used cannot be used again (the caller stores the returned
// step, atomically, as the new last one). Spaces in the code are ignored.
func CheckTOTP(secret, code string, now time.Time, lastStep int64) (step int64, ok bool) {
	code = strings.ReplaceAll(strings.TrimSpace(code), " ", "")
	if len(code) != 6 || strings.Trim(code, "0123456789") != "" || secret == "" {
		return 0, false
	}
	cur := TOTPStep(now)
	// Every candidate is computed, whichever matches, so the time taken
	// does not tell which step a code was for.
	for s := cur - 1; s <= cur+1; s++ {
		want, err := totp.GenerateCodeCustom(secret, time.Unix(s*totpPeriod, 0), totpOpts)
		if err != nil {
			return 0, false // a malformed secret
		}
		if subtle.ConstantTimeCompare([]byte(want), []byte(code)) == 1 && s > lastStep {
			step, ok = s, true
		}
	}
	return step, ok
}
