package web_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"io"
	"math/rand/v2"
	"mime/multipart"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"esep/internal/auth"
	"esep/internal/demo"
	"esep/internal/i18n"
	"esep/internal/ingest"
	"esep/internal/monitor"
	"esep/internal/register"
	"esep/internal/store"
	"esep/internal/store/storetest"
	"esep/internal/web"
)

const importRegion = "430000000" // the region of the site's manager

// addImportOperator adds "operator", a manager who sees every region (the
// site's "manager" is limited to Kyzylorda): of the roles, only a manager
// may import.
func addImportOperator(t *testing.T, s *site) {
	t.Helper()
	hash, err := auth.HashPassword(password)
	if err != nil {
		t.Fatal(err)
	}
	u := auth.User{Login: "operator", Name: "Operator", Role: auth.Operator}
	if err := s.db.CreateUser(context.Background(), &u, hash, "test"); err != nil {
		t.Fatal(err)
	}
	tok, th, _ := auth.NewToken()
	if err := s.db.CreateAPIToken(context.Background(), u.ID, th, "test", "test"); err != nil {
		t.Fatal(err)
	}
	s.tokens["operator"] = tok
}

// importDemo is a generated register as CSV: rows records of the first
// half of 2026 whose ids start with prefix, so that they are new to the
// site.
func importDemo(t *testing.T, rows int, seed uint64, prefix string) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := demo.WriteCSV(&b, demo.Options{Rows: rows, Seed: seed, IDPrefix: prefix, ErrorRate: 0.1,
		From: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), To: time.Date(2026, 6, 30, 0, 0, 0, 0, time.UTC)}); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// importOnlyRegion keeps the header and the rows of region.
func importOnlyRegion(t *testing.T, file []byte, region string) (out []byte, rows int) {
	t.Helper()
	recs, err := csv.NewReader(bytes.NewReader(file)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	col := -1
	for i, h := range recs[0] {
		if h == "region_kato" {
			col = i
		}
	}
	var b bytes.Buffer
	w := csv.NewWriter(&b)
	w.Write(recs[0])
	for _, r := range recs[1:] {
		if r[col] == region {
			w.Write(r)
			rows++
		}
	}
	w.Flush()
	return b.Bytes(), rows
}

// importForm is a form with the file and, if given, the month.
func importForm(name string, content []byte, month string) (io.Reader, string) {
	var b bytes.Buffer
	mw := multipart.NewWriter(&b)
	if month != "" {
		mw.WriteField("month", month)
	}
	fw, _ := mw.CreateFormFile("file", name)
	fw.Write(content)
	mw.Close()
	return &b, mw.FormDataContentType()
}

// upload posts a file to the import API as login.
func (s *site) importUpload(login, name string, content []byte, month string, header ...string) (*http.Response, map[string]any) {
	s.t.Helper()
	body, ct := importForm(name, content, month)
	return s.call("POST", "/api/v1/imports", login, body, append([]string{"Content-Type", ct}, header...)...)
}

// wait polls an import until it is no longer running.
func (s *site) importWait(login, id string, header ...string) map[string]any {
	s.t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		resp, body := s.call("GET", "/api/v1/imports/"+id, login, nil, header...)
		if resp.StatusCode != http.StatusOK {
			s.t.Fatalf("import %s: %d %v", id, resp.StatusCode, body)
		}
		if body["state"] != "running" {
			return body
		}
		if time.Now().After(deadline) {
			s.t.Fatalf("import %s still running: %v", id, body)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// importFile uploads a file, waits for the import and returns its state.
func (s *site) importRun(login, name string, content []byte, month string, header ...string) map[string]any {
	s.t.Helper()
	resp, body := s.importUpload(login, name, content, month, header...)
	if resp.StatusCode != http.StatusAccepted {
		s.t.Fatalf("upload %s as %s: %d %v", name, login, resp.StatusCode, body)
	}
	if body["status_url"] != "/api/v1/imports/"+body["id"].(string) || resp.Header.Get("Location") != body["status_url"] {
		s.t.Errorf("upload: %v, Location %q", body, resp.Header.Get("Location"))
	}
	return s.importWait(login, body["id"].(string), header...)
}

func (s *site) importTotals() store.Totals {
	s.t.Helper()
	t, err := s.db.Totals(context.Background())
	if err != nil {
		s.t.Fatal(err)
	}
	return t
}

// expect is what importing file into the site's database now would report:
// a dry run over the same database with the server's rules.
func (s *site) importExpect(file []byte, ext string) *ingest.Result {
	s.t.Helper()
	path := filepath.Join(s.t.TempDir(), "expect"+ext)
	if err := os.WriteFile(path, file, 0o600); err != nil {
		s.t.Fatal(err)
	}
	ctx := context.Background()
	set, err := s.db.Settlements(ctx)
	if err != nil {
		s.t.Fatal(err)
	}
	v := &register.Validator{Today: monitor.Today(), Services: register.ServiceSet(register.DefaultServices()), Settlements: set}
	res, err := ingest.Validate(ctx, s.db, path, ingest.Options{Validator: v})
	if err != nil {
		s.t.Fatal(err)
	}
	return res
}

func importNum(v any) int { f, _ := v.(float64); return int(f) }

func TestImport(t *testing.T) {
	for _, e := range storetest.Engines() {
		t.Run(e.Name, func(t *testing.T) {
			s := newSite(t, e)
			addImportOperator(t, s)
			file := importDemo(t, 2000, 11, "UPL")
			var done map[string]any // the successful import, for the subtests after it

			t.Run("summary and problems", func(t *testing.T) {
				want := s.importExpect(file, ".csv")
				before := s.importTotals()
				done = s.importRun("operator", "реестр.csv", file, "")
				if done["state"] != "done" || done["error"] != nil {
					t.Fatalf("import: %v", done)
				}
				sum := done["summary"].(map[string]any)
				w := want.Summary
				for k, n := range map[string]int{"rows_read": w.RowsRead, "accepted": w.Accepted, "accepted_with_warnings": w.Warned,
					"rejected": w.Rejected, "unchanged": w.Unchanged, "corrected": w.Corrected} {
					if importNum(sum[k]) != n {
						t.Errorf("summary %s: %v, ingest says %d", k, sum[k], n)
					}
				}
				if importNum(sum["rows_read"]) != 2000 || importNum(sum["accepted"])+importNum(sum["accepted_with_warnings"])+importNum(sum["rejected"]) != 2000 {
					t.Errorf("the counts do not add up to the rows: %v", sum)
				}
				rules := done["rules"].(map[string]any)
				findings := 0
				for rule, n := range want.RuleCounts {
					if importNum(rules[rule]) != n {
						t.Errorf("rule %s: %v, ingest says %d", rule, rules[rule], n)
					}
					findings += n
				}
				if len(rules) != len(want.RuleCounts) || findings == 0 || importNum(done["problems"]) != findings {
					t.Errorf("rules %v, want %v", rules, want.RuleCounts)
				}
				if done["file"] != "реестр.csv" || importNum(done["percent"]) != 100 || importNum(done["done"]) != importNum(done["total"]) || done["finished_at"] == nil {
					t.Errorf("state: %v", done)
				}
				after := s.importTotals()
				if after.Imports != before.Imports+1 || after.ImportFindings-before.ImportFindings != findings || after.Records <= before.Records {
					t.Errorf("totals %+v → %+v, %d findings", before, after, findings)
				}

				// The problem list: one entry per finding, in the caller's language.
				resp, list := s.call("GET", done["problems_url"].(string), "operator", nil, "Accept-Language", "ru")
				items, _ := list["items"].([]any)
				if resp.StatusCode != http.StatusOK || len(items) != findings || importNum(list["import_id"]) != importNum(done["import_id"]) {
					t.Fatalf("problems: %d, %d items of %d", resp.StatusCode, len(items), findings)
				}
				cyrillic := regexp.MustCompile(`[а-яА-Я]`)
				prev := 0
				for _, it := range items {
					p := it.(map[string]any)
					if importNum(p["row"]) < prev || p["rule"] == "" || !cyrillic.MatchString(p["message"].(string)) {
						t.Fatalf("problem %v", p)
					}
					prev = importNum(p["row"])
				}

				// The same list to download, as CSV and as a workbook.
				resp, raw := s.call("GET", "/import/"+done["id"].(string)+"/problems.csv?lang=en", "operator", nil)
				text := raw["_raw"].(string)
				if resp.StatusCode != http.StatusOK || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/csv") || !strings.HasPrefix(text, "\uFEFF") {
					t.Fatalf("problems.csv: %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
				}
				cr := csv.NewReader(strings.NewReader(strings.TrimPrefix(text, "\uFEFF")))
				cr.Comma = ';'
				lines, err := cr.ReadAll()
				if err != nil || len(lines) != findings+1 || lines[0][0] != "Row" {
					t.Errorf("problems.csv: %v, %d lines for %d findings, header %v", err, len(lines), findings, lines[0])
				}
				resp, raw = s.call("GET", "/import/"+done["id"].(string)+"/problems.xlsx", "operator", nil)
				if resp.StatusCode != http.StatusOK {
					t.Fatalf("problems.xlsx: %d", resp.StatusCode)
				}
				book, err := excelize.OpenReader(strings.NewReader(raw["_raw"].(string)))
				if err != nil {
					t.Fatal(err)
				}
				defer book.Close()
				rows, err := book.GetRows(book.GetSheetName(0))
				if err != nil || len(rows) != findings+1 {
					t.Errorf("problems.xlsx: %v, %d rows for %d findings", err, len(rows), findings)
				}
			})

			t.Run("a raw CSV body, again", func(t *testing.T) {
				resp, body := s.call("POST", "/api/v1/imports?name=again.csv", "operator", bytes.NewReader(file), "Content-Type", "text/csv")
				if resp.StatusCode != http.StatusAccepted {
					t.Fatalf("%d %v", resp.StatusCode, body)
				}
				st := s.importWait("operator", body["id"].(string))
				sum := st["summary"].(map[string]any)
				if st["state"] != "done" || st["file"] != "again.csv" || importNum(sum["rows_read"]) != 2000 || importNum(sum["unchanged"]) == 0 || importNum(sum["corrected"]) != 0 {
					t.Errorf("the same file again: %v", st)
				}
			})

			t.Run("an XLSX workbook", func(t *testing.T) {
				recs, err := csv.NewReader(bytes.NewReader(importDemo(t, 200, 14, "XL"))).ReadAll()
				if err != nil {
					t.Fatal(err)
				}
				book := excelize.NewFile()
				for i, rec := range recs {
					cells := make([]any, len(rec))
					for k, v := range rec {
						cells[k] = v
					}
					cell, _ := excelize.CoordinatesToCellName(1, i+1)
					book.SetSheetRow("Sheet1", cell, &cells)
				}
				var b bytes.Buffer
				if err := book.Write(&b); err != nil {
					t.Fatal(err)
				}
				want := s.importExpect(b.Bytes(), ".xlsx")
				st := s.importRun("operator", "реестр.xlsx", b.Bytes(), "")
				sum, _ := st["summary"].(map[string]any)
				if st["state"] != "done" || importNum(sum["rows_read"]) != 200 || importNum(sum["rejected"]) != want.Summary.Rejected {
					t.Errorf("a workbook: %v, ingest says %+v", st, want.Summary)
				}
			})

			t.Run("who may import", func(t *testing.T) {
				for _, login := range []string{"ministry", "analyst", "admin", "agent", ""} {
					want := http.StatusForbidden
					if login == "" {
						want = http.StatusUnauthorized
					}
					if resp, body := s.importUpload(login, "r.csv", file[:2000], ""); resp.StatusCode != want || body["message"] == "" {
						t.Errorf("%q uploads: %d %v", login, resp.StatusCode, body)
					}
				}
				id := done["id"].(string)
				if resp, _ := s.call("GET", "/api/v1/imports/"+id, "analyst", nil); resp.StatusCode != http.StatusForbidden {
					t.Errorf("an analyst reads an import: %d", resp.StatusCode)
				}
				// Another manager may import, but another's import is not hers.
				for _, path := range []string{"/api/v1/imports/" + id, "/api/v1/imports/" + id + "/problems", "/import/" + id,
					"/import/" + id + "/progress", "/import/" + id + "/problems.csv", "/api/v1/imports/no-such-job"} {
					if resp, _ := s.call("GET", path, "manager", nil); resp.StatusCode != http.StatusNotFound {
						t.Errorf("%s as another user: %d", path, resp.StatusCode)
					}
				}
			})

			t.Run("refused requests", func(t *testing.T) {
				var none bytes.Buffer
				mw := multipart.NewWriter(&none)
				mw.WriteField("month", "2026-05")
				mw.Close()
				tests := []struct {
					name, ct string
					body     io.Reader
					status   int
					code     string
				}{
					{"no file", mw.FormDataContentType(), &none, 400, "bad_request"},
					{"JSON", "application/json", strings.NewReader(`{}`), 415, "bad_request"},
				}
				bad, ct := importForm("r.csv", file, "2026-13")
				tests = append(tests, struct {
					name, ct string
					body     io.Reader
					status   int
					code     string
				}{"a bad month", ct, bad, 400, "bad_request"})
				future, ct := importForm("r.csv", file, "2999-01")
				tests = append(tests, struct {
					name, ct string
					body     io.Reader
					status   int
					code     string
				}{"a future month", ct, future, 400, "bad_request"})
				before := s.importTotals()
				for _, tt := range tests {
					resp, body := s.call("POST", "/api/v1/imports", "operator", tt.body, "Content-Type", tt.ct)
					if resp.StatusCode != tt.status || body["code"] != tt.code || body["message"] == "" {
						t.Errorf("%s: %d %v", tt.name, resp.StatusCode, body)
					}
				}
				if s.importTotals() != before {
					t.Error("a refused request changed the database")
				}
			})

			t.Run("unreadable files", func(t *testing.T) {
				rng := rand.New(rand.NewChaCha8([32]byte{1}))
				garbage := make([]byte, 50<<20)
				for i := range garbage {
					garbage[i] = byte(rng.Uint32())
				}
				tests := []struct {
					name    string
					content []byte
					code    string
				}{
					{"empty.csv", nil, "empty"},
					{"picture.csv", append([]byte("\x89PNG\r\n\x1a\n"), garbage[:4096]...), "binary"},
					{"header.csv", []byte("a;b;c\n1;2;3\n"), "missing_columns"},
					{"garbage.csv", garbage, "binary"}, // 50 MB, under the upload limit: the import refuses it
				}
				before := s.importTotals()
				for _, tt := range tests {
					st := s.importRun("operator", tt.name, tt.content, "", "Accept-Language", "ru")
					e, _ := st["error"].(map[string]any)
					if st["state"] != "failed" || e == nil || e["code"] != tt.code || st["summary"] != nil {
						t.Errorf("%s: %v", tt.name, st)
						continue
					}
					if tt.code == "empty" && e["message"] != i18n.T(i18n.RU, "ingest.file.empty", "file", tt.name) {
						t.Errorf("%s: message %q", tt.name, e["message"])
					}
					if resp, body := s.call("GET", "/api/v1/imports/"+st["id"].(string)+"/problems", "operator", nil); resp.StatusCode != http.StatusConflict || body["code"] != "import_failed" {
						t.Errorf("%s: problems of a failed import: %d %v", tt.name, resp.StatusCode, body)
					}
				}
				if after := s.importTotals(); after != before {
					t.Errorf("a refused file changed the database: %+v → %+v", before, after)
				}

				// Over the upload limit, the request itself is refused.
				web.SetImportUploadLimit(8 << 20)
				t.Cleanup(func() { web.SetImportUploadLimit(0) })
				if resp, body := s.importUpload("operator", "garbage.csv", garbage, ""); resp.StatusCode != http.StatusRequestEntityTooLarge || body["code"] != "too_large" {
					t.Errorf("50 MB over an 8 MB limit: %d %v", resp.StatusCode, body)
				}
				if after := s.importTotals(); after != before {
					t.Errorf("a refused upload changed the database: %+v → %+v", before, after)
				}
			})

			t.Run("a manager limited to a region", func(t *testing.T) {
				before := s.importTotals()
				st := s.importRun("manager", "all.csv", importDemo(t, 2000, 12, "ALL"), "", "Accept-Language", "en")
				e, _ := st["error"].(map[string]any)
				if st["state"] != "failed" || e == nil || e["code"] != "outside_region" || !strings.Contains(e["message"].(string), "Kyzylorda") {
					t.Fatalf("another region's rows: %v", st)
				}
				if after := s.importTotals(); after != before {
					t.Errorf("a refused file changed the database: %+v → %+v", before, after)
				}

				// A stored record of another region, sent as hers: the
				// first pass sees only her region; the import sees the move.
				other := firstRecord(t, s, "analyst", "710000000")
				d, err := s.db.Record(context.Background(), other)
				if err != nil {
					t.Fatal(err)
				}
				rec := d.Record
				rec.RegionKATO = importRegion
				var b bytes.Buffer
				cw := csv.NewWriter(&b)
				cw.Write(register.ColumnNames())
				cw.Write(rec.Values())
				cw.Flush()
				st = s.importRun("manager", "move.csv", b.Bytes(), "", "Accept-Language", "en")
				e, _ = st["error"].(map[string]any)
				if st["state"] != "failed" || e == nil || e["code"] != "outside_region" || !strings.Contains(e["message"].(string), other) {
					t.Fatalf("moving another region's record: %v", st)
				}
				if after := s.importTotals(); after != before {
					t.Errorf("a refused file changed the database: %+v → %+v", before, after)
				}

				// Her own region's rows go in.
				mine, n := importOnlyRegion(t, importDemo(t, 2000, 12, "KZO"), importRegion)
				if n == 0 {
					t.Fatal("no Kyzylorda rows generated")
				}
				st = s.importRun("manager", "mine.csv", mine, "")
				if st["state"] != "done" || importNum(st["summary"].(map[string]any)["rows_read"]) != n || importNum(st["percent"]) != 100 {
					t.Errorf("her own rows: %v", st)
				}
				if after := s.importTotals(); after.Records <= before.Records {
					t.Errorf("her rows were not stored: %+v → %+v", before, after)
				}
			})

			t.Run("a monthly register", func(t *testing.T) {
				st := s.importRun("operator", "may.csv", importDemo(t, 300, 13, "MAY"), "2026-05")
				if st["state"] != "done" || st["month"] != "2026-05" {
					t.Fatalf("monthly register: %v", st)
				}
				letter, _ := st["letter"].(string)
				if importNum(st["summary"].(map[string]any)["rejected"]) > 0 && !regexp.MustCompile(`^\d+/\d{4}$`).MatchString(letter) {
					t.Errorf("a register with rejected rows drafted no letter: %v", st)
				}
			})
		})
	}
}

// TestImportMasking checks the masking of problem lists for a role without
// personal.read. No such role may import today (a manager reads personal
// data), so the function is tested as it is.
func TestImportMasking(t *testing.T) {
	tests := []struct {
		in    register.Finding
		value string
		hides string
	}{
		{register.Finding{Rule: "client_iin_invalid", Column: "client_iin", Value: "900101300123", Detail: "kz.id.checksum"}, "********0123", "900101300123"},
		{register.Finding{Rule: "iin_name", Column: "client_full_name", Value: "Қасымова Әсем Серікқызы", Detail: "Касымова Асем"}, "Қ******* Ә. С.", "Касымова"},
		{register.Finding{Rule: "phone_format", Column: "mobile_phone", Value: "+77011234567"}, "+7701*****67", "1234"},
		{register.Finding{Rule: "email_format", Column: "email", Value: "asem@mail.kz"}, "a***@mail.kz", "asem@"},
		{register.Finding{Rule: "invalid_date", Column: "client_birth_date", Value: "1990-13-01"}, "", "1990"},
		{register.Finding{Rule: "enterprise_id", Column: "enterprise_iin_bin", Value: "900101300123"}, "********0123", "9001013"},
		{register.Finding{Rule: "record_duplicate", Column: "record_id", Value: "SRV-1"}, "SRV-1", ""},
	}
	for _, tt := range tests {
		m := web.MaskImportFinding(tt.in)
		if m.Value != tt.value {
			t.Errorf("%s: value %q, want %q", tt.in.Column, m.Value, tt.value)
		}
		for _, lang := range i18n.Langs {
			if msg := m.Message(lang); tt.hides != "" && strings.Contains(msg, tt.hides) {
				t.Errorf("%s: the message shows %q: %s", tt.in.Column, tt.hides, msg)
			}
		}
	}
	// A detail that is a message key stays one.
	if m := web.MaskImportFinding(tests[0].in); m.Detail != "kz.id.checksum" {
		t.Errorf("detail key masked: %q", m.Detail)
	}
}

// TestImportPage walks the browser's path with a cookie jar: the form,
// the upload, the redirect to the job's page, the fragment the page polls
// until the summary, and the problem list.
func TestImportPage(t *testing.T) {
	s := newSite(t, storetest.Engines()[0])
	jar, _ := cookiejar.New(nil)
	client := &http.Client{Jar: jar}
	resp, err := client.PostForm(s.srv.URL+"/login", url.Values{"login": {"manager"}, "password": {password}, "next": {"/import"}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	get := func(path string) (*http.Response, string) {
		resp, err := client.Get(s.srv.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp, string(b)
	}
	post := func(name string, content []byte, month string) (*http.Response, string) {
		body, ct := importForm(name, content, month)
		resp, err := client.Post(s.srv.URL+"/import?lang=en", ct, body)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp, string(b)
	}
	// No inline script or style: the CSP forbids them.
	inline := regexp.MustCompile(`<script>|<script [^>]*>[^<]|\sstyle=|<style|\son[a-z]+=`)

	resp, page := get("/import?lang=en")
	for _, want := range []string{`id="import-file"`, `id="import-submit"`, `id="import-month"`, `enctype="multipart/form-data"`, `for="import-file"`, "Kyzylorda"} {
		if !strings.Contains(page, want) {
			t.Errorf("the form lacks %s", want)
		}
	}
	if resp.StatusCode != 200 || resp.Header.Get("Content-Security-Policy") == "" || inline.MatchString(page) {
		t.Errorf("form: %d, CSP %q, inline %q", resp.StatusCode, resp.Header.Get("Content-Security-Policy"), inline.FindString(page))
	}

	mine, _ := importOnlyRegion(t, importDemo(t, 2000, 21, "PG"), importRegion)
	resp, page = post("mine.csv", mine, "")
	id := strings.TrimPrefix(resp.Request.URL.Path, "/import/")
	if resp.StatusCode != 200 || id == "" || strings.Contains(id, "/") || !strings.Contains(page, `id="import-status"`) {
		t.Fatalf("after the upload: %d %s", resp.StatusCode, resp.Request.URL)
	}
	if !strings.Contains(page, `id="import-summary"`) && !(strings.Contains(page, `<progress id="import-progress"`) && strings.Contains(page, `hx-get="/import/`+id+`/progress"`)) {
		t.Errorf("the job page has neither a progress bar nor a summary:\n%s", page)
	}
	var fragment string
	for deadline := time.Now().Add(30 * time.Second); ; {
		resp, fragment = get("/import/" + id + "/progress?lang=en")
		if resp.StatusCode != 200 || inline.MatchString(fragment) {
			t.Fatalf("progress: %d %s", resp.StatusCode, fragment)
		}
		if strings.Contains(fragment, `id="import-summary"`) {
			break
		}
		if !strings.Contains(fragment, `hx-trigger="every 500ms"`) || time.Now().After(deadline) {
			t.Fatalf("progress fragment: %s", fragment)
		}
		time.Sleep(20 * time.Millisecond)
	}
	if strings.Contains(fragment, "hx-trigger") || !strings.Contains(fragment, `id="import-problems"`) || !strings.Contains(fragment, "Rows read") {
		t.Errorf("the final fragment still polls, or lacks the problem list:\n%s", fragment)
	}
	if resp, csvText := get("/import/" + id + "/problems.csv"); resp.StatusCode != 200 || !strings.Contains(csvText, ";") {
		t.Errorf("problems.csv: %d", resp.StatusCode)
	}
	if _, page := get("/import?lang=en"); !strings.Contains(page, `href="/import/`+id+`"`) || !strings.Contains(page, "mine.csv") {
		t.Error("the import page does not list the import")
	}

	// A refused file: the job's page says why, and that nothing was written.
	resp, _ = post("empty.csv", nil, "")
	empty := strings.TrimPrefix(resp.Request.URL.Path, "/import/")
	for deadline := time.Now().Add(10 * time.Second); ; {
		_, fragment = get("/import/" + empty + "/progress?lang=en")
		if strings.Contains(fragment, `id="import-error"`) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("empty file: %s", fragment)
		}
		time.Sleep(20 * time.Millisecond)
	}
	if !strings.Contains(fragment, "is empty") || !strings.Contains(fragment, "Nothing was imported") {
		t.Errorf("empty file: %s", fragment)
	}

	// Refused forms stay on the form, with the reason.
	if resp, page := post("", nil, ""); resp.StatusCode != 400 || !strings.Contains(page, `id="import-form-error"`) {
		t.Errorf("no file chosen: %d", resp.StatusCode)
	}
	if resp, page := post("r.csv", mine, "May 2026"); resp.StatusCode != 400 || !strings.Contains(page, "YYYY-MM") {
		t.Errorf("a bad month: %d", resp.StatusCode)
	}

	// Roles without register.write get the forbidden page.
	jar2, _ := cookiejar.New(nil)
	analyst := &http.Client{Jar: jar2}
	if resp, err := analyst.PostForm(s.srv.URL+"/login", url.Values{"login": {"analyst"}, "password": {password}, "next": {"/import"}}); err != nil || resp.StatusCode != http.StatusForbidden {
		t.Errorf("an analyst on the import page: %v %v", err, resp.StatusCode)
	}
}

// TestImportShutdown stops the server in the middle of an import: the
// import is cancelled inside its transaction and leaves the database as it
// was, and the job says it can be run again.
func TestImportShutdown(t *testing.T) {
	for _, e := range storetest.Engines() {
		t.Run(e.Name, func(t *testing.T) {
			s := newSite(t, e)
			addImportOperator(t, s)
			held := make(chan struct{}, 1)
			web.SetImportProgressHook(func(ctx context.Context) {
				select {
				case held <- struct{}{}:
				default:
				}
				<-ctx.Done()
			})
			t.Cleanup(func() { web.SetImportProgressHook(nil) })
			before := s.importTotals()
			resp, body := s.importUpload("operator", "big.csv", importDemo(t, 2000, 31, "SHUT"), "")
			if resp.StatusCode != http.StatusAccepted {
				t.Fatalf("%d %v", resp.StatusCode, body)
			}
			<-held // a first batch is written in the transaction
			ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
			defer cancel()
			if err := s.web.WaitImports(ctx); !errors.Is(err, context.DeadlineExceeded) {
				t.Errorf("WaitImports: %v", err)
			}
			st := s.importWait("operator", body["id"].(string), "Accept-Language", "en")
			e, _ := st["error"].(map[string]any)
			if st["state"] != "failed" || e == nil || e["code"] != "interrupted" || !strings.Contains(e["message"].(string), "upload the file again") {
				t.Errorf("an interrupted import: %v", st)
			}
			if after := s.importTotals(); after != before {
				t.Errorf("an interrupted import changed the database: %+v → %+v", before, after)
			}
			if resp, body := s.importUpload("operator", "late.csv", []byte("x"), ""); resp.StatusCode != http.StatusServiceUnavailable || body["code"] != "unavailable" {
				t.Errorf("an upload while stopping: %d %v", resp.StatusCode, body)
			}
			if err := s.web.WaitImports(context.Background()); err != nil {
				t.Errorf("WaitImports with nothing running: %v", err)
			}
		})
	}
}
