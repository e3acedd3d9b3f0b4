package web_test

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"esep/internal/store"
	"esep/internal/store/storetest"
)

// TestCampaignVerifyPage: an analyst verifies a campaign's draw from its
// page and through the API; the draw is reproduced until a service of the
// period is added to the register, which the page then reports as a
// changed frame. Agents may not verify.
func TestCampaignVerifyPage(t *testing.T) {
	s, id, _ := campaignSite(t, storetest.Engines()[0])
	path := fmt.Sprintf("/campaigns/%d/verify", id)
	verify := func(lang string) (int, string) {
		resp, body := s.call("POST", path, "analyst", strings.NewReader(""),
			"Content-Type", "application/x-www-form-urlencoded", "Accept-Language", lang)
		return resp.StatusCode, body["_raw"].(string)
	}

	if _, page := s.call("GET", fmt.Sprintf("/campaigns/%d", id), "analyst", nil); !strings.Contains(page["_raw"].(string), `id="campaign-verify-form"`) ||
		strings.Contains(page["_raw"].(string), `id="campaign-verification"`) {
		t.Error("the campaign page lacks the verify button, or shows a result unasked")
	}
	code, page := verify("en")
	for _, want := range []string{`data-verdict="reproduced"`, "Frame unchanged", "Sample identical", `<span class="tag ok">Verified: the draw is reproduced exactly`} {
		if code != http.StatusOK || !strings.Contains(page, want) {
			t.Errorf("verify: %d, the page lacks %q", code, want)
		}
	}
	resp, body := s.call("POST", "/api/v1"+path, "analyst", nil, "Accept-Language", "kk")
	v, _ := body["verification"].(map[string]any)
	if resp.StatusCode != http.StatusOK || v["verdict"] != "reproduced" || v["seed"] != "7" {
		t.Errorf("api: %d %v", resp.StatusCode, body)
	}
	if ms, _ := body["messages"].([]any); len(ms) < 4 || ms[len(ms)-1] != "Тексерілді: іріктеу дәл қайталанды" {
		t.Errorf("api messages %v", body["messages"])
	}

	// A service of the half-year added to the register after the draw.
	ctx := context.Background()
	calls, err := s.db.Calls(ctx, id)
	if err != nil || len(calls) == 0 {
		t.Fatal(calls, err)
	}
	d, err := s.db.Record(ctx, calls[0].RecordID)
	if err != nil {
		t.Fatal(err)
	}
	r := d.Record
	r.RecordID += "-LATE"
	tx, err := s.db.BeginImport(ctx, store.ImportMeta{FileName: "late.csv", By: "test"})
	if err != nil {
		t.Fatal(err)
	}
	if err := tx.Put(ctx, []store.Write{{Row: 1, Record: r, Store: true}}); err != nil {
		tx.Rollback()
		t.Fatal(err)
	}
	if err := tx.Commit(ctx, store.ImportSummary{RowsRead: 1}); err != nil {
		t.Fatal(err)
	}
	code, page = verify("ru")
	for _, want := range []string{`data-verdict="frame_changed"`, "Основа изменилась после выборки", `<span class="tag warn">Не проверено`} {
		if code != http.StatusOK || !strings.Contains(page, want) {
			t.Errorf("verify after a late service: %d, the page lacks %q", code, want)
		}
	}

	if resp, _ := s.call("POST", path, "agent", nil); resp.StatusCode != http.StatusForbidden {
		t.Errorf("an agent verified: %d", resp.StatusCode)
	}
	if code, _ := verify("en"); code != http.StatusOK {
		t.Errorf("again: %d", code)
	}
	if resp, _ := s.call("POST", "/campaigns/999/verify", "analyst", nil); resp.StatusCode != http.StatusNotFound {
		t.Errorf("no such campaign: %d", resp.StatusCode)
	}
	if resp, body := s.call("POST", "/api/v1/campaigns/999/verify", "analyst", nil); resp.StatusCode != http.StatusNotFound || body["code"] != "not_found" {
		t.Errorf("api, no such campaign: %d %v", resp.StatusCode, body)
	}
}
