package web

import (
	"net/http"

	"github.com/jiedao/jiedao/api"
	"github.com/jiedao/jiedao/org"
)

// accountData is what the account page, and an admin's view of a staff
// member, show: the live sessions and the latest sign-in attempts.
type accountData struct {
	Sessions []*org.Session
	Logins   []*org.LoginAttempt
}

// Account is the sessions and logins a page shows: the account page's,
// or those of the staff member an admin is editing.
func (p *page) Account() *accountData {
	switch d := p.Data.(type) {
	case *accountData:
		return d
	case *adminData:
		return d.Account
	}
	return nil
}

// loadAccount reads a staff member's sessions and logins as the actor may
// see them.
func (h *Handler) loadAccount(r *http.Request, a org.Actor, staffID int64) (*accountData, error) {
	sessions, err := h.Auth.Sessions(r.Context(), a, staffID, api.SessionToken(r))
	if err != nil {
		return nil, err
	}
	logins, err := h.Auth.Logins(r.Context(), a, staffID)
	if err != nil {
		return nil, err
	}
	return &accountData{Sessions: sessions, Logins: logins}, nil
}

// Account is the signed-in person's own page: where he is signed in, his
// latest sign-in attempts (a failure he did not make is a warning), and
// the button that signs him out everywhere.
func (h *Handler) Account(w http.ResponseWriter, r *http.Request) {
	a, ok := h.staff(w, r)
	if !ok {
		return
	}
	d, err := h.loadAccount(r, a, a.ID)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	p := h.newPage(w, r, "我的账号|My account")
	p.Active = "/account"
	p.Data = d
	h.render(w, r, http.StatusOK, "account", p)
}

// RevokeMySessions signs the person out on every device, this one too,
// and goes to the login page.
func (h *Handler) RevokeMySessions(w http.ResponseWriter, r *http.Request) {
	a, ok := h.staff(w, r)
	if !ok || !h.postForm(w, r, 0) {
		return
	}
	if err := h.Auth.RevokeSessions(r.Context(), a, a.ID); err != nil {
		h.fail(w, r, err)
		return
	}
	http.SetCookie(w, &http.Cookie{Name: api.SessionCookie, Value: "", Path: "/", MaxAge: -1, HttpOnly: true})
	http.Redirect(w, r, "/login", http.StatusSeeOther)
}
