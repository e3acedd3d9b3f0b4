package web

import (
	"net/http"

	"esep/internal/auth"
)

// permUsers guards every administration route but the catalogues, which
// every signed-in user reads.
var permUsers = ptr(auth.ManageUsers)

// adminRoutes registers the administration pages and API (users, tokens,
// audit log, catalogues, calendar), the account pages (password, second
// factor) and the second step of a login.
func (s *Server) adminRoutes() {
	// The second step of a login with TOTP; the first is (*Server).login.
	s.handle("GET /login/totp", http.HandlerFunc(s.loginTOTPPage))
	s.handle("POST /login/totp", http.HandlerFunc(s.loginTOTP))

	// A person's own account. These are where the gate sends people, so
	// they are not behind it.
	s.handle("GET /account/password", s.page(nil, s.passwordPage))
	s.handle("POST /account/password", s.page(nil, s.changePassword))
	s.handle("GET /account/totp", s.page(nil, s.totpPage))
	s.handle("POST /account/totp", s.page(nil, s.totpPost))

	// Administration pages.
	s.handle("GET /admin", s.gatedPage(permUsers, s.adminUsers))
	s.handle("POST /admin/users", s.gatedPage(permUsers, s.adminCreateUser))
	s.handle("GET /admin/users/{id}", s.gatedPage(permUsers, s.adminUser))
	s.handle("POST /admin/users/{id}", s.gatedPage(permUsers, s.adminUpdateUser))
	s.handle("GET /admin/tokens", s.gatedPage(permUsers, s.adminTokens))
	s.handle("POST /admin/tokens", s.gatedPage(permUsers, s.adminCreateToken))
	s.handle("POST /admin/tokens/{id}/revoke", s.gatedPage(permUsers, s.adminRevokeToken))
	s.handle("GET /admin/audit", s.gatedPage(permUsers, s.adminAudit))
	s.handle("GET /admin/audit.csv", s.gatedPage(permUsers, s.adminAuditCSV))

	// Catalogues, for everyone signed in.
	s.handle("GET /catalogs", s.gatedPage(nil, s.catalogsPage))
	s.handle("GET /catalogs/calendar", s.gatedPage(nil, s.calendarPage))

	// The API.
	s.handle("GET /api/v1/users", s.gatedAPI(permUsers, s.apiUsers))
	s.handle("POST /api/v1/users", s.gatedAPI(permUsers, s.apiCreateUser))
	s.handle("PATCH /api/v1/users/{id}", s.gatedAPI(permUsers, s.apiUpdateUser))
	s.handle("GET /api/v1/tokens", s.gatedAPI(permUsers, s.apiTokens))
	s.handle("POST /api/v1/tokens", s.gatedAPI(permUsers, s.apiCreateToken))
	s.handle("DELETE /api/v1/tokens/{id}", s.gatedAPI(permUsers, s.apiRevokeToken))
	s.handle("GET /api/v1/audit", s.gatedAPI(permUsers, s.apiAudit))
	s.handle("GET /api/v1/catalogs/services", s.gatedAPI(nil, s.apiServices))
	s.handle("GET /api/v1/catalogs/regions", s.gatedAPI(nil, s.apiRegions))
	s.handle("GET /api/v1/catalogs/calendar/{year}", s.gatedAPI(nil, s.apiCalendar))
}
