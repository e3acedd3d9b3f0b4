package web

import (
	"context"
	"net/http"

	"esep/internal/auth"
)

// permImport is the permission of every import page and API route: loading
// records is writing the register.
var permImport = ptr(auth.WriteRegister)

// importRoutes registers the import pages and API: a register file (CSV or
// XLSX) is uploaded, spooled to disk and imported in the background, with
// a progress bar the server feeds; then its summary and its list of
// problems. A monthly register (a month given) goes through the monthly
// cycle and may draft a notification letter; without a month the file is a
// load of history.
func (s *Server) importRoutes() {
	s.handle("GET /import", s.page(permImport, s.importPage))
	s.handle("POST /import", s.page(permImport, s.importPost))
	s.handle("GET /import/{id}", s.page(permImport, s.importJobPage))
	s.handle("GET /import/{id}/progress", s.page(permImport, s.importProgress))
	s.handle("GET /import/{id}/problems.csv", s.page(permImport, s.importProblemsCSV))
	s.handle("GET /import/{id}/problems.xlsx", s.page(permImport, s.importProblemsXLSX))

	s.handle("POST /api/v1/imports", s.apiUpload(s.apiImportStart))
	s.handle("GET /api/v1/imports/{id}", s.api(permImport, s.apiImportStatus))
	s.handle("GET /api/v1/imports/{id}/problems", s.api(permImport, s.apiImportProblems))
}

// WaitImports stops the server from starting imports and waits for the
// running ones; when ctx ends first they are cancelled, and since each is
// one transaction the database is left as it was (the page of such an
// import says it can simply be run again). esep serve must call it on
// shutdown, after http.Server.Shutdown and before closing the database.
func (s *Server) WaitImports(ctx context.Context) error { return s.jobs.Wait(ctx) }

// apiUpload is api for the upload route: the same sign-in and permission
// checks, but the body may be a whole register, up to maxImportUpload, not the
// 1 MiB of a JSON request.
func (s *Server) apiUpload(h http.HandlerFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		u := userOf(r)
		if u == nil {
			s.apiFail(w, r, "unauthorized")
			return
		}
		if !u.Can(*permImport) {
			s.apiFail(w, r, "forbidden")
			return
		}
		r.Body = http.MaxBytesReader(w, r.Body, maxImportUpload())
		h(w, r)
	})
}
