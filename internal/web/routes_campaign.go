package web

// campaignRoutes registers the telephone survey of Annex 4: campaigns for
// analysts and the call queue for agents.
func (s *Server) campaignRoutes() {}
