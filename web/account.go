package web

import (
	"net/http"
	"strings"

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

// Browser names the browser and system of a user agent in a few words
// ("Chrome · Android", "微信 · iPhone"), for the tables of sessions and
// sign-ins; the whole string is in the cell's title. Unknown ones are cut
// short rather than guessed at.
func (p *page) Browser(ua string) string {
	pick := func(pairs [][2]string) string {
		for _, kv := range pairs {
			if strings.Contains(ua, kv[0]) {
				return kv[1]
			}
		}
		return ""
	}
	// Order matters: Edge and WeChat also say Chrome and Safari, Chrome
	// says Safari, Android says Linux, iPhone says Mac OS X.
	browser := pick([][2]string{{"MicroMessenger", p.T("微信", "WeChat")}, {"DingTalk", p.T("钉钉", "DingTalk")},
		{"Edg/", "Edge"}, {"Firefox/", "Firefox"}, {"Chrome/", "Chrome"}, {"Safari/", "Safari"},
		{"Go-http-client", "Go"}, {"curl/", "curl"}})
	system := pick([][2]string{{"Android", "Android"}, {"iPhone", "iPhone"}, {"iPad", "iPad"}, {"Windows", "Windows"},
		{"Mac OS X", "macOS"}, {"Linux", "Linux"}})
	switch {
	case browser != "" && system != "":
		return browser + " · " + system
	case browser != "":
		return browser
	}
	return clipText(ua, 40)
}

// clipText shortens s to n characters with an ellipsis.
func clipText(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n]) + "…"
}

// ChangePassword changes the signed-in person's own password: the current
// one, the new one twice. Every session ends, so the login page follows.
func (h *Handler) ChangePassword(w http.ResponseWriter, r *http.Request) {
	a, ok := h.staff(w, r)
	if !ok || !h.postForm(w, r, 0) {
		return
	}
	f := r.PostForm
	err := h.Directory.ChangeOwnPassword(r.Context(), a, f.Get("current_password"), f.Get("new_password"), f.Get("repeat_password"))
	if err != nil {
		d, lerr := h.loadAccount(r, a, a.ID)
		if lerr != nil {
			h.fail(w, r, lerr)
			return
		}
		p := h.newPage(w, r, "我的账号|My account")
		p.Active = "/account"
		p.Data = d
		p.setError(err)
		h.render(w, r, http.StatusUnprocessableEntity, "account", p)
		return
	}
	http.SetCookie(w, &http.Cookie{Name: api.SessionCookie, Value: "", Path: "/", MaxAge: -1, HttpOnly: true})
	http.Redirect(w, r, "/login?changed=1", http.StatusSeeOther)
}
