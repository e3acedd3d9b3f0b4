package web

// recordRoutes registers the correction of a record from the web and the
// API's idempotent record writes.
func (s *Server) recordRoutes() {}
