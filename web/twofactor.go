package web

import (
	"html/template"
	"net/http"

	"github.com/jiedao/jiedao"
	"github.com/jiedao/jiedao/api"
	"github.com/jiedao/jiedao/org"
)

// Two-factor sign-in on the pages (issue 18, docs/pages.md): the second
// step of the login form, and the account's enrolment with a QR code drawn
// here (web/qr.go, no internet) and recovery codes shown once.

// loginCodeData is the second step's form.
type loginCodeData struct {
	Challenge string
}

// secondStep shows the code form after a right password.
func (h *Handler) secondStep(w http.ResponseWriter, r *http.Request, step *org.SecondStep, next string, err error) {
	p := h.newPage(w, r, "登录|Sign in")
	p.Form.Set("next", localPath(next, ""))
	if err != nil {
		p.setError(err)
		if p.Error != "" {
			p.Errors = map[string]string{"code": p.Error}
			p.Error = ""
		}
	}
	p.Data = loginCodeData{Challenge: step.Challenge}
	p.Body = "narrow"
	status := http.StatusOK
	if err != nil {
		status = http.StatusUnauthorized
	}
	h.render(w, r, status, "login_code", p)
}

// LoginCode is the second step: the challenge and a code of the
// authenticator (or a recovery code) open the session.
func (h *Handler) LoginCode(w http.ResponseWriter, r *http.Request) {
	if !h.postForm(w, r, 0) {
		return
	}
	challenge, next := r.PostFormValue("challenge"), r.PostFormValue("next")
	token, staff, err := h.Auth.LoginCode(r.Context(), challenge, r.PostFormValue("code"), api.ClientOf(r))
	if err != nil {
		if zh, _ := errMessages(err); zh == "登录已过期，请重新输入用户名和密码" {
			p := h.newPage(w, r, "登录|Sign in")
			p.Form.Set("next", localPath(next, ""))
			p.setError(err)
			h.renderLogin(w, r, http.StatusUnauthorized, p)
			return
		}
		h.secondStep(w, r, &org.SecondStep{Challenge: challenge}, next, err)
		return
	}
	h.setSession(w, r, token)
	http.Redirect(w, r, localPath(next, homeOf(org.StaffActor(staff))), http.StatusSeeOther)
}

// setSession sets the session cookie: the API's, so that the pages and the
// JSON API share one session.
func (h *Handler) setSession(w http.ResponseWriter, r *http.Request, token string) {
	http.SetCookie(w, &http.Cookie{Name: api.SessionCookie, Value: token, Path: "/", HttpOnly: true,
		// MaxAge, not Expires: a browser's clock need not agree with ours.
		SameSite: http.SameSiteLaxMode, Secure: r.TLS != nil, MaxAge: int(h.Auth.Policy.SessionLimit.Seconds())})
}

// twoFactorData is the enrolment page.
type twoFactorData struct {
	State    *org.TwoFactorState
	QR       template.HTML // the pending secret's otpauth address as SVG
	Secret   string        // the pending secret, for typing by hand
	Recovery []string      // shown once, right after the enrolment
}

// TwoFactor is the account's two-factor page: its state, the enrolment
// with its QR code, or the recovery codes just made.
func (h *Handler) TwoFactor(w http.ResponseWriter, r *http.Request) {
	a, ok := h.staff(w, r)
	if !ok {
		return
	}
	h.showTwoFactor(w, r, a, http.StatusOK, nil, nil)
}

func (h *Handler) showTwoFactor(w http.ResponseWriter, r *http.Request, a org.Actor, status int, recovery []string, err error) {
	st, serr := h.Auth.TwoFactor(r.Context(), a)
	if serr != nil {
		h.fail(w, r, serr)
		return
	}
	d := &twoFactorData{State: st, Recovery: recovery}
	if st.Pending != "" {
		svg, qerr := qrSVG(org.TOTPURI("jiedao", a.Name+" ("+h.usernameOf(r, a)+")", st.Pending))
		if qerr != nil {
			h.fail(w, r, qerr)
			return
		}
		d.QR, d.Secret = template.HTML(svg), st.Pending // #nosec: drawn here from digits and a fixed alphabet
	}
	p := h.newPage(w, r, "双因素认证|Two-factor sign-in")
	p.Active = "/account"
	p.Data = d
	if err != nil {
		p.setError(err)
	}
	if st.Required && !st.Enabled {
		p.Notice = p.T("您的角色必须使用双因素认证：启用后才能使用系统。", "Your role requires two-factor sign-in: enrol before anything else.")
	}
	h.render(w, r, status, "twofactor", p)
}

// usernameOf names the account in the authenticator app.
func (h *Handler) usernameOf(r *http.Request, a org.Actor) string {
	if s, err := h.Directory.Store.GetStaff(r.Context(), a.ID); err == nil {
		return s.Username
	}
	return a.Name
}

// TwoFactorPost starts, confirms or turns off the account's authenticator
// (op start, confirm, disable).
func (h *Handler) TwoFactorPost(w http.ResponseWriter, r *http.Request) {
	a, ok := h.staff(w, r)
	if !ok || !h.postForm(w, r, 0) {
		return
	}
	var err error
	switch r.PathValue("op") {
	case "start":
		_, err = h.Auth.StartTwoFactor(r.Context(), a)
	case "confirm":
		var codes []string
		if codes, err = h.Auth.ConfirmTwoFactor(r.Context(), a, r.PostFormValue("code")); err == nil {
			a.Pending = "" // enrolled: the page shows the codes, then the way on
			h.showTwoFactor(w, r, a, http.StatusOK, codes, nil)
			return
		}
	case "disable":
		err = h.Auth.DisableTwoFactor(r.Context(), a, r.PostFormValue("code"))
	default:
		http.NotFound(w, r)
		return
	}
	if err != nil {
		h.showTwoFactor(w, r, a, http.StatusUnprocessableEntity, nil, err)
		return
	}
	http.Redirect(w, r, "/account/2fa", http.StatusSeeOther)
}

// errMessages is the Chinese and English messages of an error.
func errMessages(err error) (string, string) { return jiedao.ErrorMessages(err) }
