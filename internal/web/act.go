package web

// The act of services rendered, printed from a record's page with the
// client's questionnaire link as a QR code (Annex 2, clause 15): each print
// makes a fresh link, says so on the paper, and is audited.

import (
	"errors"
	"io"
	"net/http"
	"time"

	"esep/internal/auth"
	"esep/internal/i18n"
	"esep/internal/pdf"
	"esep/internal/register"
	"esep/internal/report"
	"esep/internal/store"
)

// actBaseURL is the address clients reach this server at, for a link on
// paper: the scheme of the request (https when it came over TLS or the
// server is configured as served over TLS) and the Host it was sent to,
// which is the name the operator's own browser used.
func (s *Server) actBaseURL(r *http.Request) string {
	scheme := "http"
	if r.TLS != nil || s.cfg.Secure {
		scheme = "https"
	}
	return scheme + "://" + r.Host
}

// actPDF prints the act of a record of the operator's region.
func (s *Server) actPDF(w http.ResponseWriter, r *http.Request) {
	u, lang := userOf(r), langOf(r)
	d, err := s.db.Record(r.Context(), r.PathValue("id"))
	if errors.Is(err, store.ErrNotFound) || err == nil && !u.InScope(d.Record.RegionKATO) {
		s.render(w, r, http.StatusNotFound, "error", "web.error.not_found", "web.error.not_found_text")
		return
	}
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	rec := d.Record
	token, hash, err := auth.NewToken()
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	now := time.Now()
	expires := now.Add(questionnaireTTL)
	// The act names the client in full: the link is made and the printing
	// audited in one transaction, so no link exists that nobody printed.
	if err := s.db.CreateLinkAudited(r.Context(), rec.RecordID, hash, expires, store.ActorOf(u.ID), "act printed with a questionnaire link; personal data shown"); err != nil {
		s.serverError(w, r, err)
		return
	}
	service, subtype := actServiceNames(lang, rec.ServiceCode, rec.ServiceSubtype)
	act := &pdf.ActDoc{
		Number: rec.ActNumber, Date: actDate(rec),
		Region: report.Name(lang, report.NameRegion, rec.RegionKATO), Settlement: rec.SettlementName, Center: rec.ServicePlace,
		Manager: rec.ManagerFullName, Client: rec.ClientFullName, ClientIIN: rec.ClientIIN,
		Enterprise: rec.EnterpriseName, EnterpriseID: rec.EnterpriseID,
		Services: []pdf.ActService{{RecordID: rec.RecordID, Service: service, Subtype: subtype, Start: rec.StartDate, End: rec.EndDate,
			Online: rec.DeliveryMode == "online"}},
		QuestionnaireURL: s.actBaseURL(r) + "/q/" + token,
		Expires:          expires.UTC().Format(time.RFC3339), Printed: now.UTC().Format(time.RFC3339),
	}
	err = cycleDownload(w, "act-"+cycleSafeName(rec.RecordID, "record")+".pdf", "pdf", func(out io.Writer) error { return pdf.Act(out, act, lang) })
	if err != nil {
		s.serverError(w, r, err)
	}
}

// actDate is the act's date: the day it was signed, else the day the
// service ended.
func actDate(rec register.Record) string {
	if len(rec.ActSignedAt) >= len("2006-01-02") {
		return rec.ActSignedAt
	}
	return rec.EndDate
}

// actServiceNames names a service and its subtype from the catalogue in
// lang; a code the catalogue lacks is shown as it is.
func actServiceNames(lang i18n.Lang, code, subtype string) (string, string) {
	service := report.Name(lang, report.NameService, code)
	for _, sv := range register.DefaultServices() {
		if sv.Code != code {
			continue
		}
		for _, st := range sv.Subtypes {
			if st.Code == subtype {
				if n := st.Name[string(lang)]; n != "" {
					return service, n
				}
			}
		}
	}
	return service, subtype
}
