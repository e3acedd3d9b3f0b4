package web

// The signals of services that may not have happened, for analysts: the
// page /signals, its CSV export, the API GET /api/v1/signals and, through
// Signals and SignalList.WriteCSV, the command esep signals. A signal is a
// reason to check a group of records, never a verdict: nothing here marks
// or excludes a record.

import (
	"cmp"
	"context"
	"encoding/csv"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"esep/internal/auth"
	"esep/internal/i18n"
	"esep/internal/kz"
	"esep/internal/monitor"
	"esep/internal/register"
	"esep/internal/signals"
	"esep/internal/store"
)

var permSignals = ptr(auth.ReadSignals)

// signalsMaxDays bounds the period of one request: Detect holds the
// period's records in memory, and a year is the widest window its
// comparisons are meant for.
const signalsMaxDays = 366

// signalsPageSize is how many signals a page lists.
const signalsPageSize = 50

// SignalQuery is what signals to find: those of the records whose service
// ended in [From, To] (YYYY-MM-DD), of one region or all, of one code or
// all.
type SignalQuery struct {
	From, To string
	// Region, when set, limits the records examined to that region's: a
	// signal is then about that region's records only, and comparisons
	// across regions (one phone for clients of two regions) are not made.
	Region string
	// Code, when set, keeps the signals of that code; Counts still count
	// every code.
	Code string
	// Newest orders the list by the latest service of each signal, newest
	// first, then by score; the default is strongest first.
	Newest bool
}

// SignalList is the signals of a period as the page, the API, the CSV and
// esep signals show them. The personal data in the explanations (clients'
// names, IINs, contacts, birth dates) is masked, as in every list; the
// record page shows it in full, and audits that.
type SignalList struct {
	From    string        `json:"from"`
	To      string        `json:"to"`
	Region  string        `json:"region,omitempty"`
	Code    string        `json:"code,omitempty"`
	Records int           `json:"records"` // records examined
	Flagged int           `json:"flagged"` // distinct records in some signal (of any code)
	Counts  []SignalCount `json:"counts"`
	Signals []SignalItem  `json:"signals"`
	// Took is how long loading the records and detecting took.
	Took time.Duration `json:"-"`
}

// SignalCount is how many signals of one code were found, over how many
// records.
type SignalCount struct {
	Code    string `json:"code"`
	Title   string `json:"title"`
	Signals int    `json:"signals"`
	Records int    `json:"records"`
}

// SignalItem is one signal as shown.
type SignalItem struct {
	Code        string   `json:"code"`
	Title       string   `json:"title"`
	Explanation string   `json:"explanation"`
	Score       float64  `json:"score"`
	Records     []string `json:"records"`
	// Latest is the latest end date among the records.
	Latest string `json:"latest_end_date"`
}

var dateRE = regexp.MustCompile(`^\d{4}-\d{2}-\d{2}$`)

// Check reports whether the query's dates are dates, in order, and within
// signalsMaxDays, and its code a known one.
func (q SignalQuery) Check() bool {
	f, err1 := time.Parse(time.DateOnly, q.From)
	t, err2 := time.Parse(time.DateOnly, q.To)
	if err1 != nil || err2 != nil || !dateRE.MatchString(q.From) || !dateRE.MatchString(q.To) || t.Before(f) || t.Sub(f) >= signalsMaxDays*24*time.Hour {
		return false
	}
	return q.Code == "" || slices.Contains(signals.Codes(), q.Code)
}

// Signals loads every record whose service ended in the query's period
// (all of them, counted or not: a record excluded from the report can
// still say something about its manager's day) and the telephone survey's
// "not received" answers about them, and runs the detectors of package
// signals over them, in lang. Nothing is cached: the list is of the
// data as they stand.
func Signals(ctx context.Context, db *store.DB, cal *kz.Calendar, q SignalQuery, lang i18n.Lang) (*SignalList, error) {
	start := time.Now()
	var recs []register.Record
	ends := map[string]string{}
	err := db.EachRecord(ctx, q.From, q.To, func(r *register.Record, _ *register.Facts) error {
		if q.Region == "" || r.RegionKATO == q.Region {
			recs = append(recs, *r) // EachRecord reuses r
			ends[r.RecordID] = r.EndDate
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("signals %s..%s: %w", q.From, q.To, err)
	}
	// A client who told the telephone survey they did not receive the
	// service is the strongest sign of all.
	calls, err := db.SurveyCalls(ctx, q.From, q.To)
	if err != nil {
		return nil, fmt.Errorf("signals %s..%s: %w", q.From, q.To, err)
	}
	var denied []string
	for _, c := range calls.Calls {
		if c.Received == "no" {
			denied = append(denied, c.RecordID)
		}
	}
	found := signals.Detect(recs, cal, signals.Options{NotConfirmed: denied})
	l := &SignalList{From: q.From, To: q.To, Region: q.Region, Code: q.Code, Records: len(recs), Flagged: len(signals.RiskyRecords(found))}
	byCode := map[string]*SignalCount{}
	ids := map[string]map[string]bool{}
	for _, code := range signals.Codes() {
		title, _ := signals.Explain(signals.Signal{Code: code}, lang)
		byCode[code] = &SignalCount{Code: code, Title: title}
		ids[code] = map[string]bool{}
	}
	for _, s := range found {
		c := byCode[s.Code]
		c.Signals++
		for _, id := range s.Records {
			ids[s.Code][id] = true
		}
		if q.Code != "" && s.Code != q.Code {
			continue
		}
		title, text := signals.Explain(maskSignal(s), lang)
		item := SignalItem{Code: s.Code, Title: title, Explanation: text, Score: s.Score, Records: s.Records}
		for _, id := range s.Records {
			item.Latest = max(item.Latest, ends[id])
		}
		l.Signals = append(l.Signals, item)
	}
	for _, code := range signals.Codes() {
		byCode[code].Records = len(ids[code])
		l.Counts = append(l.Counts, *byCode[code])
	}
	if q.Newest { // stable: equal dates keep Detect's order, strongest first
		slices.SortStableFunc(l.Signals, func(a, b SignalItem) int { return cmp.Compare(b.Latest, a.Latest) })
	}
	if l.Signals == nil {
		l.Signals = []SignalItem{}
	}
	l.Took = time.Since(start)
	return l, nil
}

// maskSignal masks the personal data among a signal's parameters, the
// way maskRecord masks a record: names, IIN, phone or e-mail; of a birth
// date only the year is kept, which is enough to see a mismatch of
// generations and not enough to find a person.
func maskSignal(s signals.Signal) signals.Signal {
	p := make(map[string]string, len(s.Params))
	for k, v := range s.Params {
		switch k {
		case "client":
			v = auth.MaskName(v)
		case "names":
			names := strings.Split(v, "; ")
			for i, n := range names {
				if n != "…" {
					names[i] = auth.MaskName(n)
				}
			}
			v = strings.Join(names, "; ")
		case "iin":
			v = auth.MaskIIN(v)
		case "contact":
			if strings.Contains(v, "@") {
				v = auth.MaskEmail(v)
			} else {
				v = auth.MaskPhone(v)
			}
		case "iin_birth", "stated_birth":
			if len(v) == len("2006-01-02") {
				v = v[:4] + "-**-**"
			}
		}
		p[k] = v
	}
	s.Params = p
	return s
}

// WriteCSV writes the list as CSV for a spreadsheet, one row per record of
// each signal: the signal's number, code, title and score, and the record's
// id, region and end date. The explanation is left out, because it names
// people; a record id leads to everything else, for those allowed to see
// it.
func (l *SignalList) WriteCSV(w io.Writer, lang i18n.Lang, regionOf func(id string) string) error {
	if _, err := io.WriteString(w, "\ufeff"); err != nil { // for Excel: UTF-8, not Windows-1251
		return fmt.Errorf("signals csv: %w", err)
	}
	cw := csv.NewWriter(w)
	cw.UseCRLF = true
	cw.Write([]string{"signal", "code", "title", "score", "record_id", "region_kato", "latest_end_date"})
	for i, s := range l.Signals {
		for _, id := range s.Records {
			cw.Write([]string{strconv.Itoa(i + 1), s.Code, s.Title, strconv.FormatFloat(s.Score, 'f', 3, 64), id, regionOf(id), s.Latest})
		}
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return fmt.Errorf("signals csv: %w", err)
	}
	return nil
}

// signalsPeriod reads a period as the page offers it: a month (2026-09) or
// a quarter (2026Q3), as dates [from, to]. "" means the last complete
// month.
func signalsPeriod(p string, today time.Time) (from, to string, ok bool) {
	first := time.Date(today.Year(), today.Month(), 1, 0, 0, 0, 0, time.UTC)
	if p == "" {
		p = first.AddDate(0, -1, 0).Format("2006-01")
	}
	if m, err := monitor.ParseMonth(p); err == nil {
		return m.Format(time.DateOnly), m.AddDate(0, 1, -1).Format(time.DateOnly), true
	}
	var y, q int
	if n, err := fmt.Sscanf(strings.ToUpper(p), "%4dQ%1d", &y, &q); err == nil && n == 2 && q >= 1 && q <= 4 && y >= 2000 && y <= 2200 && len(p) == 6 {
		f := time.Date(y, time.Month(3*q-2), 1, 0, 0, 0, 0, time.UTC)
		return f.Format(time.DateOnly), f.AddDate(0, 3, -1).Format(time.DateOnly), true
	}
	return "", "", false
}

// signalsPageData is the page.
type signalsPageData struct {
	Period, Region, Code, Sort string
	Scoped                     bool
	Regions                    []kz.Region
	Codes                      []SignalCount // every code with its title, for the filter
	List                       *SignalList
	Rows                       []signalsRow
	First                      int // number of the first row shown
	Prev, Next, CSV            string
	Took                       string
	Error                      string
}

type signalsRow struct {
	SignalItem
	N     int
	Shown []string // the first record ids, linked
	More  int      // how many more the signal has
}

// signalsShown is how many record ids a row links before "and N more".
const signalsShown = 12

// signalsRequest reads the page's or the export's query; the user's region
// scope is imposed whatever the URL says.
func signalsRequest(r *http.Request) (period string, q SignalQuery, ok bool) {
	v := r.URL.Query()
	period = strings.TrimSpace(v.Get("period"))
	from, to, ok := signalsPeriod(period, monitor.Today())
	q = SignalQuery{From: from, To: to, Region: v.Get("region"), Code: v.Get("code"), Newest: v.Get("sort") == "newest"}
	if u := userOf(r); u.Region != "" {
		q.Region = u.Region
	}
	return period, q, ok && q.Check()
}

func (s *Server) signalsPage(w http.ResponseWriter, r *http.Request) {
	lang := langOf(r)
	period, q, ok := signalsRequest(r)
	status, problem := http.StatusOK, ""
	if !ok { // say so, and show the default period instead
		status, problem = http.StatusBadRequest, i18n.T(lang, "web.signals.bad_period")
		from, to, _ := signalsPeriod("", monitor.Today())
		q = SignalQuery{From: from, To: to, Region: userOf(r).Region}
		period = ""
	}
	d := signalsPageData{Period: cmp.Or(period, q.From[:7]), Region: q.Region, Code: q.Code, Sort: r.URL.Query().Get("sort"),
		Scoped: userOf(r).Region != "", Regions: kz.Regions(), Error: problem}
	for _, code := range signals.Codes() {
		title, _ := signals.Explain(signals.Signal{Code: code}, lang)
		d.Codes = append(d.Codes, SignalCount{Code: code, Title: title})
	}
	l, err := Signals(r.Context(), s.db, s.cycle.Calendar, q, lang)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	d.List = l
	d.Took = strconv.FormatFloat(l.Took.Seconds(), 'f', 3, 64)
	page, _ := strconv.Atoi(r.URL.Query().Get("page"))
	page = max(page, 1)
	lo := min((page-1)*signalsPageSize, len(l.Signals))
	hi := min(lo+signalsPageSize, len(l.Signals))
	d.First = lo + 1
	for i, it := range l.Signals[lo:hi] {
		row := signalsRow{SignalItem: it, N: lo + i + 1, Shown: it.Records}
		if len(it.Records) > signalsShown {
			row.Shown, row.More = it.Records[:signalsShown], len(it.Records)-signalsShown
		}
		d.Rows = append(d.Rows, row)
	}
	link := func(path string, page int) string {
		v := url.Values{"period": {d.Period}}
		for k, x := range map[string]string{"region": q.Region, "code": q.Code, "sort": d.Sort} {
			if x != "" {
				v.Set(k, x)
			}
		}
		if page > 1 {
			v.Set("page", strconv.Itoa(page))
		}
		return path + "?" + v.Encode()
	}
	if page > 1 {
		d.Prev = link("/signals", page-1)
	}
	if hi < len(l.Signals) {
		d.Next = link("/signals", page+1)
	}
	d.CSV = link("/signals/export.csv", 1)
	s.render(w, r, status, "signals", "web.signals.title", d)
}

// signalsExport downloads the page's list (all of it, not one page) as CSV.
func (s *Server) signalsExport(w http.ResponseWriter, r *http.Request) {
	lang := langOf(r)
	period, q, ok := signalsRequest(r)
	if !ok {
		s.render(w, r, http.StatusBadRequest, "error", "web.error.bad_request", "web.signals.bad_period")
		return
	}
	l, err := Signals(r.Context(), s.db, s.cycle.Calendar, q, lang)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	regions, err := SignalRegions(r.Context(), s.db, l)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	name := "signals-" + cmp.Or(period, q.From[:7]) + ".csv"
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", fmt.Sprintf("attachment; filename=%q", name))
	w.Header().Set("Cache-Control", "private, no-store")
	if err := l.WriteCSV(w, lang, regions); err != nil {
		s.log.Error("signals export", "err", err, "request_id", requestID(r))
	}
}

// SignalRegions returns the region of each record the list names, for
// WriteCSV: it reads the period again rather than making Signals keep
// every record for the CSV's sake.
func SignalRegions(ctx context.Context, db *store.DB, l *SignalList) (func(string) string, error) {
	want := map[string]string{}
	for _, it := range l.Signals {
		for _, id := range it.Records {
			want[id] = ""
		}
	}
	err := db.EachRecord(ctx, l.From, l.To, func(r *register.Record, _ *register.Facts) error {
		if _, ok := want[r.RecordID]; ok {
			want[r.RecordID] = r.RegionKATO
		}
		return nil
	})
	return func(id string) string { return want[id] }, err
}

// apiSignals is GET /api/v1/signals?from&to&region&code.
func (s *Server) apiSignals(w http.ResponseWriter, r *http.Request) {
	v := r.URL.Query()
	q := SignalQuery{From: v.Get("from"), To: v.Get("to"), Region: v.Get("region"), Code: v.Get("code"), Newest: v.Get("sort") == "newest"}
	if u := userOf(r); u.Region != "" {
		q.Region = u.Region
	}
	if !q.Check() {
		s.apiFail(w, r, "bad_request", "detail", fmt.Sprintf("from, to: YYYY-MM-DD, at most %d days; code: one of %s", signalsMaxDays, strings.Join(signals.Codes(), ", ")))
		return
	}
	l, err := Signals(r.Context(), s.db, s.cycle.Calendar, q, langOf(r))
	if err != nil {
		s.apiInternal(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, l)
}
