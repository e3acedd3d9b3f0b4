package web

// reportRoutes registers the report pages and API.
//
// A wildcard must be a whole path segment, so the downloads of the live
// data, /reports/2026Q3.pdf, are served by the period's route ({period} is
// "2026Q3" or "2026Q3.pdf"), and a stored version's, /reports/2026Q3/v2.xlsx,
// by the version's ({version} is "v2" or "v2.xlsx").
func (s *Server) reportRoutes() {
	s.handle("GET /reports", s.page(permReports, s.reportsPage))
	s.handle("GET /reports/{period}", s.page(permReports, s.reportLivePage))
	s.handle("POST /reports/{period}/save", s.page(permReportWrite, s.reportSavePage))
	s.handle("GET /reports/{period}/{version}", s.page(permReports, s.reportVersionPage))
	s.handle("POST /reports/{period}/{version}/conclusions", s.page(permReportWrite, s.reportEditPage))
	s.handle("POST /reports/{period}/{version}/send", s.page(permReportWrite, s.reportSendPage))

	s.handle("GET /api/v1/reports", s.api(permReports, s.apiReports))
	s.handle("GET /api/v1/reports/{period}", s.api(permReports, s.apiReportLive))
	s.handle("POST /api/v1/reports/{period}", s.api(permReportWrite, s.apiReportSave))
	s.handle("GET /api/v1/reports/{period}/versions/{n}", s.api(permReports, s.apiReportVersion))
	s.handle("PUT /api/v1/reports/{period}/versions/{n}/conclusions/{i}", s.api(permReportWrite, s.apiReportConclusion))
	s.handle("POST /api/v1/reports/{period}/versions/{n}/send", s.api(permReportWrite, s.apiReportSend))
}
