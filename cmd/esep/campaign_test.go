package main

import (
	"path/filepath"
	"slices"
	"strings"
	"testing"
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
