package api

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"time"

	"github.com/jiedao/jiedao"
	"github.com/jiedao/jiedao/org"
)

// SessionCookie is the name of the browser session cookie.
const SessionCookie = "jiedao_session"

type actorKey struct{}

// WithActor returns ctx carrying the actor of the request.
func WithActor(ctx context.Context, a org.Actor) context.Context {
	return context.WithValue(ctx, actorKey{}, a)
}

// ActorFrom returns the actor of the request; a request nobody signed is a
// resident.
func ActorFrom(ctx context.Context) org.Actor {
	if a, ok := ctx.Value(actorKey{}).(org.Actor); ok {
		return a
	}
	return org.ResidentActor("居民")
}

type clientIPKey struct{}

// WithClientIP returns ctx carrying the client's address, as package
// server found it (the peer, or what a trusted proxy says).
func WithClientIP(ctx context.Context, ip string) context.Context {
	return context.WithValue(ctx, clientIPKey{}, ip)
}

// ClientOf is where a request came from, for the login history and the
// list of sessions: the client's address and its user agent.
func ClientOf(r *http.Request) org.ClientInfo {
	ip, _ := r.Context().Value(clientIPKey{}).(string)
	return org.ClientInfo{IP: ip, UserAgent: r.UserAgent()}
}

// Identify finds who sent a request: a session (cookie or bearer token) for
// people, an API key (X-API-Key or bearer) for machines. (Open311 clients
// send their key as the api_key parameter; package open311 reads it.) No credentials: ok is false. Wrong
// credentials: an error, so that a client with a revoked key is told so
// rather than served as the public.
func Identify(ctx context.Context, auth *org.Auth, r *http.Request) (org.Actor, bool, error) {
	token := ""
	if h := r.Header.Get("Authorization"); strings.HasPrefix(h, "Bearer ") {
		token = strings.TrimSpace(strings.TrimPrefix(h, "Bearer "))
	} else if k := r.Header.Get("X-API-Key"); k != "" {
		token = k
	} else if c, err := r.Cookie(SessionCookie); err == nil {
		token = c.Value
	}
	if token == "" {
		return org.Actor{}, false, nil
	}
	if strings.HasPrefix(token, "jd_") {
		c, err := auth.AuthenticateClient(ctx, token)
		if err != nil {
			return org.Actor{}, false, err
		}
		return org.ClientActor(c), true, nil
	}
	s, err := auth.Authenticate(ctx, token)
	if err != nil {
		return org.Actor{}, false, err
	}
	return org.StaffActor(s), true, nil
}

// RequireSignedIn refuses residents.
func RequireSignedIn(a org.Actor) error {
	if a.Kind == org.ActorResident {
		return jiedao.Errorf(jiedao.EUNAUTHORIZED, "请先登录", "please sign in")
	}
	return nil
}

type loginRequest struct {
	Username string `json:"username"`
	Password string `json:"password"`
}

type loginResponse struct {
	Token     string     `json:"token"`
	ExpiresAt time.Time  `json:"expires_at"`
	Staff     *org.Staff `json:"staff"`
}

// Login opens a session. The token is returned and also set as an
// HttpOnly cookie for browsers.
func (h *Handler) Login(w http.ResponseWriter, r *http.Request) {
	var req loginRequest
	if err := decode(w, r, &req); err != nil {
		h.fail(w, r, err)
		return
	}
	token, staff, err := h.Auth.Login(r.Context(), req.Username, req.Password, ClientOf(r))
	var step *org.SecondStep
	if errors.As(err, &step) {
		// Two factors: no token yet. The code goes with the challenge to
		// POST /api/v1/login/code.
		WriteJSON(w, http.StatusAccepted, secondStepResponse{SecondStep: "totp", Challenge: step.Challenge, ExpiresAt: step.ExpiresAt})
		return
	}
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.session(w, r, token, staff)
}

// secondStepResponse is POST /api/v1/login's answer for an account with
// two factors: 202, and no token.
type secondStepResponse struct {
	SecondStep string    `json:"second_step"` // "totp"
	Challenge  string    `json:"challenge"`
	ExpiresAt  time.Time `json:"expires_at"`
}

type loginCodeRequest struct {
	Challenge string `json:"challenge"`
	Code      string `json:"code"`
}

// LoginCode is the second step of a sign-in with two factors: the
// challenge and a code (or a recovery code) open the session.
func (h *Handler) LoginCode(w http.ResponseWriter, r *http.Request) {
	var req loginCodeRequest
	if err := decode(w, r, &req); err != nil {
		h.fail(w, r, err)
		return
	}
	token, staff, err := h.Auth.LoginCode(r.Context(), req.Challenge, req.Code, ClientOf(r))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.session(w, r, token, staff)
}

// session answers a sign-in with its token, also set as an HttpOnly
// cookie for browsers.
func (h *Handler) session(w http.ResponseWriter, r *http.Request, token string, staff *org.Staff) {
	exp := h.Auth.Now().Add(h.Auth.Policy.SessionLimit)
	http.SetCookie(w, &http.Cookie{Name: SessionCookie, Value: token, Path: "/", HttpOnly: true,
		SameSite: http.SameSiteLaxMode, Secure: r.TLS != nil, Expires: exp})
	WriteJSON(w, http.StatusOK, loginResponse{Token: token, ExpiresAt: exp, Staff: staff})
}

// SessionToken is the session token a request carries, as a bearer token
// or the browser's cookie; "" for none.
func SessionToken(r *http.Request) string {
	if hd := r.Header.Get("Authorization"); strings.HasPrefix(hd, "Bearer ") {
		return strings.TrimSpace(strings.TrimPrefix(hd, "Bearer "))
	}
	if c, err := r.Cookie(SessionCookie); err == nil {
		return c.Value
	}
	return ""
}

// Logout ends the session of the request.
func (h *Handler) Logout(w http.ResponseWriter, r *http.Request) {
	if token := SessionToken(r); token != "" {
		if err := h.Auth.Logout(r.Context(), token); err != nil {
			h.fail(w, r, err)
			return
		}
	}
	http.SetCookie(w, &http.Cookie{Name: SessionCookie, Value: "", Path: "/", MaxAge: -1, HttpOnly: true})
	w.WriteHeader(http.StatusNoContent)
}

// Me returns the signed-in actor.
func (h *Handler) Me(w http.ResponseWriter, r *http.Request) {
	a := ActorFrom(r.Context())
	if err := RequireSignedIn(a); err != nil {
		h.fail(w, r, err)
		return
	}
	WriteJSON(w, http.StatusOK, a)
}

// MyLogins lists the signed-in person's latest sign-in attempts.
func (h *Handler) MyLogins(w http.ResponseWriter, r *http.Request) {
	h.do(w, r, http.StatusOK, func(a org.Actor) (any, error) { return h.Auth.Logins(r.Context(), a, a.ID) })
}

// MySessions lists the signed-in person's live sessions; "current" marks
// the one of this request.
func (h *Handler) MySessions(w http.ResponseWriter, r *http.Request) {
	h.do(w, r, http.StatusOK, func(a org.Actor) (any, error) {
		return h.Auth.Sessions(r.Context(), a, a.ID, SessionToken(r))
	})
}

// RevokeMySessions signs the person out everywhere, this session included.
func (h *Handler) RevokeMySessions(w http.ResponseWriter, r *http.Request) {
	h.do(w, r, http.StatusNoContent, func(a org.Actor) (any, error) {
		return nil, h.Auth.RevokeSessions(r.Context(), a, a.ID)
	})
}

// StaffLogins lists a staff member's latest sign-in attempts (admins).
func (h *Handler) StaffLogins(w http.ResponseWriter, r *http.Request) {
	h.do(w, r, http.StatusOK, func(a org.Actor) (any, error) {
		id, err := pathID(r, "id")
		if err != nil {
			return nil, err
		}
		return h.Auth.Logins(r.Context(), a, id)
	})
}

// StaffSessions lists a staff member's live sessions (admins).
func (h *Handler) StaffSessions(w http.ResponseWriter, r *http.Request) {
	h.do(w, r, http.StatusOK, func(a org.Actor) (any, error) {
		id, err := pathID(r, "id")
		if err != nil {
			return nil, err
		}
		return h.Auth.Sessions(r.Context(), a, id, SessionToken(r))
	})
}

// RevokeStaffSessions ends every session of a staff member (admins).
func (h *Handler) RevokeStaffSessions(w http.ResponseWriter, r *http.Request) {
	h.do(w, r, http.StatusNoContent, func(a org.Actor) (any, error) {
		id, err := pathID(r, "id")
		if err != nil {
			return nil, err
		}
		return nil, h.Auth.RevokeSessions(r.Context(), a, id)
	})
}

type resetTwoFactorRequest struct {
	Reason string `json:"reason"`
}

// ResetTwoFactor removes a staff member's authenticator (a lost phone):
// the security administrator only, with a reason, on the audit trail.
func (h *Handler) ResetTwoFactor(w http.ResponseWriter, r *http.Request) {
	h.do(w, r, http.StatusNoContent, func(a org.Actor) (any, error) {
		id, err := pathID(r, "id")
		if err != nil {
			return nil, err
		}
		var in resetTwoFactorRequest
		if err := decode(w, r, &in); err != nil {
			return nil, err
		}
		return nil, h.Auth.ResetTwoFactor(r.Context(), a, id, in.Reason)
	})
}

// twoFactorStart is the answer to an API enrolment's start: the secret
// and the otpauth:// address, shown this once.
type twoFactorStart struct {
	Secret     string `json:"secret"`
	OTPAuthURI string `json:"otpauth_uri"`
}

// StartTwoFactor begins the caller's enrolment through the API (clients
// without a browser): the secret to put into an authenticator.
func (h *Handler) StartTwoFactor(w http.ResponseWriter, r *http.Request) {
	h.do(w, r, http.StatusCreated, func(a org.Actor) (any, error) {
		secret, err := h.Auth.StartTwoFactor(r.Context(), a)
		if err != nil {
			return nil, err
		}
		w.Header().Set("Cache-Control", "no-store")
		return twoFactorStart{Secret: secret, OTPAuthURI: org.TOTPURI("jiedao", a.Name, secret)}, nil
	})
}

type twoFactorCode struct {
	Code string `json:"code"`
}

// ConfirmTwoFactor ends the caller's enrolment with the authenticator's
// first code and answers the recovery codes, shown this once.
func (h *Handler) ConfirmTwoFactor(w http.ResponseWriter, r *http.Request) {
	h.do(w, r, http.StatusOK, func(a org.Actor) (any, error) {
		var in twoFactorCode
		if err := decode(w, r, &in); err != nil {
			return nil, err
		}
		codes, err := h.Auth.ConfirmTwoFactor(r.Context(), a, in.Code)
		if err != nil {
			return nil, err
		}
		w.Header().Set("Cache-Control", "no-store")
		return map[string][]string{"recovery_codes": codes}, nil
	})
}
