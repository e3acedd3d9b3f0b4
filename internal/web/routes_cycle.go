package web

// cycleRoutes registers the monthly-cycle pages and API (letters, acts, plans).
func (s *Server) cycleRoutes() {}
