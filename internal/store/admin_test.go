package store_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"esep/internal/auth"
	"esep/internal/store"
	"esep/internal/store/storetest"
)

func TestAdmin(t *testing.T) {
	for _, e := range storetest.Engines() {
		t.Run(e.Name, func(t *testing.T) {
			ctx := context.Background()
			db := storetest.Open(t, e)
			add := func(login string, role auth.Role) *auth.User {
				t.Helper()
				u := &auth.User{Login: login, Name: login, Role: role}
				if err := db.CreateUser(ctx, u, "hash", "test"); err != nil {
					t.Fatal(err)
				}
				return u
			}
			admin, asem := add("admin", auth.Admin), add("asem", auth.Analyst)

			t.Run("update, disable, last administrator", func(t *testing.T) {
				role, region := auth.Operator, "430000000"
				u, err := db.UpdateUser(ctx, asem.ID, store.UserChange{Role: &role, Region: &region}, "user:1")
				if err != nil || u.Role != auth.Operator || u.Region != region {
					t.Fatalf("%+v %v", u, err)
				}
				if err := db.StartSession(ctx, asem.ID, "session-hash", time.Now().Add(time.Hour)); err != nil {
					t.Fatal(err)
				}
				off := true
				if _, err := db.UpdateUser(ctx, asem.ID, store.UserChange{Disabled: &off}, "user:1"); err != nil {
					t.Fatal(err)
				}
				if _, err := db.SessionUser(ctx, "session-hash"); !errors.Is(err, store.ErrNotFound) {
					t.Errorf("a disabled user's session: %v", err)
				}
				if _, err := db.UpdateUser(ctx, admin.ID, store.UserChange{Disabled: &off}, "user:1"); !errors.Is(err, store.ErrLastAdmin) {
					t.Errorf("disabling the last administrator: %v", err)
				}
				viewer := auth.Viewer
				if _, err := db.UpdateUser(ctx, admin.ID, store.UserChange{Role: &viewer}, "user:1"); !errors.Is(err, store.ErrLastAdmin) {
					t.Errorf("demoting the last administrator: %v", err)
				}
				if _, err := db.UpdateUser(ctx, 9999, store.UserChange{Role: &viewer}, "user:1"); !errors.Is(err, store.ErrNotFound) {
					t.Errorf("no such user: %v", err)
				}
				ev, _ := db.AuditEvents(ctx, 3) // disable, the session's login, update
				if ev[0].Action != "user.disable" || ev[2].Action != "user.update" || ev[0].Actor != "user:1" || ev[2].Object != store.ActorOf(asem.ID) {
					t.Errorf("audit: %+v", ev)
				}
			})

			t.Run("tokens", func(t *testing.T) {
				for _, h := range []string{"abcdef0123456789", "abcdef0199999999", "1234567890abcdef"} {
					if err := db.CreateAPIToken(ctx, admin.ID, h, "n-"+h[:4], "test"); err != nil {
						t.Fatal(err)
					}
				}
				list, err := db.APITokens(ctx)
				if err != nil || len(list) != 3 || list[0].Login != "admin" || len(list[0].ID) != store.TokenIDLen {
					t.Fatalf("%+v %v", list, err)
				}
				if _, err := db.RevokeAPIToken(ctx, "abcdef01", "user:1"); !errors.Is(err, store.ErrConflict) {
					t.Errorf("an ambiguous prefix: %v", err)
				}
				for _, bad := range []string{"ffffffff", "abc", "ABCDEF01", "abcdef0%", ""} {
					if _, err := db.RevokeAPIToken(ctx, bad, "user:1"); !errors.Is(err, store.ErrNotFound) {
						t.Errorf("%q: %v", bad, err)
					}
				}
				tok, err := db.RevokeAPIToken(ctx, "abcdef012345", "user:1")
				if err != nil || !tok.Revoked || tok.ID != "abcdef012345" {
					t.Fatalf("%+v %v", tok, err)
				}
				if _, err := db.TokenUser(ctx, "abcdef0123456789"); !errors.Is(err, store.ErrNotFound) {
					t.Errorf("a revoked token works: %v", err)
				}
				if _, err := db.TokenUser(ctx, "1234567890abcdef"); err != nil {
					t.Errorf("another token was revoked too: %v", err)
				}
				before, _ := db.AuditEvents(ctx, 1000)
				if _, err := db.RevokeAPIToken(ctx, "abcdef012345", "user:1"); err != nil {
					t.Errorf("revoking again: %v", err)
				}
				if after, _ := db.AuditEvents(ctx, 1000); len(after) != len(before) {
					t.Error("revoking a revoked token was audited again")
				}
			})

			t.Run("audit filter and pages", func(t *testing.T) {
				for i := 0; i < 7; i++ {
					if err := db.Audit(ctx, "user:7", "thing.do", "thing", ""); err != nil {
						t.Fatal(err)
					}
				}
				seen, cursor := 0, ""
				last := int64(1 << 62)
				for {
					page, next, err := db.ListAudit(ctx, store.AuditFilter{Actor: "user:7", Action: "thing.do"}, cursor, 3)
					if err != nil {
						t.Fatal(err)
					}
					for _, e := range page {
						if e.ID >= last || e.Actor != "user:7" {
							t.Fatalf("out of order or filter: %+v", e)
						}
						last = e.ID
						seen++
					}
					if cursor = next; cursor == "" {
						break
					}
				}
				if seen != 7 {
					t.Errorf("paged through %d of 7", seen)
				}
				now := time.Now().UTC()
				inst := "2006-01-02T15:04:05"
				all, _, _ := db.ListAudit(ctx, store.AuditFilter{Action: "thing.do", Since: now.Add(-time.Hour).Format(inst), Before: now.Add(time.Hour).Format(inst)}, "", 100)
				none, _, _ := db.ListAudit(ctx, store.AuditFilter{Action: "thing.do", Before: now.Add(-time.Hour).Format(inst)}, "", 100)
				if len(all) != 7 || len(none) != 0 {
					t.Errorf("by date: %d, %d", len(all), len(none))
				}
				if _, _, err := db.ListAudit(ctx, store.AuditFilter{}, "x", 10); err == nil {
					t.Error("a bad cursor")
				}
				actions, _ := db.AuditActions(ctx)
				if len(actions) < 3 {
					t.Errorf("actions %v", actions)
				}
			})

			t.Run("totp and pending logins", func(t *testing.T) {
				if err := db.EnableTOTP(ctx, admin.ID, "SECRET", 5, "test"); !errors.Is(err, store.ErrConflict) {
					t.Errorf("enable without a pending secret: %v", err)
				}
				if err := db.SetPendingTOTP(ctx, admin.ID, "SECRET"); err != nil {
					t.Fatal(err)
				}
				if err := db.EnableTOTP(ctx, admin.ID, "OTHER", 5, "test"); !errors.Is(err, store.ErrConflict) {
					t.Errorf("enable with another secret: %v", err)
				}
				if err := db.EnableTOTP(ctx, admin.ID, "SECRET", 5, "test"); err != nil {
					t.Fatal(err)
				}
				st, _ := db.TOTP(ctx, admin.ID)
				if st.Secret != "SECRET" || st.Pending != "" || st.LastStep != 5 {
					t.Errorf("%+v", st)
				}
				if u, _ := db.UserByID(ctx, admin.ID); !u.TOTP {
					t.Error("TOTP flag")
				}
				for step, want := range map[int64]bool{5: false, 4: false} {
					if ok, err := db.UseTOTPStep(ctx, admin.ID, step); ok != want || err != nil {
						t.Errorf("step %d: %v %v", step, ok, err)
					}
				}
				if ok, _ := db.UseTOTPStep(ctx, admin.ID, 6); !ok {
					t.Error("the next step")
				}
				if ok, _ := db.UseTOTPStep(ctx, admin.ID, 6); ok {
					t.Error("a step used twice")
				}

				if err := db.StartLoginChallenge(ctx, "ch", admin.ID, "/register", time.Now().Add(time.Minute)); err != nil {
					t.Fatal(err)
				}
				if err := db.StartLoginChallenge(ctx, "old", admin.ID, "/", time.Now().Add(-time.Minute)); err != nil {
					t.Fatal(err)
				}
				if _, err := db.LoginChallengeOf(ctx, "old"); !errors.Is(err, store.ErrNotFound) {
					t.Errorf("an expired pending login: %v", err)
				}
				ch, err := db.LoginChallengeOf(ctx, "ch")
				if err != nil || ch.UserID != admin.ID || ch.Next != "/register" {
					t.Fatalf("%+v %v", ch, err)
				}
				for i := 0; i < 3; i++ {
					db.LoginChallengeFailed(ctx, "ch", 3)
				}
				if _, err := db.LoginChallengeOf(ctx, "ch"); !errors.Is(err, store.ErrNotFound) {
					t.Errorf("a pending login after its last attempt: %v", err)
				}
				if err := db.DisableTOTP(ctx, admin.ID, "test"); err != nil {
					t.Fatal(err)
				}
				if u, _ := db.UserByID(ctx, admin.ID); u.TOTP {
					t.Error("TOTP still on")
				}
			})

			t.Run("passwords", func(t *testing.T) {
				db.StartSession(ctx, admin.ID, "s1", time.Now().Add(time.Hour))
				db.StartSession(ctx, admin.ID, "s2", time.Now().Add(time.Hour))
				if err := db.ChangePassword(ctx, admin.ID, "new-hash", "s1"); err != nil {
					t.Fatal(err)
				}
				if _, err := db.SessionUser(ctx, "s1"); err != nil {
					t.Errorf("the session that changed the password ended: %v", err)
				}
				if _, err := db.SessionUser(ctx, "s2"); !errors.Is(err, store.ErrNotFound) {
					t.Errorf("another session survived a password change: %v", err)
				}
				if err := db.ResetPassword(ctx, admin.ID, "reset-hash", "test"); err != nil {
					t.Fatal(err)
				}
				c, _ := db.UserByLogin(ctx, "admin")
				if c.PasswordHash != "reset-hash" || !c.User.MustChangePassword {
					t.Errorf("%+v", c)
				}
				if _, err := db.SessionUser(ctx, "s1"); !errors.Is(err, store.ErrNotFound) {
					t.Error("a session survived a reset")
				}
				if err := db.ResetPassword(ctx, 9999, "x", "test"); !errors.Is(err, store.ErrNotFound) {
					t.Errorf("no such user: %v", err)
				}
			})
		})
	}
}
