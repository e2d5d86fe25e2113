package web

import (
	"errors"
	"net/http"

	"github.com/jiedao/jiedao/api"
	"github.com/jiedao/jiedao/org"
)

// LoginPage shows the sign-in form; on a demo database it lists the demo
// accounts.
func (h *Handler) LoginPage(w http.ResponseWriter, r *http.Request) {
	p := h.newPage(w, r, "登录|Sign in")
	p.Form.Set("next", localPath(r.URL.Query().Get("next"), ""))
	if r.URL.Query().Get("changed") != "" {
		p.Notice = p.T("密码已修改，请用新密码登录。", "Your password is changed: sign in with the new one.")
	}
	h.renderLogin(w, r, http.StatusOK, p)
}

type loginData struct {
	Demo     []DemoLogin
	Password string
}

func (h *Handler) renderLogin(w http.ResponseWriter, r *http.Request, status int, p *page) {
	p.Data = loginData{Demo: h.DemoLogins, Password: h.DemoPassword}
	p.Body = "narrow"
	h.render(w, r, status, "login", p)
}

// Login signs a person in: the session cookie is the API's, so the pages
// and the JSON API share one session.
func (h *Handler) Login(w http.ResponseWriter, r *http.Request) {
	if !h.postForm(w, r, 0) {
		return
	}
	user, pass := r.PostFormValue("username"), r.PostFormValue("password")
	token, staff, err := h.Auth.Login(r.Context(), user, pass, api.ClientOf(r))
	var step *org.SecondStep
	if errors.As(err, &step) {
		// Two factors: the password opened no session, only the code form.
		h.secondStep(w, r, step, r.PostFormValue("next"), nil)
		return
	}
	if err != nil {
		p := h.newPage(w, r, "登录|Sign in")
		p.Form.Set("username", user)
		p.Form.Set("next", r.PostFormValue("next"))
		p.setError(err)
		if p.Error != "" {
			// Wrong name or password: say it at the password, where the
			// eye is, and keep the name typed.
			p.Errors = map[string]string{"password": p.Error}
			p.Error = ""
		}
		h.renderLogin(w, r, http.StatusUnauthorized, p)
		return
	}
	h.setSession(w, r, token)
	http.Redirect(w, r, localPath(r.PostFormValue("next"), homeOf(org.StaffActor(staff))), http.StatusSeeOther)
}

// Logout ends the session.
func (h *Handler) Logout(w http.ResponseWriter, r *http.Request) {
	if !h.postForm(w, r, 0) {
		return
	}
	if c, err := r.Cookie(api.SessionCookie); err == nil && c.Value != "" {
		if err := h.Auth.Logout(r.Context(), c.Value); err != nil {
			h.fail(w, r, err)
			return
		}
	}
	http.SetCookie(w, &http.Cookie{Name: api.SessionCookie, Value: "", Path: "/", MaxAge: -1, HttpOnly: true})
	http.Redirect(w, r, "/login", http.StatusSeeOther)
}
