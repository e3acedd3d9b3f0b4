package web

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"esep/internal/auth"
	"esep/internal/i18n"
	"esep/internal/store"
)

type ctxKey int

const (
	keyUser ctxKey = iota
	keyLang
	keyRequestID
)

const (
	sessionCookie = "esep_session"
	langCookie    = "esep_lang"
)

func userOf(r *http.Request) *auth.User {
	u, _ := r.Context().Value(keyUser).(*auth.User)
	return u
}

func langOf(r *http.Request) i18n.Lang {
	if l, ok := r.Context().Value(keyLang).(i18n.Lang); ok {
		return l
	}
	return i18n.Default
}

// requestLang picks the language: ?lang=, then the cookie the language
// switch sets, then Accept-Language, then Kazakh.
func requestLang(r *http.Request) i18n.Lang {
	if l, ok := i18n.Parse(r.URL.Query().Get("lang")); ok {
		return l
	}
	if c, err := r.Cookie(langCookie); err == nil {
		if l, ok := i18n.Parse(c.Value); ok {
			return l
		}
	}
	for _, part := range strings.Split(r.Header.Get("Accept-Language"), ",") {
		if l, ok := i18n.Parse(part); ok {
			return l
		}
	}
	return i18n.Default
}

// authenticate finds the user of a request — a session cookie for people,
// a bearer token for machines — and its language. An unknown or expired
// credential leaves the request anonymous; the route decides what that
// means.
func (s *Server) authenticate(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx := context.WithValue(r.Context(), keyLang, requestLang(r))
		var u *auth.User
		if h := r.Header.Get("Authorization"); strings.HasPrefix(h, "Bearer ") {
			if tu, err := s.db.TokenUser(ctx, auth.HashToken(strings.TrimPrefix(h, "Bearer "))); err == nil {
				u = tu
			} else if s.abandoned(w, r, err) {
				return
			} else if !errors.Is(err, store.ErrNotFound) {
				s.log.Error("token", "err", err, "request_id", requestID(r))
			}
		} else if c, err := r.Cookie(sessionCookie); err == nil {
			if su, err := s.db.SessionUser(ctx, auth.HashToken(c.Value)); err == nil {
				u = su
			} else if s.abandoned(w, r, err) {
				return
			} else if !errors.Is(err, store.ErrNotFound) {
				s.log.Error("session", "err", err, "request_id", requestID(r))
			}
		}
		if u != nil {
			ctx = context.WithValue(ctx, keyUser, u)
		}
		next.ServeHTTP(w, r.WithContext(ctx))
	})
}

// requestLog gives each request an id (echoed in X-Request-Id) and logs it
// once, with no personal data: the path is logged without its query, which
// may carry names or IINs being searched for.
func (s *Server) requestLog(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id := r.Header.Get("X-Request-Id")
		if len(id) == 0 || len(id) > 64 {
			b := make([]byte, 8)
			rand.Read(b)
			id = hex.EncodeToString(b)
		}
		w.Header().Set("X-Request-Id", id)
		rec := &statusRecorder{ResponseWriter: w, code: http.StatusOK}
		start := time.Now()
		next.ServeHTTP(rec, r.WithContext(context.WithValue(r.Context(), keyRequestID, id)))
		s.log.Info("request", "request_id", id, "method", r.Method, "path", r.URL.Path, "status", rec.code, "ms", time.Since(start).Milliseconds())
	})
}

// statusClientClosed is the status logged and counted for a request whose
// client went away before its answer (nginx's 499): nobody receives it.
const statusClientClosed = 499

// abandoned handles an error met because the client closed its connection
// before the answer — a browser tab closed, a load tool stopping on the
// clock — which cancels the request's context, so that the database call
// under way fails (with the cancellation, or with the driver's
// "interrupted"). That is no fault of the server: it is logged without
// alarm and counted as 499, not as a 500 someone should look at. It
// reports whether it handled err. A write cancelled this way is rolled
// back whole by its transaction.
func (s *Server) abandoned(w http.ResponseWriter, r *http.Request, err error) bool {
	if !errors.Is(r.Context().Err(), context.Canceled) {
		return false
	}
	s.log.Info("request abandoned by the client", "err", err, "request_id", requestID(r))
	w.WriteHeader(statusClientClosed)
	return true
}

func requestID(r *http.Request) string {
	id, _ := r.Context().Value(keyRequestID).(string)
	return id
}

func (s *Server) recoverer(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			if v := recover(); v != nil {
				if v == http.ErrAbortHandler {
					panic(v)
				}
				s.log.Error("panic", "request_id", requestID(r), "panic", v)
				http.Error(w, http.StatusText(http.StatusInternalServerError), http.StatusInternalServerError)
			}
		}()
		next.ServeHTTP(w, r)
	})
}

func (s *Server) instrument(route string, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rec, ok := w.(*statusRecorder)
		if !ok {
			rec = &statusRecorder{ResponseWriter: w, code: http.StatusOK}
		}
		start := time.Now()
		next.ServeHTTP(rec, r)
		s.latency.WithLabelValues(route).Observe(time.Since(start).Seconds())
		s.requests.WithLabelValues(route, strconv.Itoa(rec.code/100)+"xx").Inc()
	})
}

type statusRecorder struct {
	http.ResponseWriter
	code int
}

func (r *statusRecorder) WriteHeader(code int) {
	r.code = code
	r.ResponseWriter.WriteHeader(code)
}

func (r *statusRecorder) Unwrap() http.ResponseWriter { return r.ResponseWriter }

// limiter allows n attempts per client address per window: it slows down
// password guessing from one place; the per-account lock-out stops it
// across places.
type limiter struct {
	mu     sync.Mutex
	n      int
	window time.Duration
	seen   map[string][]time.Time
}

func newLimiter(n int, window time.Duration) *limiter {
	return &limiter{n: n, window: window, seen: map[string][]time.Time{}}
}

func (l *limiter) allow(key string, now time.Time) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	recent := l.seen[key][:0]
	for _, t := range l.seen[key] {
		if now.Sub(t) < l.window {
			recent = append(recent, t)
		}
	}
	if len(recent) >= l.n {
		l.seen[key] = recent
		return false
	}
	l.seen[key] = append(recent, now)
	if len(l.seen) > 10000 { // forget idle clients rather than grow without end
		for k, ts := range l.seen {
			if len(ts) == 0 || now.Sub(ts[len(ts)-1]) > l.window {
				delete(l.seen, k)
			}
		}
	}
	return true
}

func clientIP(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}
