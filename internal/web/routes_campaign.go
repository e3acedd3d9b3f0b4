package web

// campaignRoutes registers the telephone survey of Annex 4: campaigns for
// analysts and the call queue for agents.
func (s *Server) campaignRoutes() {
	s.handle("GET /campaigns", s.page(permSurvey, s.campaignsPage))
	s.handle("POST /campaigns", s.page(permSurvey, s.campaignOpen))
	s.handle("GET /campaigns/{id}", s.page(permSurvey, s.campaignPage))
	s.handle("POST /campaigns/{id}/close", s.page(permSurvey, s.campaignClose))
	s.handle("POST /campaigns/{id}/verify", s.page(permSurvey, s.campaignVerify))

	s.handle("GET /calls", s.page(permCall, s.callsPage))
	s.handle("POST /calls/next", s.page(permCall, s.callsNext))
	s.handle("GET /calls/{id}", s.page(permCall, s.callPage))
	s.handle("POST /calls/{id}", s.page(permCall, s.callRecord))

	// An operator acknowledges that a client did not confirm a service.
	s.handle("POST /notices/{id}/read", s.page(permWrite, s.noticeRead))

	s.handle("GET /api/v1/campaigns", s.api(permSurvey, s.apiCampaigns))
	s.handle("POST /api/v1/campaigns", s.api(permSurvey, s.apiCampaignOpen))
	s.handle("GET /api/v1/campaigns/{id}", s.api(permSurvey, s.apiCampaign))
	s.handle("POST /api/v1/campaigns/{id}/close", s.api(permSurvey, s.apiCampaignClose))
	s.handle("POST /api/v1/campaigns/{id}/verify", s.api(permSurvey, s.apiCampaignVerify))
	s.handle("POST /api/v1/calls/next", s.api(permCall, s.apiCallsNext))
	s.handle("POST /api/v1/calls/{id}/attempts", s.api(permCall, s.apiCallAttempt))
}
