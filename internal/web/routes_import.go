package web

// importRoutes registers the import pages and API (uploads with progress).
func (s *Server) importRoutes() {}

// jobs tracks long-running work (imports) for progress reporting.
type jobs struct{}

func newJobs() *jobs { return &jobs{} }
