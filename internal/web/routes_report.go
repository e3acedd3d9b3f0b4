package web

// reportRoutes registers the report pages and API.
func (s *Server) reportRoutes() {}
