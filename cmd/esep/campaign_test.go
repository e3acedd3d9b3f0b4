package main

import (
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"esep/internal/store/storetest"
)

// TestCampaignCommand: esep campaign opens a reproducible campaign, lists
// it with its rates, shows its strata and draw in text and JSON, closes it,
// and refuses bad options in the user's language.
func TestCampaignCommand(t *testing.T) {
	dir := t.TempDir()
	dsn := filepath.Join(dir, "esep.db")
	mustRun(t, "--db", dsn, "import", writeDemo(t, dir, 300, "11"))

	out := mustRun(t, "--db", dsn, "--lang", "en", "campaign", "open", "--from", "2026-01-01", "--to", "2026-06-30",
		"--margin", "0.1", "--confidence", "0.9", "--seed", "18446744073709551615", "--exclude-months", "0", "--name", "H1")
	if !strings.Contains(out, "Campaign 1 “H1” opened") || !strings.Contains(out, "seed 18446744073709551615") {
		t.Errorf("open: %s", out)
	}
	var opened struct {
		Campaign struct {
			ID   int64  `json:"id"`
			Seed string `json:"seed"`
		} `json:"campaign"`
		Strata   []map[string]any `json:"strata"`
		Progress struct {
			Calls int `json:"calls"`
		} `json:"progress"`
	}
	mustDecode(t, mustRun(t, "--db", dsn, "campaign", "open", "--from", "2026-01-01", "--to", "2026-06-30",
		"--margin", "0.1", "--confidence", "0.9", "--seed", "18446744073709551615", "--exclude-months", "0", "--format", "json"), &opened)
	if opened.Campaign.ID != 2 || opened.Campaign.Seed != "18446744073709551615" || len(opened.Strata) == 0 || opened.Progress.Calls == 0 {
		t.Fatalf("json: %+v", opened)
	}
	db := openDB(t, dsn)
	ids := func(id int64) []string {
		calls, err := db.Calls(t.Context(), id)
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, c := range calls {
			out = append(out, c.RecordID)
		}
		return out
	}
	if a, b := ids(1), ids(2); !slices.Equal(a, b) || len(a) != opened.Progress.Calls {
		t.Errorf("the same seed drew %v and %v", a, b)
	}
	db.Close()

	list := mustRun(t, "--db", dsn, "--lang", "kk", "campaign", "list")
	if !strings.Contains(list, "RR1") || !strings.Contains(list, "H1") || !strings.Contains(list, "Ашық") || !strings.Contains(list, "—") {
		t.Errorf("list:\n%s", list)
	}
	show := mustRun(t, "--db", dsn, "--lang", "ru", "campaign", "show", "1")
	for _, want := range []string{"Кампания 1 «H1»", "esep-survey-draw/v1", "seed: 18446744073709551615", "страта", "AAPOR: RR1 0.0%"} {
		if !strings.Contains(show, want) {
			t.Errorf("show lacks %q:\n%s", want, show)
		}
	}
	var shown struct {
		Campaign map[string]any `json:"campaign"`
		Strata   []any          `json:"strata"`
	}
	mustDecode(t, mustRun(t, "--db", dsn, "campaign", "show", "2", "--format", "json"), &shown)
	if shown.Campaign["frame_digest"] == "" || len(shown.Strata) != len(opened.Strata) {
		t.Errorf("show json: %+v", shown)
	}
	mustRun(t, "--db", dsn, "campaign", "close", "2")
	if !strings.Contains(mustRun(t, "--db", dsn, "--lang", "en", "campaign", "list"), "Closed") {
		t.Error("the closed campaign is not listed as closed")
	}

	for _, tt := range []struct {
		args []string
		code int
	}{
		{[]string{"campaign", "open", "--from", "2026-01-01", "--to", "2026-06-30", "--margin", "5"}, exitFail},
		{[]string{"campaign", "open", "--from", "2026-06-30", "--to", "2026-01-01"}, exitFail},
		{[]string{"campaign", "open", "--from", "2020-01-01", "--to", "2020-01-31"}, exitFail},
		{[]string{"campaign", "open", "--from", "2026-01-01", "--to", "2026-06-30", "--seed", "-1"}, exitFail},
		{[]string{"campaign", "open", "--from", "2026-01-01", "--to", "2026-06-30", "--calling-from", "21:00", "--calling-to", "08:00"}, exitFail},
		{[]string{"campaign", "open", "--to", "2026-06-30"}, exitUsage},
		{[]string{"campaign", "show", "99"}, exitFail},
		{[]string{"campaign", "show", "x"}, exitUsage},
		{[]string{"campaign", "close", "2"}, exitFail},
		{[]string{"campaign"}, exitUsage},
	} {
		code, _, errs := esep(t, append([]string{"--db", dsn, "--lang", "ru"}, tt.args...)...)
		if code != tt.code || !hasCyrillic(errs) {
			t.Errorf("%v: exit %d %q", tt.args, code, errs)
		}
	}
	if code, _, errs := esep(t, "--db", dsn, "--lang", "ru", "campaign", "open", "--from", "2026-01-01", "--to", "2026-06-30", "--margin", "5"); code != exitFail || !strings.Contains(errs, "Предельная ошибка") {
		t.Errorf("a margin of 5: %q", errs)
	}
}

// TestCampaignVerifyCommand: esep campaign verify re-draws a campaign with
// exclusions and an oversample and exits 0; after a stored call is
// tampered with, it says where the sample differs, in the user's
// language, and exits exitNotVerified.
func TestCampaignVerifyCommand(t *testing.T) {
	dir := t.TempDir()
	dsn := filepath.Join(dir, "esep.db")
	mustRun(t, "--db", dsn, "import", writeDemo(t, dir, 300, "5"))
	mustRun(t, "--db", dsn, "campaign", "open", "--from", "2026-01-01", "--to", "2026-01-31", "--seed", "1")
	// A client of campaign 1 said her service did not happen (the calls
	// are worked on the web; the notice is what matters here): it is a
	// risky service for campaign 2, which also leaves out campaign 1's
	// clients.
	storetest.Exec(t, dsn, `INSERT INTO notices (kind, region, record_id, call_id, created_at)
		SELECT 'not_confirmed', region, record_id, id, '2026-07-01T00:00:00Z' FROM calls WHERE campaign_id = 1 ORDER BY id LIMIT 1`)
	mustRun(t, "--db", dsn, "campaign", "open", "--from", "2026-01-01", "--to", "2026-06-30", "--margin", "0.1", "--confidence", "0.9",
		"--seed", "2", "--exclude-months", "6", "--oversample", "0.5")

	out := mustRun(t, "--db", dsn, "--lang", "en", "campaign", "verify", "2")
	for _, want := range []string{"Campaign 2 drawn again by esep-survey-draw/v1 with seed 2", "Frame unchanged", "Sample identical", "Verified"} {
		if !strings.Contains(out, want) {
			t.Errorf("verify lacks %q:\n%s", want, out)
		}
	}
	var v struct {
		Verdict  string `json:"verdict"`
		Seed     string `json:"seed"`
		Excluded int    `json:"excluded"`
		Risky    int    `json:"risky"`
		Frame    struct {
			Unchanged bool `json:"unchanged"`
		} `json:"frame"`
	}
	mustDecode(t, mustRun(t, "--db", dsn, "campaign", "verify", "2", "--format", "json"), &v)
	if v.Verdict != "reproduced" || v.Seed != "2" || v.Excluded == 0 || v.Risky == 0 || !v.Frame.Unchanged {
		t.Errorf("json: %+v", v)
	}

	storetest.Exec(t, dsn, `UPDATE calls SET extra = 1 - extra WHERE id = (SELECT MIN(id) FROM calls WHERE campaign_id = 2)`)
	code, out, errs := esep(t, "--db", dsn, "--lang", "ru", "campaign", "verify", "2")
	if code != exitNotVerified || !strings.Contains(out, "Основа не изменилась") || !strings.Contains(out, "Выборка не совпадает: различающихся мест 1") ||
		!strings.Contains(out, "Не проверено") || errs != "" {
		t.Errorf("a tampered call: exit %d\n%s%s", code, out, errs)
	}
	if code, out, _ := esep(t, "--db", dsn, "campaign", "verify", "2", "--format", "json"); code != exitNotVerified || !strings.Contains(out, `"sample_differs"`) {
		t.Errorf("a tampered call in json: exit %d\n%s", code, out)
	}
	for _, tt := range []struct {
		args []string
		code int
	}{
		{[]string{"campaign", "verify", "99"}, exitFail},
		{[]string{"campaign", "verify", "x"}, exitUsage},
		{[]string{"campaign", "verify", "1", "--format", "xml"}, exitUsage},
	} {
		if code, _, errs := esep(t, append([]string{"--db", dsn, "--lang", "kk"}, tt.args...)...); code != tt.code || !hasCyrillic(errs) {
			t.Errorf("%v: exit %d %q", tt.args, code, errs)
		}
	}
}
