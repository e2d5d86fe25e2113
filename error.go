// Package jiedao holds what every other package of the module shares: the
// application error with its code and its messages safe to show to a user.
//
// Domain packages (casework, org, calendar, geo) return *Error values for
// everything a user did wrong; adapters map engine errors to them; the HTTP
// layers turn the code into a status and show the message in Chinese first,
// English second.
package jiedao

import (
	"errors"
	"fmt"
)

// Error codes. They are part of the JSON API: clients switch on them.
const (
	EINVALID      = "invalid"       // the input is malformed or breaks a rule
	ENOTFOUND     = "not_found"     // the thing does not exist or is out of the caller's scope
	ECONFLICT     = "conflict"      // the thing exists already, or its state forbids the step
	EFORBIDDEN    = "forbidden"     // the caller is known but may not do this
	EUNAUTHORIZED = "unauthorized"  // the caller is not known
	ETOOMANY      = "too_many"      // too many attempts: locked out or rate limited
	EINTERNAL     = "internal"      // a fault of ours; the details go to the log, not the user
	EUNAVAILABLE  = "unavailable"   // the service is starting or stopping
	ETOOLARGE     = "too_large"     // the request body or file is larger than allowed
	EUNSUPPORTED  = "not_supported" // the format is not supported
	EMETHOD       = "method"        // the HTTP method is not allowed on this path
)

// Error is an error whose messages may be shown to the user as they are.
type Error struct {
	Code string // one of the E* codes
	Zh   string // the message in Chinese, shown first
	En   string // the same message in English
	// Field names the input that caused the error, when there is one, so
	// that a form can show the message next to it.
	Field string
}

func (e *Error) Error() string {
	if e.Field != "" {
		return fmt.Sprintf("%s: %s (%s) [%s]", e.Code, e.Zh, e.En, e.Field)
	}
	return fmt.Sprintf("%s: %s (%s)", e.Code, e.Zh, e.En)
}

// Errorf builds an *Error. The same format and arguments are used for both
// languages, so pass values that read the same in both (codes, numbers).
func Errorf(code, zh, en string, args ...any) *Error {
	if len(args) > 0 {
		zh = fmt.Sprintf(zh, args...)
		en = fmt.Sprintf(en, args...)
	}
	return &Error{Code: code, Zh: zh, En: en}
}

// Invalid reports bad input in one field.
func Invalid(field, zh, en string) *Error {
	return &Error{Code: EINVALID, Zh: zh, En: en, Field: field}
}

// NotFound reports that a thing of the given kind does not exist.
// kindZh and kindEn name the kind, such as "案件" and "case".
func NotFound(kindZh, kindEn string) *Error {
	return &Error{Code: ENOTFOUND, Zh: kindZh + "不存在", En: kindEn + " not found"}
}

// Forbidden reports a step the caller's role or scope does not allow.
func Forbidden(zh, en string) *Error {
	return &Error{Code: EFORBIDDEN, Zh: zh, En: en}
}

// RetryAfterSeconds is what a failure of the server (EINTERNAL: its
// database gone, a fault of ours) and EUNAVAILABLE tell a client to wait
// before trying again: every interface answers them 503 with a
// Retry-After header of this many seconds, so that clients retry what
// was not done (nothing is ever half-written) rather than give up.
const RetryAfterSeconds = 5

// Retryable reports whether err is a failure of the server that a client
// should retry after RetryAfterSeconds (EINTERNAL or EUNAVAILABLE).
func Retryable(err error) bool {
	c := ErrorCode(err)
	return c == EINTERNAL || c == EUNAVAILABLE
}

// ErrorCode returns the code of err, EINTERNAL for errors that are not *Error
// and "" for nil.
func ErrorCode(err error) string {
	if err == nil {
		return ""
	}
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return EINTERNAL
}

// ErrorMessages returns the messages of err that are safe to show; for an
// internal error they are a generic sentence, never the error's own text.
func ErrorMessages(err error) (zh, en string) {
	var e *Error
	if errors.As(err, &e) {
		return e.Zh, e.En
	}
	return "系统内部错误，请稍后再试", "internal error, please try again later"
}

// ErrorField returns the field an error is about, or "".
func ErrorField(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Field
	}
	return ""
}
