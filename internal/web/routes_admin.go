package web

// adminRoutes registers the administration pages and API (users, tokens,
// audit log, catalogues, calendar).
func (s *Server) adminRoutes() {}
