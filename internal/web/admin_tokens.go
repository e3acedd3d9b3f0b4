package web

import (
	"errors"
	"net/http"
	"strconv"
	"strings"
	"unicode/utf8"

	"esep/internal/auth"
	"esep/internal/store"
)

// Machine tokens: the operator's information system calls the API with a
// bearer token of a user (usually one made for the machine, with the role
// the machine needs). The token is shown once; only its hash is stored,
// and it is named by a prefix of the hash.

// newToken checks and creates a token for user id named name.
func (s *Server) newToken(r *http.Request, userID int64, name string) (string, store.APIToken, *problem, error) {
	name = strings.TrimSpace(name)
	if name == "" || utf8.RuneCountInString(name) > 100 {
		return "", store.APIToken{}, badInput("web.admin.err.token_name"), nil
	}
	u, err := s.db.UserByID(r.Context(), userID)
	if errors.Is(err, store.ErrNotFound) {
		return "", store.APIToken{}, badInput("web.admin.err.user"), nil
	}
	if err != nil {
		return "", store.APIToken{}, nil, err
	}
	if u.Disabled {
		return "", store.APIToken{}, badInput("web.admin.err.user_disabled", "login", u.Login), nil
	}
	token, hash, err := auth.NewToken()
	if err != nil {
		return "", store.APIToken{}, nil, err
	}
	if err := s.db.CreateAPIToken(r.Context(), u.ID, hash, name, store.ActorOf(userOf(r).ID)); err != nil {
		return "", store.APIToken{}, nil, err
	}
	return token, store.APIToken{ID: store.TokenID(hash), UserID: u.ID, Login: u.Login, Name: name}, nil, nil
}

// tokensData is the tokens page.
type tokensData struct {
	Tokens []store.APIToken
	Users  []*auth.User
	Error  string
}

func (s *Server) adminTokens(w http.ResponseWriter, r *http.Request) {
	s.renderTokens(w, r, http.StatusOK, "")
}

func (s *Server) renderTokens(w http.ResponseWriter, r *http.Request, status int, errText string) {
	tokens, err := s.db.APITokens(r.Context())
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	users, err := s.db.Users(r.Context())
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	s.render(w, r, status, "admin_tokens", "web.admin.tokens_title", tokensData{Tokens: tokens, Users: users, Error: errText})
}

// tokenShown is the page that shows a new token, once.
type tokenShown struct {
	Token string
	store.APIToken
}

func (s *Server) adminCreateToken(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
	id, _ := strconv.ParseInt(r.PostFormValue("user"), 10, 64)
	token, t, p, err := s.newToken(r, id, r.PostFormValue("name"))
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	if p != nil {
		s.renderTokens(w, r, p.status, p.text(langOf(r)))
		return
	}
	w.Header().Set("Cache-Control", "no-store")
	s.render(w, r, http.StatusOK, "admin_token", "web.admin.token_title", tokenShown{Token: token, APIToken: t})
}

func (s *Server) adminRevokeToken(w http.ResponseWriter, r *http.Request) {
	_, err := s.db.RevokeAPIToken(r.Context(), r.PathValue("id"), store.ActorOf(userOf(r).ID))
	switch {
	case errors.Is(err, store.ErrNotFound), errors.Is(err, store.ErrConflict):
		s.render(w, r, http.StatusNotFound, "error", "web.error.not_found", "web.admin.err.token")
	case err != nil:
		s.serverError(w, r, err)
	default:
		http.Redirect(w, r, "/admin/tokens", http.StatusSeeOther)
	}
}

func (s *Server) apiTokens(w http.ResponseWriter, r *http.Request) {
	tokens, err := s.db.APITokens(r.Context())
	if err != nil {
		s.apiInternal(w, r, err)
		return
	}
	if tokens == nil {
		tokens = []store.APIToken{}
	}
	writeJSON(w, http.StatusOK, map[string]any{"items": tokens})
}

func (s *Server) apiCreateToken(w http.ResponseWriter, r *http.Request) {
	var in struct {
		UserID int64  `json:"user_id"`
		Login  string `json:"login"`
		Name   string `json:"name"`
	}
	if !s.decodeJSON(w, r, &in) {
		return
	}
	if in.UserID == 0 && in.Login != "" {
		c, err := s.db.UserByLogin(r.Context(), in.Login)
		if err != nil && !errors.Is(err, store.ErrNotFound) {
			s.apiInternal(w, r, err)
			return
		}
		if c != nil {
			in.UserID = c.User.ID
		}
	}
	token, t, p, err := s.newToken(r, in.UserID, in.Name)
	if err != nil {
		s.apiInternal(w, r, err)
		return
	}
	if p != nil {
		s.apiProblem(w, r, p)
		return
	}
	w.Header().Set("Cache-Control", "no-store")
	writeJSON(w, http.StatusCreated, map[string]any{"token": token, "id": t.ID, "user_id": t.UserID, "login": t.Login, "name": t.Name})
}

func (s *Server) apiRevokeToken(w http.ResponseWriter, r *http.Request) {
	t, err := s.db.RevokeAPIToken(r.Context(), r.PathValue("id"), store.ActorOf(userOf(r).ID))
	switch {
	case errors.Is(err, store.ErrNotFound):
		s.apiFail(w, r, "not_found")
	case errors.Is(err, store.ErrConflict):
		s.apiProblem(w, r, &problem{http.StatusConflict, "web.admin.err.token_ambiguous", nil})
	case err != nil:
		s.apiInternal(w, r, err)
	default:
		writeJSON(w, http.StatusOK, t)
	}
}
