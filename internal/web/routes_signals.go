package web

// signalsRoutes registers the signals of services that may not have
// happened, the Register of questionnaires' import and export, and the act
// with its questionnaire QR code.
func (s *Server) signalsRoutes() {}
