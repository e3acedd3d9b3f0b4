package web

import (
	"bytes"
	"encoding/base64"
	"errors"
	"html/template"
	"image/png"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/pquerna/otp"

	"esep/internal/auth"
	"esep/internal/i18n"
	"esep/internal/store"
)

// The gate. Before a person does anything else she changes a one-time
// password, and an administrator enrols a second factor: a session of an
// administrator without one proves only a password, which is not enough to
// manage people. Machines (bearer tokens) are never sent anywhere: they
// cannot fill in a form, and their token is a credential of its own.

const (
	pathPassword = "/account/password"
	pathTOTP     = "/account/totp"
)

// viaToken reports whether the request is authenticated by a bearer token
// (authenticate looks at the header before the cookie).
func viaToken(r *http.Request) bool {
	return strings.HasPrefix(r.Header.Get("Authorization"), "Bearer ")
}

// gateTarget is where the signed-in person must go first, or "".
func gateTarget(r *http.Request) string {
	u := userOf(r)
	switch {
	case u == nil || viaToken(r):
		return ""
	case u.MustChangePassword:
		return pathPassword
	case u.Role == auth.Admin && !u.TOTP:
		return pathTOTP
	}
	return ""
}

// gateExempt lists what a person held at the gate may still reach: the
// page she is sent to, signing out, the language switch and assets.
func gateExempt(path, target string) bool {
	switch {
	case path == target, path == "/logout", path == "/login", path == "/login/totp",
		path == "/healthz", path == "/metrics", path == "/api/v1/openapi.json", path == "/api/v1/me",
		strings.HasPrefix(path, "/static/"), strings.HasPrefix(path, "/lang/"):
		return true
	}
	return false
}

// accountGate is the gate as middleware for every route; Handler places
// it inside authenticate (h = s.accountGate(h) just before
// h = s.authenticate(h)), so it sees the user. The administration and
// catalogue routes apply the gate themselves as well.
func (s *Server) accountGate(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if target := gateTarget(r); target != "" && !gateExempt(r.URL.Path, target) {
			s.gateStop(w, r, target)
			return
		}
		next.ServeHTTP(w, r)
	})
}

// gateStop sends a page request to target, and answers an API request
// with 403 and a code saying what to do.
func (s *Server) gateStop(w http.ResponseWriter, r *http.Request, target string) {
	if strings.HasPrefix(r.URL.Path, "/api/") {
		code, key := "totp_required", "web.account.gate_totp"
		if target == pathPassword {
			code, key = "password_change_required", "web.account.gate_password"
		}
		writeJSON(w, http.StatusForbidden, apiError{Code: code, Message: i18n.T(langOf(r), key)})
		return
	}
	next := r.URL.RequestURI()
	if r.Method != http.MethodGet {
		next = "/"
	}
	http.Redirect(w, r, target+"?next="+url.QueryEscape(next), http.StatusSeeOther)
}

// gatedPage is page with the gate.
func (s *Server) gatedPage(p *auth.Permission, h http.HandlerFunc) http.Handler {
	return s.page(p, func(w http.ResponseWriter, r *http.Request) {
		if target := gateTarget(r); target != "" {
			s.gateStop(w, r, target)
			return
		}
		h(w, r)
	})
}

// gatedAPI is api with the gate.
func (s *Server) gatedAPI(p *auth.Permission, h http.HandlerFunc) http.Handler {
	return s.api(p, func(w http.ResponseWriter, r *http.Request) {
		if target := gateTarget(r); target != "" {
			s.gateStop(w, r, target)
			return
		}
		h(w, r)
	})
}

// startSession signs the user in: a new session, its cookie, and a
// redirect to next. It ends a login with a second factor; login (pages.go)
// does the same for a password-only login.
func (s *Server) startSession(w http.ResponseWriter, r *http.Request, userID int64, next string) {
	token, hash, err := auth.NewToken()
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	if err := s.db.StartSession(r.Context(), userID, hash, time.Now().Add(s.cfg.SessionTTL)); err != nil {
		s.serverError(w, r, err)
		return
	}
	http.SetCookie(w, &http.Cookie{Name: sessionCookie, Value: token, Path: "/", HttpOnly: true, SameSite: http.SameSiteLaxMode,
		Secure: s.cfg.Secure || r.TLS != nil, MaxAge: int(s.cfg.SessionTTL.Seconds())})
	http.Redirect(w, r, safeNext(next), http.StatusSeeOther)
}

// passwordData is the password form.
type passwordData struct {
	Next  string
	Must  bool
	Error string
	Done  bool
}

func (s *Server) passwordPage(w http.ResponseWriter, r *http.Request) {
	s.render(w, r, http.StatusOK, "account_password", "web.account.password_title",
		passwordData{Next: safeNext(r.URL.Query().Get("next")), Must: userOf(r).MustChangePassword, Done: r.URL.Query().Has("done")})
}

// changePassword checks the current password (a stolen session alone must
// not be enough to take the account over), then stores the new one and
// ends the user's other sessions.
func (s *Server) changePassword(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
	u := userOf(r)
	d := passwordData{Next: safeNext(r.PostFormValue("next")), Must: u.MustChangePassword}
	fail := func(status int, key string) {
		d.Error = i18n.T(langOf(r), key)
		s.render(w, r, status, "account_password", "web.account.password_title", d)
	}
	if !s.limiter.allow(clientIP(r), time.Now()) {
		fail(http.StatusTooManyRequests, "web.login.too_many")
		return
	}
	current, fresh, again := r.PostFormValue("current"), r.PostFormValue("new"), r.PostFormValue("repeat")
	c, err := s.db.CredentialsByID(r.Context(), u.ID)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	switch {
	case !auth.CheckPassword(c.PasswordHash, current):
		fail(http.StatusBadRequest, "web.account.err.current")
		return
	case fresh != again:
		fail(http.StatusBadRequest, "web.account.err.repeat")
		return
	case fresh == current:
		fail(http.StatusBadRequest, "web.account.err.same")
		return
	case strings.EqualFold(strings.TrimSpace(fresh), u.Login):
		fail(http.StatusBadRequest, "web.account.err.login")
		return
	}
	hash, err := auth.HashPassword(fresh)
	if errors.Is(err, auth.ErrWeakPassword) {
		fail(http.StatusBadRequest, "web.account.err.short")
		return
	}
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	keep := ""
	if ck, err := r.Cookie(sessionCookie); err == nil {
		keep = auth.HashToken(ck.Value)
	}
	if err := s.db.ChangePassword(r.Context(), u.ID, hash, keep); err != nil {
		s.serverError(w, r, err)
		return
	}
	switch {
	case u.Role == auth.Admin && !u.TOTP: // the next step of the gate
		http.Redirect(w, r, pathTOTP+"?next="+url.QueryEscape(d.Next), http.StatusSeeOther)
	case d.Next != "/":
		http.Redirect(w, r, d.Next, http.StatusSeeOther)
	default:
		http.Redirect(w, r, pathPassword+"?done", http.StatusSeeOther)
	}
}

// totpData is the second-factor page: the state, and while enrolling the
// secret as text, as an otpauth link and as a QR code.
type totpData struct {
	On       bool
	Required bool // an administrator cannot do without one
	Secret   string
	URI      template.URL // otpauth: is not a scheme html/template trusts; this one is built here
	URIText  string
	QR       template.URL // a data: PNG, which the CSP allows for images
	Next     string
	Error    string
	Done     string
}

func (s *Server) totpPage(w http.ResponseWriter, r *http.Request) {
	u := userOf(r)
	if u.MustChangePassword {
		s.gateStop(w, r, pathPassword)
		return
	}
	d := totpData{On: u.TOTP, Required: u.Role == auth.Admin, Next: safeNext(r.URL.Query().Get("next"))}
	if done := r.URL.Query().Get("done"); done == "on" || done == "off" {
		d.Done = done
	}
	s.renderTOTP(w, r, http.StatusOK, d)
}

// renderTOTP fills in the enrolment secret, making one the first time.
// The secret is kept until it is confirmed, so reloading the page does not
// invalidate what the user has already scanned.
func (s *Server) renderTOTP(w http.ResponseWriter, r *http.Request, status int, d totpData) {
	u := userOf(r)
	if !d.On {
		st, err := s.db.TOTP(r.Context(), u.ID)
		if err != nil {
			s.serverError(w, r, err)
			return
		}
		secret := st.Pending
		if secret == "" {
			if secret, err = auth.NewTOTPSecret(u.Login); err == nil {
				err = s.db.SetPendingTOTP(r.Context(), u.ID, secret)
			}
			if err != nil {
				s.serverError(w, r, err)
				return
			}
		}
		uri := auth.TOTPURI(u.Login, secret)
		d.Secret, d.URI, d.URIText = groups(secret, 4), template.URL(uri), uri
		if qr, err := qrPNG(uri); err == nil {
			d.QR = template.URL(qr)
		} else {
			s.log.Warn("totp qr", "err", err, "request_id", requestID(r)) // the text and the link still work
		}
	}
	w.Header().Set("Cache-Control", "no-store")
	s.render(w, r, status, "account_totp", "web.account.totp_title", d)
}

// groups splits a secret into groups of n for reading it out and typing
// it in; authenticator apps ignore the spaces.
func groups(s string, n int) string {
	var b strings.Builder
	for i := 0; i < len(s); i += n {
		if i > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(s[i:min(i+n, len(s))])
	}
	return b.String()
}

func qrPNG(uri string) (string, error) {
	key, err := otp.NewKeyFromURL(uri)
	if err != nil {
		return "", err
	}
	img, err := key.Image(240, 240)
	if err != nil {
		return "", err
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		return "", err
	}
	return "data:image/png;base64," + base64.StdEncoding.EncodeToString(buf.Bytes()), nil
}

// totpPost enables the second factor with a code from the new secret, or
// turns it off with a code from the current one.
func (s *Server) totpPost(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
	u := userOf(r)
	if u.MustChangePassword {
		s.gateStop(w, r, pathPassword)
		return
	}
	d := totpData{On: u.TOTP, Required: u.Role == auth.Admin, Next: safeNext(r.PostFormValue("next"))}
	fail := func(key string) {
		d.Error = i18n.T(langOf(r), key)
		s.renderTOTP(w, r, http.StatusBadRequest, d)
	}
	if !s.limiter.allow(clientIP(r), time.Now()) {
		d.Error = i18n.T(langOf(r), "web.login.too_many")
		s.renderTOTP(w, r, http.StatusTooManyRequests, d)
		return
	}
	st, err := s.db.TOTP(r.Context(), u.ID)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	actor := store.ActorOf(u.ID)
	code := r.PostFormValue("code")
	switch r.PostFormValue("action") {
	case "enable":
		if u.TOTP || st.Pending == "" {
			http.Redirect(w, r, pathTOTP, http.StatusSeeOther)
			return
		}
		// A new secret has had no code used yet: no last step to pass.
		step, ok := auth.CheckTOTP(st.Pending, code, time.Now(), 0)
		if !ok {
			fail("web.account.err.code")
			return
		}
		if err := s.db.EnableTOTP(r.Context(), u.ID, st.Pending, step, actor); errors.Is(err, store.ErrConflict) {
			fail("web.account.err.code")
			return
		} else if err != nil {
			s.serverError(w, r, err)
			return
		}
		if d.Next != "/" {
			http.Redirect(w, r, d.Next, http.StatusSeeOther)
			return
		}
		http.Redirect(w, r, pathTOTP+"?done=on", http.StatusSeeOther)
	case "disable":
		if !u.TOTP {
			http.Redirect(w, r, pathTOTP, http.StatusSeeOther)
			return
		}
		step, ok := auth.CheckTOTP(st.Secret, code, time.Now(), st.LastStep)
		if ok {
			if ok, err = s.db.UseTOTPStep(r.Context(), u.ID, step); err != nil {
				s.serverError(w, r, err)
				return
			}
		}
		if !ok {
			fail("web.account.err.code")
			return
		}
		if err := s.db.DisableTOTP(r.Context(), u.ID, actor); err != nil {
			s.serverError(w, r, err)
			return
		}
		http.Redirect(w, r, pathTOTP+"?done=off", http.StatusSeeOther)
	default:
		s.render(w, r, http.StatusBadRequest, "error", "web.error.bad_request", "web.error.bad_request")
	}
}
