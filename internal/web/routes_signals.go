package web

// signalsRoutes registers the signals of services that may not have
// happened, the Register of questionnaires' import and export, and the act
// with its questionnaire QR code.
func (s *Server) signalsRoutes() {
	s.handle("GET /signals", s.page(permSignals, s.signalsPage))
	s.handle("GET /signals/export.csv", s.page(permSignals, s.signalsExport))
	s.handle("GET /api/v1/signals", s.api(permSignals, s.apiSignals))

	s.handle("GET /questionnaires", s.page(permSurvey, s.questionnairesPage))
	s.handle("POST /questionnaires/import", s.page(permSurvey, s.questionnairesImport))
	s.handle("GET /questionnaires/export", s.page(permSurvey, s.questionnairesExport))
	s.handle("GET /api/v1/questionnaires", s.api(permSurvey, s.apiQuestionnaires))
	s.handle("GET /api/v1/questionnaires/export", s.api(permSurvey, s.apiQuestionnairesExport))
	s.handle("POST /api/v1/questionnaires/import", s.cycleAPIUpload(permSurvey, s.apiQuestionnairesImport))

	s.handle("GET /register/{id}/act.pdf", s.page(permWrite, s.actPDF))
}
