package web

import (
	"net/http"
	"strconv"
	"strings"
	"time"

	"esep/internal/i18n"
	"esep/internal/kz"
	"esep/internal/monitor"
	"esep/internal/register"
)

// The catalogues are read-only here: they are data files (services.json,
// regions.json, oked.json, calendar.json) that an administrator replaces,
// and every signed-in user may look them up.

// names3 is a name in the three languages, with the one of the request.
type names3 struct {
	Name string    `json:"name"`
	All  *kz.Names `json:"names"`
}

func serviceNames(lang i18n.Lang, m map[string]string) names3 {
	n := &kz.Names{KK: m["kk"], RU: m["ru"], EN: m["en"]}
	return names3{Name: n.In(lang), All: n}
}

func kzNames(lang i18n.Lang, n kz.Names) names3 { return names3{Name: n.In(lang), All: &n} }

// catalogService is a service with its subtypes, named in the request's
// language and in all three.
type catalogService struct {
	Code string `json:"code"`
	names3
	Subtypes []catalogService `json:"subtypes,omitempty"`
}

func catalogServices(lang i18n.Lang) []catalogService {
	var out []catalogService
	for _, s := range register.DefaultServices() {
		cs := catalogService{Code: s.Code, names3: serviceNames(lang, s.Name)}
		for _, st := range s.Subtypes {
			cs.Subtypes = append(cs.Subtypes, catalogService{Code: st.Code, names3: serviceNames(lang, st.Name)})
		}
		out = append(out, cs)
	}
	return out
}

type catalogRegion struct {
	Code   string `json:"code"`
	ISO    string `json:"iso"`
	Center string `json:"center,omitempty"`
	names3
}

func catalogRegions(lang i18n.Lang) []catalogRegion {
	var out []catalogRegion
	for _, r := range kz.Regions() {
		out = append(out, catalogRegion{Code: r.Code, ISO: r.ISO, Center: r.Center, names3: kzNames(lang, r.Name)})
	}
	return out
}

// catalogsData is the catalogues page.
type catalogsData struct {
	Services   []catalogService
	Regions    []catalogRegion
	Sections   []catalogSection
	LegalForms []catalogLegal
	Categories []catalogCode
	Year       int
}

type catalogSection struct {
	Letter, Divisions, Name string
}

type catalogLegal struct {
	Code, Short, Name, KOPF string
}

type catalogCode struct {
	Code, Name string
}

func (s *Server) catalogsPage(w http.ResponseWriter, r *http.Request) {
	lang := langOf(r)
	d := catalogsData{Services: catalogServices(lang), Regions: catalogRegions(lang), Year: monitor.Today().Year()}
	for _, sec := range kz.Sections() {
		div := strconv.Itoa(sec.From)
		if sec.To != sec.From {
			div += "–" + strconv.Itoa(sec.To)
		}
		d.Sections = append(d.Sections, catalogSection{Letter: sec.Letter, Divisions: div, Name: sec.Name.In(lang)})
	}
	for _, f := range kz.LegalForms() {
		d.LegalForms = append(d.LegalForms, catalogLegal{Code: f.Code, Short: f.Short.In(lang), Name: f.Name.In(lang), KOPF: strings.Join(f.KOPF, ", ")})
	}
	for _, c := range kz.Categories() {
		d.Categories = append(d.Categories, catalogCode{Code: c.Code, Name: c.Name.In(lang)})
	}
	s.render(w, r, http.StatusOK, "admin_catalogs", "web.admin.catalogs_title", d)
}

// calendarDay is a day off or a working weekend day as shown and sent.
type calendarDay struct {
	Date    string `json:"date"`
	Weekday string `json:"weekday"`
	Kind    string `json:"kind,omitempty"`    // holiday, substitute, transfer
	Holiday string `json:"holiday,omitempty"` // its id in calendar.json
	For     string `json:"for,omitempty"`     // the weekend holiday replaced, or the day worked instead
	names3
}

// calendarData is the working-day calendar of a year.
type calendarData struct {
	Year      int           `json:"year"`
	Covered   bool          `json:"covered"`
	Confirmed bool          `json:"confirmed"`
	DaysOff   []calendarDay `json:"days_off"`
	Working   []calendarDay `json:"working_weekend_days"`
	Prev      int           `json:"-"`
	Next      int           `json:"-"`
}

// The years the calendar is asked about: it can compute any, but a year
// far from now is a typo.
const minYear, maxYear = 1992, 2100

func parseYear(s string) (int, bool) {
	y, err := strconv.Atoi(s)
	return y, err == nil && y >= minYear && y <= maxYear
}

func (s *Server) calendar(lang i18n.Lang, year int) calendarData {
	cal := s.cycle.Calendar
	d := calendarData{Year: year, Covered: cal.Covers(year), Confirmed: cal.Confirmed(year), Prev: year - 1, Next: year + 1,
		DaysOff: []calendarDay{}, Working: []calendarDay{}}
	weekday := func(t time.Time) string { return i18n.T(lang, "web.admin.weekday."+strconv.Itoa(int(t.Weekday()))) }
	for _, off := range cal.DaysOff(year) {
		day := calendarDay{Date: off.Date.Format(time.DateOnly), Weekday: weekday(off.Date), Kind: string(off.Kind), Holiday: off.Holiday, names3: kzNames(lang, off.Name)}
		if !off.For.IsZero() {
			day.For = off.For.Format(time.DateOnly)
		}
		d.DaysOff = append(d.DaysOff, day)
	}
	for _, t := range cal.WorkingWeekendDays(year) {
		d.Working = append(d.Working, calendarDay{Date: t.Format(time.DateOnly), Weekday: weekday(t)})
	}
	return d
}

func (s *Server) calendarPage(w http.ResponseWriter, r *http.Request) {
	year := monitor.Today().Year()
	if v := r.URL.Query().Get("year"); v != "" {
		y, ok := parseYear(v)
		if !ok {
			s.render(w, r, http.StatusBadRequest, "error", "web.error.bad_request", "web.admin.err.year")
			return
		}
		year = y
	}
	s.render(w, r, http.StatusOK, "admin_calendar", "web.admin.calendar_title", s.calendar(langOf(r), year))
}

func (s *Server) apiServices(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, map[string]any{"items": catalogServices(langOf(r))})
}

func (s *Server) apiRegions(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, map[string]any{"items": catalogRegions(langOf(r))})
}

func (s *Server) apiCalendar(w http.ResponseWriter, r *http.Request) {
	year, ok := parseYear(r.PathValue("year"))
	if !ok {
		s.apiFail(w, r, "bad_request", "detail", i18n.T(langOf(r), "web.admin.err.year"))
		return
	}
	writeJSON(w, http.StatusOK, s.calendar(langOf(r), year))
}
