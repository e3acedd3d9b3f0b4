package web

// cycleRoutes registers the monthly-cycle pages and API (letters, acts, plans).
//
// A wildcard must be a whole path segment, so a letter's downloads,
// /cycle/letters/2026/7.pdf and .xlsx, are served by the letter's own
// route: {file} is "7", "7.pdf" or "7.xlsx".
func (s *Server) cycleRoutes() {
	s.handle("GET /cycle", s.page(permCycle, s.cyclePage))
	s.handle("GET /cycle/letters/{year}/{file}", s.page(permCycle, s.cycleLetterPage))
	s.handle("POST /cycle/letters/{year}/{seq}/send", s.page(permCycleWrite, s.cycleLetterSendPage))
	s.handle("POST /cycle/plans", s.page(permCycleWrite, s.cycleUploadPage("plans")))
	s.handle("POST /cycle/acts", s.page(permCycleWrite, s.cycleUploadPage("acts")))

	s.handle("GET /api/v1/letters", s.api(permCycle, s.apiLetters))
	s.handle("GET /api/v1/letters/{year}/{seq}", s.api(permCycle, s.apiLetter))
	s.handle("POST /api/v1/letters/{year}/{seq}/send", s.api(permCycleWrite, s.apiLetterSend))
	s.handle("POST /api/v1/plans", s.cycleAPIUpload(permCycleWrite, s.apiCycleLoad("plans")))
	s.handle("POST /api/v1/acts", s.cycleAPIUpload(permCycleWrite, s.apiCycleLoad("acts")))
}
