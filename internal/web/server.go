// Package web is esep's HTTP face: server-rendered pages for every role in
// Kazakh, Russian and English, and the JSON API under /api/v1 that machines
// (the operator's information system) and the pages' scripts use. It owns
// sessions, the cross-origin checks, the language of each request, and the
// masking of personal data; the work itself is done by the domain packages.
package web

import (
	"context"
	"embed"
	"io/fs"
	"log/slog"
	"net/http"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"esep/internal/kz"
	"esep/internal/monitor"
	"esep/internal/stats/live"
	"esep/internal/store"
)

//go:embed templates static
var assets embed.FS

// Config tunes the server.
type Config struct {
	// Secure marks cookies Secure; set it when esep is served over TLS
	// (directly or behind a proxy that terminates it).
	Secure bool
	// SessionTTL is how long a session lasts; zero means 12 hours.
	SessionTTL time.Duration
	// MaxBody caps a JSON request body; zero means 1 MiB.
	MaxBody int64
	// MaxLoginFailures locks an account after so many failed logins, for
	// LockFor.
	MaxLoginFailures int
	LockFor          time.Duration
	// LoginsPerMinute caps login attempts from one address; zero means 10.
	LoginsPerMinute int
}

// Server serves esep over HTTP.
type Server struct {
	db    *store.DB
	cycle *monitor.Cycle
	// indicators counts the tables from a warm index once LoadIndicators
	// or StartIndicators has built it, and from the database until then.
	indicators *live.Indicators
	log        *slog.Logger
	cfg        Config
	pages      *pages
	limiter    *limiter
	registry   *prometheus.Registry
	requests   *prometheus.CounterVec
	latency    *prometheus.HistogramVec
	mux        *http.ServeMux
	routes     []string
	jobs       *jobs

	openapiDoc []byte

	// indicatorsCache keeps the API's answers of indicators between writes.
	indicatorsCache indicatorsCache
	// writes commits the API's record writes in groups (SQLite).
	writes *writeQueue
}

// New makes a server over db, with the working-day calendar cal.
func New(db *store.DB, cal *kz.Calendar, log *slog.Logger, cfg Config) (*Server, error) {
	if cfg.SessionTTL == 0 {
		cfg.SessionTTL = 12 * time.Hour
	}
	if cfg.MaxBody == 0 {
		cfg.MaxBody = 1 << 20
	}
	if cfg.MaxLoginFailures == 0 {
		cfg.MaxLoginFailures = 5
	}
	if cfg.LockFor == 0 {
		cfg.LockFor = 15 * time.Minute
	}
	if cfg.LoginsPerMinute == 0 {
		cfg.LoginsPerMinute = 10
	}
	p, err := loadPages()
	if err != nil {
		return nil, err
	}
	s := &Server{db: db, cycle: &monitor.Cycle{DB: db, Calendar: cal}, log: log, cfg: cfg, pages: p,
		limiter: newLimiter(cfg.LoginsPerMinute, time.Minute), registry: prometheus.NewRegistry(), mux: http.NewServeMux()}
	s.requests = prometheus.NewCounterVec(prometheus.CounterOpts{Name: "esep_http_requests_total", Help: "HTTP requests by route and status class."}, []string{"route", "code"})
	s.latency = prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "esep_http_request_seconds", Help: "HTTP request latency by route.", Buckets: prometheus.DefBuckets}, []string{"route"})
	s.registry.MustRegister(s.requests, s.latency, collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	if s.openapiDoc, err = buildOpenAPI(); err != nil {
		return nil, err
	}
	s.indicators = live.New(s.cycle)
	s.jobs = newJobs()
	s.writes = newWriteQueue(db)
	s.routesInit()
	return s, nil
}

// StartIndicators builds the in-memory indicator index in the background;
// the dashboard, the API and the reports count from the database until it
// is ready, then from memory.
func (s *Server) StartIndicators(ctx context.Context) { s.indicators.Start(ctx, s.log) }

// LoadIndicators builds the in-memory indicator index and returns when it
// is ready.
func (s *Server) LoadIndicators(ctx context.Context) error { return s.indicators.Load(ctx) }

// handle registers a route. Every route is listed, so a test can check that
// the OpenAPI document describes each API route.
func (s *Server) handle(pattern string, h http.Handler) {
	s.routes = append(s.routes, pattern)
	s.mux.Handle(pattern, s.instrument(pattern, h))
}

func (s *Server) routesInit() {
	static, _ := fs.Sub(assets, "static")
	s.mux.Handle("GET /static/", http.StripPrefix("/static/", cacheForever(http.FileServerFS(static))))
	s.handle("GET /healthz", http.HandlerFunc(s.healthz))
	s.handle("GET /metrics", promhttp.HandlerFor(s.registry, promhttp.HandlerOpts{}))

	// Pages.
	s.handle("GET /login", http.HandlerFunc(s.loginPage))
	s.handle("POST /login", http.HandlerFunc(s.login))
	s.handle("POST /logout", http.HandlerFunc(s.logout))
	s.handle("GET /lang/{lang}", http.HandlerFunc(s.setLang))
	s.handle("GET /{$}", s.page(nil, s.dashboard))
	s.handle("GET /register", s.page(permRegister, s.registerPage))
	s.handle("GET /register/{id}", s.page(permRegister, s.recordPage))

	// The JSON API.
	s.handle("GET /api/v1/openapi.json", http.HandlerFunc(s.openapi))
	s.handle("GET /api/v1/me", s.api(nil, s.apiMe))
	s.handle("GET /api/v1/records", s.api(permRegister, s.apiRecords))
	s.handle("GET /api/v1/records/{id}", s.api(permRegister, s.apiRecord))
	s.handle("GET /api/v1/indicators", s.api(permReports, s.apiIndicators))
	s.handle("GET /api/v1/cycle", s.api(permCycle, s.apiCycle))

	// Each part of the application registers its own pages and API routes.
	s.importRoutes()
	s.cycleRoutes()
	s.reportRoutes()
	s.adminRoutes()
	s.recordRoutes()
	s.questionnaireRoutes()
	s.campaignRoutes()
	s.signalsRoutes()
}

// Handler is the whole server with its middleware: request ids and logs,
// recovery from panics, cross-origin protection for every state-changing
// request, and the user and language of each request.
func (s *Server) Handler() http.Handler {
	var h http.Handler = s.mux
	h = s.accountGate(h) // inside authenticate, so it sees the user
	h = s.authenticate(h)
	h = http.NewCrossOriginProtection().Handler(h)
	h = s.recoverer(h)
	h = s.requestLog(h)
	return h
}

// Routes lists the registered route patterns.
func (s *Server) Routes() []string { return append([]string(nil), s.routes...) }

func (s *Server) healthz(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
	defer cancel()
	if _, err := s.db.CountUsers(ctx); err != nil {
		s.log.Error("healthz", "err", err)
		http.Error(w, "database unavailable", http.StatusServiceUnavailable)
		return
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Write([]byte("ok\n"))
}

func cacheForever(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "public, max-age=86400")
		h.ServeHTTP(w, r)
	})
}
