// Package auth says who may do what in esep: the roles of DESIGN.md ("Who
// uses it") and their permissions, a user's region scope, password hashing
// with argon2id, random tokens for sessions and machines, and the masking
// of personal data for roles that do not need it.
package auth

import (
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"

	"golang.org/x/crypto/argon2"
)

// Role is what a user is in the methodology's cycle.
type Role string

const (
	Admin    Role = "admin"    // users, roles, regions, catalogues, calendar
	Analyst  Role = "analyst"  // the financial agency: checks registers, letters, reports
	Operator Role = "operator" // a manager of the operator: records and corrects services in her region
	Agent    Role = "agent"    // the call centre: the telephone survey
	Viewer   Role = "viewer"   // the ministry: reads reports and dashboards
)

// Roles lists the roles in display order.
var Roles = []Role{Admin, Analyst, Operator, Agent, Viewer}

// Valid reports whether r is a known role.
func (r Role) Valid() bool {
	for _, x := range Roles {
		if x == r {
			return true
		}
	}
	return false
}

// Permission is one thing a role may do.
type Permission string

const (
	ReadRegister   Permission = "register.read"
	WriteRegister  Permission = "register.write" // import, correct records
	ReadPersonal   Permission = "personal.read"  // open a full personal record (audited)
	ReadCycle      Permission = "cycle.read"
	WriteCycle     Permission = "cycle.write" // send letters, load acts and plans
	ReadReports    Permission = "report.read"
	WriteReports   Permission = "report.write" // generate, edit, send reports
	ManageUsers    Permission = "users.manage"
	ManageCatalogs Permission = "catalogs.manage"
	ManageSurvey   Permission = "survey.manage" // open and close telephone campaigns, import and export questionnaires
	CallClients    Permission = "survey.call"   // work the call queue of a telephone campaign
	ReadSignals    Permission = "signals.read"  // see the signals of services that may not have happened
)

// grants is the permission table. An analyst sees everything and edits
// nothing of the operator's; a ministry viewer reads reports and
// dashboards only; an administrator manages people and reference data but
// has no need to read personal records.
var grants = map[Role][]Permission{
	Admin:    {ReadRegister, ReadCycle, ReadReports, ManageUsers, ManageCatalogs},
	Analyst:  {ReadRegister, ReadPersonal, ReadCycle, WriteCycle, ReadReports, WriteReports, ManageSurvey, ReadSignals},
	Operator: {ReadRegister, WriteRegister, ReadPersonal, ReadCycle},
	Agent:    {ReadRegister, ReadPersonal, CallClients},
	Viewer:   {ReadReports},
}

// Can reports whether the role has permission p.
func (r Role) Can(p Permission) bool {
	for _, g := range grants[r] {
		if g == p {
			return true
		}
	}
	return false
}

// User is a person who works in esep.
type User struct {
	ID                 int64  `json:"id"`
	Login              string `json:"login"`
	Name               string `json:"name"`
	Role               Role   `json:"role"`
	Region             string `json:"region,omitempty"` // KATO of the region she is limited to; "" for all
	MustChangePassword bool   `json:"must_change_password,omitempty"`
	TOTP               bool   `json:"totp"`
	Disabled           bool   `json:"disabled,omitempty"`
}

// Can reports whether the user has permission p.
func (u *User) Can(p Permission) bool { return u != nil && !u.Disabled && u.Role.Can(p) }

// InScope reports whether the user may see records of region.
func (u *User) InScope(region string) bool {
	return u != nil && (u.Region == "" || u.Region == region)
}

// argon2id parameters (RFC 9106's second recommended set, with 64 MiB):
// bcrypt would truncate at 72 bytes, which is 36 Cyrillic letters.
const (
	argonTime    = 3
	argonMemory  = 64 * 1024
	argonThreads = 2
	argonKeyLen  = 32
)

// HashPassword returns the argon2id hash of password in the PHC string
// format, salted with 16 random bytes.
func HashPassword(password string) (string, error) {
	if len(password) < 10 {
		return "", ErrWeakPassword
	}
	salt := make([]byte, 16)
	if _, err := rand.Read(salt); err != nil {
		return "", err
	}
	key := argon2.IDKey([]byte(password), salt, argonTime, argonMemory, argonThreads, argonKeyLen)
	b64 := base64.RawStdEncoding
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, argonMemory, argonTime, argonThreads, b64.EncodeToString(salt), b64.EncodeToString(key)), nil
}

// ErrWeakPassword is a password shorter than 10 characters.
var ErrWeakPassword = errors.New("password too short: at least 10 characters")

// CheckPassword reports whether password matches hash, in constant time.
func CheckPassword(hash, password string) bool {
	parts := strings.Split(hash, "$")
	if len(parts) != 6 || parts[1] != "argon2id" {
		return false
	}
	var m, t uint32
	var p uint8
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &m, &t, &p); err != nil {
		return false
	}
	b64 := base64.RawStdEncoding
	salt, err1 := b64.DecodeString(parts[4])
	want, err2 := b64.DecodeString(parts[5])
	if err1 != nil || err2 != nil {
		return false
	}
	got := argon2.IDKey([]byte(password), salt, t, m, p, uint32(len(want)))
	return subtle.ConstantTimeCompare(got, want) == 1
}

// NewToken returns a random token (for a session cookie or an API token)
// and the hash under which it is stored.
func NewToken() (token, hash string, err error) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", "", err
	}
	token = base64.RawURLEncoding.EncodeToString(b)
	return token, HashToken(token), nil
}

// HashToken is the stored form of a token.
func HashToken(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

// NewPassword returns a random one-time password of 16 characters that
// people can type: no look-alike letters.
func NewPassword() (string, error) {
	const alphabet = "abcdefghjkmnpqrstuvwxyzABCDEFGHJKMNPQRSTUVWXYZ23456789"
	b := make([]byte, 16)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	for i := range b {
		b[i] = alphabet[int(b[i])%len(alphabet)]
	}
	return string(b), nil
}
