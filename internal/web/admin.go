package web

import (
	"encoding/json"
	"errors"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"

	"esep/internal/auth"
	"esep/internal/i18n"
	"esep/internal/kz"
	"esep/internal/store"
)

// Users: an administrator creates people with a one-time password, sets
// their role and region, disables them, resets a forgotten password or a
// lost second factor. Every change is audited by the store in the same
// transaction.

// problem is a refusal to show a person: an i18n key and its parameters,
// and the HTTP status it travels with.
type problem struct {
	status int
	key    string
	params []any
}

func badInput(key string, params ...any) *problem {
	return &problem{http.StatusBadRequest, key, params}
}

func (p *problem) text(lang i18n.Lang) string { return i18n.T(lang, p.key, p.params...) }

// apiProblem answers an API request with a refusal: 400 as bad_request
// with the text as detail, 409 as conflict.
func (s *Server) apiProblem(w http.ResponseWriter, r *http.Request, p *problem) {
	switch p.status {
	case http.StatusConflict:
		writeJSON(w, http.StatusConflict, apiError{Code: "conflict", Message: p.text(langOf(r))})
	case http.StatusNotFound:
		s.apiFail(w, r, "not_found")
	default:
		s.apiFail(w, r, "bad_request", "detail", p.text(langOf(r)))
	}
}

var loginPattern = regexp.MustCompile(`^[A-Za-z0-9._@-]{2,64}$`)

// checkRole and checkRegion read a role and a region as typed or sent.
func checkRole(role string) (auth.Role, *problem) {
	if r := auth.Role(role); r.Valid() {
		return r, nil
	}
	return "", badInput("web.admin.err.role", "role", role)
}

func checkRegion(code string) *problem {
	if code == "" {
		return nil
	}
	for _, r := range kz.Regions() {
		if r.Code == code {
			return nil
		}
	}
	return badInput("web.admin.err.region", "region", code)
}

func checkName(name string) *problem {
	if name == "" || utf8.RuneCountInString(name) > 200 {
		return badInput("web.admin.err.name")
	}
	return nil
}

// checkScope is the rule that ties role and region: a manager of the
// operator works in one region (DESIGN.md, "Who uses it").
func checkScope(role auth.Role, region string) *problem {
	if role == auth.Operator && region == "" {
		return badInput("web.admin.err.region_required")
	}
	return nil
}

// newUser checks and creates a user with a one-time password, returned
// to be shown once.
func (s *Server) newUser(r *http.Request, login, name, role, region string) (*auth.User, string, *problem, error) {
	login, name, region = strings.TrimSpace(login), strings.TrimSpace(name), strings.TrimSpace(region)
	if !loginPattern.MatchString(login) {
		return nil, "", badInput("web.admin.err.login"), nil
	}
	if p := checkName(name); p != nil {
		return nil, "", p, nil
	}
	rl, p := checkRole(role)
	if p == nil {
		p = checkRegion(region)
	}
	if p == nil {
		p = checkScope(rl, region)
	}
	if p != nil {
		return nil, "", p, nil
	}
	password, err := auth.NewPassword()
	if err != nil {
		return nil, "", nil, err
	}
	hash, err := auth.HashPassword(password)
	if err != nil {
		return nil, "", nil, err
	}
	u := &auth.User{Login: login, Name: name, Role: rl, Region: region, MustChangePassword: true}
	err = s.db.CreateUser(r.Context(), u, hash, store.ActorOf(userOf(r).ID))
	if errors.Is(err, store.ErrConflict) {
		return nil, "", &problem{http.StatusConflict, "web.admin.err.login_taken", []any{"login", login}}, nil
	}
	if err != nil {
		return nil, "", nil, err
	}
	return u, password, nil, nil
}

// userEdit is a change asked for by a form or a PATCH: nil is no change.
type userEdit struct {
	Name          *string `json:"name"`
	Role          *string `json:"role"`
	Region        *string `json:"region"`
	Disabled      *bool   `json:"disabled"`
	ResetPassword bool    `json:"reset_password"`
	ResetTOTP     bool    `json:"reset_totp"`
}

// editUser checks and applies e to user id. It returns the user as she is
// now, and the new one-time password when e resets it.
func (s *Server) editUser(r *http.Request, id int64, e userEdit) (*auth.User, string, *problem, error) {
	me := userOf(r)
	u, err := s.db.UserByID(r.Context(), id)
	if errors.Is(err, store.ErrNotFound) {
		return nil, "", &problem{status: http.StatusNotFound, key: "web.error.not_found_text"}, nil
	}
	if err != nil {
		return nil, "", nil, err
	}
	var c store.UserChange
	role, region := u.Role, u.Region
	if e.Name != nil {
		name := strings.TrimSpace(*e.Name)
		if p := checkName(name); p != nil {
			return nil, "", p, nil
		}
		c.Name = &name
	}
	if e.Role != nil {
		rl, p := checkRole(*e.Role)
		if p != nil {
			return nil, "", p, nil
		}
		role, c.Role = rl, &rl
	}
	if e.Region != nil {
		reg := strings.TrimSpace(*e.Region)
		if p := checkRegion(reg); p != nil {
			return nil, "", p, nil
		}
		region, c.Region = reg, &reg
	}
	if p := checkScope(role, region); p != nil {
		return nil, "", p, nil
	}
	c.Disabled = e.Disabled
	// An administrator who demotes or disables herself may leave nobody
	// to undo it, and would lose this page in the middle of the change.
	if id == me.ID && (role != auth.Admin || e.Disabled != nil && *e.Disabled) {
		return nil, "", badInput("web.admin.err.self"), nil
	}
	actor := store.ActorOf(me.ID)
	if u, err = s.db.UpdateUser(r.Context(), id, c, actor); errors.Is(err, store.ErrLastAdmin) {
		return nil, "", &problem{http.StatusConflict, "web.admin.err.last_admin", nil}, nil
	} else if err != nil {
		return nil, "", nil, err
	}
	if e.ResetTOTP && u.TOTP {
		if err := s.db.DisableTOTP(r.Context(), id, actor); err != nil {
			return nil, "", nil, err
		}
		u.TOTP = false
	}
	password := ""
	if e.ResetPassword {
		if password, err = auth.NewPassword(); err != nil {
			return nil, "", nil, err
		}
		hash, err := auth.HashPassword(password)
		if err != nil {
			return nil, "", nil, err
		}
		if err := s.db.ResetPassword(r.Context(), id, hash, actor); err != nil {
			return nil, "", nil, err
		}
		u.MustChangePassword = true
	}
	return u, password, nil, nil
}

// Pages.

// usersData is the users page: the table and the form to add one.
type usersData struct {
	Users   []*auth.User
	Roles   []auth.Role
	Regions []kz.Region
	Form    map[string]string // what was typed, back after an error
	Error   string
}

func (s *Server) adminUsers(w http.ResponseWriter, r *http.Request) {
	s.renderUsers(w, r, http.StatusOK, nil, "")
}

func (s *Server) renderUsers(w http.ResponseWriter, r *http.Request, status int, form map[string]string, errText string) {
	users, err := s.db.Users(r.Context())
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	s.render(w, r, status, "admin", "web.admin.title", usersData{Users: users, Roles: auth.Roles, Regions: kz.Regions(), Form: form, Error: errText})
}

// passwordShown is the page that shows a one-time password, once.
type passwordShown struct {
	User     *auth.User
	Password string
	Created  bool
}

func (s *Server) showPassword(w http.ResponseWriter, r *http.Request, d passwordShown) {
	w.Header().Set("Cache-Control", "no-store")
	s.render(w, r, http.StatusOK, "admin_password", "web.admin.password_title", d)
}

func (s *Server) adminCreateUser(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
	form := map[string]string{}
	for _, k := range []string{"login", "name", "role", "region"} {
		form[k] = r.PostFormValue(k)
	}
	u, password, p, err := s.newUser(r, form["login"], form["name"], form["role"], form["region"])
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	if p != nil {
		s.renderUsers(w, r, p.status, form, p.text(langOf(r)))
		return
	}
	s.showPassword(w, r, passwordShown{User: u, Password: password, Created: true})
}

// userData is the page of one user.
type userData struct {
	User    *auth.User
	Roles   []auth.Role
	Regions []kz.Region
	Self    bool
	Saved   string
	Error   string
}

func pathID(r *http.Request) (int64, bool) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	return id, err == nil && id > 0
}

func (s *Server) adminUser(w http.ResponseWriter, r *http.Request) {
	s.renderUser(w, r, http.StatusOK, r.URL.Query().Get("saved"), "")
}

func (s *Server) renderUser(w http.ResponseWriter, r *http.Request, status int, saved, errText string) {
	id, ok := pathID(r)
	var u *auth.User
	var err error
	if ok {
		u, err = s.db.UserByID(r.Context(), id)
	}
	if !ok || errors.Is(err, store.ErrNotFound) {
		s.render(w, r, http.StatusNotFound, "error", "web.error.not_found", "web.error.not_found_text")
		return
	}
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	if !i18n.Has(langOf(r), "web.admin.saved."+saved) {
		saved = ""
	}
	s.render(w, r, status, "admin_user", "web.admin.user_title",
		userData{User: u, Roles: auth.Roles, Regions: kz.Regions(), Self: u.ID == userOf(r).ID, Saved: saved, Error: errText})
}

// adminUpdateUser does what the button pressed on the user's page says.
func (s *Server) adminUpdateUser(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
	id, ok := pathID(r)
	if !ok {
		s.render(w, r, http.StatusNotFound, "error", "web.error.not_found", "web.error.not_found_text")
		return
	}
	var e userEdit
	action := r.PostFormValue("action")
	switch action {
	case "save":
		name, role, region := r.PostFormValue("name"), r.PostFormValue("role"), r.PostFormValue("region")
		e.Name, e.Role, e.Region = &name, &role, &region
	case "disable", "enable":
		off := action == "disable"
		e.Disabled = &off
	case "reset_password":
		e.ResetPassword = true
	case "reset_totp":
		e.ResetTOTP = true
	default:
		s.render(w, r, http.StatusBadRequest, "error", "web.error.bad_request", "web.error.bad_request")
		return
	}
	u, password, p, err := s.editUser(r, id, e)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	if p != nil && p.status == http.StatusNotFound {
		s.render(w, r, http.StatusNotFound, "error", "web.error.not_found", "web.error.not_found_text")
		return
	}
	if p != nil {
		s.renderUser(w, r, p.status, "", p.text(langOf(r)))
		return
	}
	if password != "" {
		s.showPassword(w, r, passwordShown{User: u, Password: password})
		return
	}
	http.Redirect(w, r, "/admin/users/"+strconv.FormatInt(id, 10)+"?saved="+action, http.StatusSeeOther)
}

// The API.

func (s *Server) apiUsers(w http.ResponseWriter, r *http.Request) {
	users, err := s.db.Users(r.Context())
	if err != nil {
		s.apiInternal(w, r, err)
		return
	}
	if users == nil {
		users = []*auth.User{}
	}
	writeJSON(w, http.StatusOK, map[string]any{"items": users})
}

// decodeJSON reads a JSON body strictly: an unknown field is more likely a
// typo than something to ignore. It answers the request itself on error.
func (s *Server) decodeJSON(w http.ResponseWriter, r *http.Request, v any) bool {
	dec := json.NewDecoder(r.Body)
	dec.DisallowUnknownFields()
	err := dec.Decode(v)
	if err == nil && dec.More() {
		err = errors.New("more than one JSON value")
	}
	var tooBig *http.MaxBytesError
	switch {
	case errors.As(err, &tooBig):
		s.apiFail(w, r, "too_large")
		return false
	case err != nil:
		s.apiFail(w, r, "bad_request", "detail", i18n.T(langOf(r), "web.admin.err.json"))
		return false
	}
	return true
}

func (s *Server) apiCreateUser(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Login  string `json:"login"`
		Name   string `json:"name"`
		Role   string `json:"role"`
		Region string `json:"region"`
	}
	if !s.decodeJSON(w, r, &in) {
		return
	}
	u, password, p, err := s.newUser(r, in.Login, in.Name, in.Role, in.Region)
	if err != nil {
		s.apiInternal(w, r, err)
		return
	}
	if p != nil {
		s.apiProblem(w, r, p)
		return
	}
	w.Header().Set("Cache-Control", "no-store")
	writeJSON(w, http.StatusCreated, map[string]any{"user": u, "password": password})
}

func (s *Server) apiUpdateUser(w http.ResponseWriter, r *http.Request) {
	id, ok := pathID(r)
	if !ok {
		s.apiFail(w, r, "not_found")
		return
	}
	var e userEdit
	if !s.decodeJSON(w, r, &e) {
		return
	}
	u, password, p, err := s.editUser(r, id, e)
	if err != nil {
		s.apiInternal(w, r, err)
		return
	}
	if p != nil {
		s.apiProblem(w, r, p)
		return
	}
	out := map[string]any{"user": u}
	if password != "" {
		w.Header().Set("Cache-Control", "no-store")
		out["password"] = password
	}
	writeJSON(w, http.StatusOK, out)
}
