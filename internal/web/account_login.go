package web

import (
	"errors"
	"net/http"
	"time"

	"esep/internal/auth"
	"esep/internal/i18n"
	"esep/internal/store"
)

// The second step of a login. After the password, a user with TOTP gets
// a pending login — a random token in a cookie scoped to /login/totp, its
// hash in the database, valid for a few minutes and a few codes — and no
// session until she types a code. The password is never kept between the
// steps.

const (
	challengeCookie = "esep_login"
	challengeTTL    = 5 * time.Minute
	// maxCodeAttempts ends a pending login after so many wrong codes; each
	// wrong code also counts towards the account's lock-out, so starting
	// new pending logins does not give more guesses.
	maxCodeAttempts = 5
)

// secondFactor is called by login once the password is right. For a user
// without TOTP it does nothing and returns false: login goes on to start
// the session (an administrator without TOTP is then held at the gate
// until she enrols). For a user with TOTP it starts a pending login, sends
// the browser to the code form, and returns true: login must stop there.
func (s *Server) secondFactor(w http.ResponseWriter, r *http.Request, c *store.Credentials) (done bool) {
	if !c.User.TOTP {
		return false
	}
	token, hash, err := auth.NewToken()
	if err != nil {
		s.serverError(w, r, err)
		return true
	}
	next := safeNext(r.PostFormValue("next"))
	if err := s.db.StartLoginChallenge(r.Context(), hash, c.User.ID, next, time.Now().Add(challengeTTL)); err != nil {
		s.serverError(w, r, err)
		return true
	}
	s.challengeCookie(w, r, token, int(challengeTTL.Seconds()))
	http.Redirect(w, r, "/login/totp", http.StatusSeeOther)
	return true
}

func (s *Server) challengeCookie(w http.ResponseWriter, r *http.Request, value string, maxAge int) {
	http.SetCookie(w, &http.Cookie{Name: challengeCookie, Value: value, Path: "/login/totp", HttpOnly: true,
		SameSite: http.SameSiteStrictMode, Secure: s.cfg.Secure || r.TLS != nil, MaxAge: maxAge})
}

// challenge returns the pending login of the request and its token hash,
// or nil when there is none or it has expired.
func (s *Server) challenge(r *http.Request) (*store.LoginChallenge, string, error) {
	ck, err := r.Cookie(challengeCookie)
	if err != nil || ck.Value == "" {
		return nil, "", nil
	}
	hash := auth.HashToken(ck.Value)
	ch, err := s.db.LoginChallengeOf(r.Context(), hash)
	if errors.Is(err, store.ErrNotFound) {
		return nil, hash, nil
	}
	return ch, hash, err
}

// codeData is the code form.
type codeData struct{ Error string }

func (s *Server) loginTOTPPage(w http.ResponseWriter, r *http.Request) {
	ch, _, err := s.challenge(r)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	if ch == nil {
		http.Redirect(w, r, "/login", http.StatusSeeOther)
		return
	}
	w.Header().Set("Cache-Control", "no-store")
	s.render(w, r, http.StatusOK, "account_code", "web.account.code_title", codeData{})
}

// loginTOTP checks the code of a pending login and, if it is right and
// not used before, starts the session.
func (s *Server) loginTOTP(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
	code := r.PostFormValue("code")
	lang := langOf(r)
	again := func(status int, key string) {
		w.Header().Set("Cache-Control", "no-store")
		s.render(w, r, status, "account_code", "web.account.code_title", codeData{Error: i18n.T(lang, key)})
	}
	// Back to the password: the pending login is gone or was never there.
	restart := func(status int, key string) {
		s.challengeCookie(w, r, "", -1)
		s.render(w, r, status, "login", "web.login.title", map[string]string{"Next": "/", "Error": i18n.T(lang, key)})
	}
	if !s.limiter.allow(clientIP(r), time.Now()) {
		again(http.StatusTooManyRequests, "web.login.too_many")
		return
	}
	ch, hash, err := s.challenge(r)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	if ch == nil {
		restart(http.StatusUnauthorized, "web.account.code_expired")
		return
	}
	c, err := s.db.CredentialsByID(r.Context(), ch.UserID)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	if c.LockedUntil != "" && c.LockedUntil > time.Now().UTC().Format(time.RFC3339) {
		s.endChallenge(r, hash)
		restart(http.StatusLocked, "web.login.locked")
		return
	}
	st, err := s.db.TOTP(r.Context(), ch.UserID)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	if c.User.Disabled || st.Secret == "" {
		s.endChallenge(r, hash)
		restart(http.StatusUnauthorized, "web.account.code_expired")
		return
	}
	now := time.Now()
	step, ok := auth.CheckTOTP(st.Secret, code, now, st.LastStep)
	if ok {
		if ok, err = s.db.UseTOTPStep(r.Context(), ch.UserID, step); err != nil {
			s.serverError(w, r, err)
			return
		}
	}
	if !ok {
		if err := s.db.LoginChallengeFailed(r.Context(), hash, maxCodeAttempts); err != nil {
			s.log.Error("login code failed", "err", err, "request_id", requestID(r))
		}
		if err := s.db.LoginFailed(r.Context(), ch.UserID, s.cfg.MaxLoginFailures, time.Now().Add(s.cfg.LockFor).UTC().Format(time.RFC3339)); err != nil {
			s.log.Error("login failed", "err", err, "request_id", requestID(r))
		}
		key := "web.account.err.code"
		if _, right := auth.CheckTOTP(st.Secret, code, now, -1); right {
			// Only someone who saw the code knows it was right: telling
			// her it is spent helps her wait for the next one.
			key = "web.account.err.replay"
		}
		again(http.StatusUnauthorized, key)
		return
	}
	s.endChallenge(r, hash)
	s.challengeCookie(w, r, "", -1)
	s.startSession(w, r, ch.UserID, ch.Next)
}

func (s *Server) endChallenge(r *http.Request, hash string) {
	if err := s.db.EndLoginChallenge(r.Context(), hash); err != nil {
		s.log.Error("end login challenge", "err", err, "request_id", requestID(r))
	}
}
