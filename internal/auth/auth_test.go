package auth

import (
	"strings"
	"testing"
)

func TestPermissions(t *testing.T) {
	tests := []struct {
		role Role
		p    Permission
		want bool
	}{
		{Viewer, ReadReports, true},
		{Viewer, ReadRegister, false}, // the ministry reads reports and dashboards only
		{Analyst, ReadRegister, true},
		{Analyst, WriteRegister, false}, // the analyst edits nothing of the operator's
		{Analyst, WriteReports, true},
		{Operator, WriteRegister, true},
		{Operator, WriteReports, false},
		{Admin, ManageUsers, true},
		{Admin, ReadPersonal, false},
		{Agent, ReadPersonal, true},
		{Role("boss"), ReadReports, false},
	}
	for _, tt := range tests {
		if got := tt.role.Can(tt.p); got != tt.want {
			t.Errorf("%s can %s = %v, want %v", tt.role, tt.p, got, tt.want)
		}
	}
	u := &User{Role: Operator, Region: "430000000"}
	if !u.InScope("430000000") || u.InScope("710000000") {
		t.Error("a regional operator's scope")
	}
	if !(&User{Role: Analyst}).InScope("710000000") {
		t.Error("an analyst sees every region")
	}
	if (&User{Role: Operator, Disabled: true}).Can(ReadRegister) {
		t.Error("a disabled user can act")
	}
}

func TestPassword(t *testing.T) {
	long := strings.Repeat("Қазақстан", 10) // 90 letters, 180 bytes: past bcrypt's 72
	h, err := HashPassword(long)
	if err != nil {
		t.Fatal(err)
	}
	if !CheckPassword(h, long) || CheckPassword(h, long[:len(long)-2]) {
		t.Error("argon2id check")
	}
	h2, _ := HashPassword(long)
	if h == h2 {
		t.Error("two hashes of one password are equal: no salt")
	}
	if _, err := HashPassword("short"); err != ErrWeakPassword {
		t.Errorf("short password: %v", err)
	}
	if CheckPassword("$bcrypt$x", long) || CheckPassword("", "") {
		t.Error("a malformed hash matched")
	}
	p, _ := NewPassword()
	if len(p) != 16 || strings.ContainsAny(p, "0O1lI") {
		t.Errorf("one-time password %q", p)
	}
	tok, hash, _ := NewToken()
	if HashToken(tok) != hash || len(tok) < 40 {
		t.Error("token hash")
	}
}

func TestMask(t *testing.T) {
	tests := []struct{ got, want string }{
		{MaskIIN("850314450011"), "********0011"},
		{MaskName("Қасымова Әсем Серікқызы"), "Қ******* Ә. С."},
		{MaskName("Ким Ли"), "К*** Л."},
		{MaskPhone("+77011234567"), "+7701*****67"},
		{MaskEmail("asem@mail.kz"), "a***@mail.kz"},
		{MaskEmail("broken"), "******"},
	}
	for _, tt := range tests {
		if tt.got != tt.want {
			t.Errorf("got %q, want %q", tt.got, tt.want)
		}
	}
}
