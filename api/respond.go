// Package api is the JSON API under /api/v1: thin handlers that decode a
// request, call a domain service with the actor, and encode the answer.
// Rules and authorisation live in the services; the route table lives in
// package server.
package api

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"strconv"
	"strings"

	"github.com/jiedao/jiedao"
	"github.com/jiedao/jiedao/geo"
)

// maxBody bounds a JSON request body; imports have their own limits.
const maxBody = 1 << 20

// ErrorBody is the JSON form of every error.
type ErrorBody struct {
	Error ErrorDetail `json:"error"`
}

// ErrorDetail carries the code clients switch on and the messages to show.
type ErrorDetail struct {
	Code      string `json:"code"`
	Message   string `json:"message"`    // Chinese
	MessageEn string `json:"message_en"` // English
	Field     string `json:"field,omitempty"`
}

// Status maps an error code to an HTTP status.
func Status(code string) int {
	switch code {
	case jiedao.EINVALID:
		return http.StatusBadRequest
	case jiedao.ENOTFOUND:
		return http.StatusNotFound
	case jiedao.ECONFLICT:
		return http.StatusConflict
	case jiedao.EFORBIDDEN:
		return http.StatusForbidden
	case jiedao.EUNAUTHORIZED:
		return http.StatusUnauthorized
	case jiedao.ETOOMANY:
		return http.StatusTooManyRequests
	case jiedao.EUNAVAILABLE, jiedao.EINTERNAL:
		// A failure of the server: 503 with Retry-After (WriteError), so
		// that clients retry rather than give up.
		return http.StatusServiceUnavailable
	case jiedao.ETOOLARGE:
		return http.StatusRequestEntityTooLarge
	case jiedao.EUNSUPPORTED:
		return http.StatusUnsupportedMediaType
	case jiedao.EMETHOD:
		return http.StatusMethodNotAllowed
	}
	return http.StatusInternalServerError
}

// WriteJSON writes v as JSON with the status.
func WriteJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(v)
}

// SetRetryAfter sets Retry-After on the answer to a failure of the server
// (jiedao.Retryable): every interface calls it before writing a 503.
func SetRetryAfter(w http.ResponseWriter, err error) {
	if jiedao.Retryable(err) {
		w.Header().Set("Retry-After", strconv.Itoa(jiedao.RetryAfterSeconds))
	}
}

// WriteError writes err as an ErrorBody; internal errors are logged with
// the request and shown only as a generic message.
func WriteError(w http.ResponseWriter, r *http.Request, log *slog.Logger, err error) {
	code := jiedao.ErrorCode(err)
	if code == jiedao.EINTERNAL {
		log.ErrorContext(r.Context(), "request failed", "method", r.Method, "path", r.URL.Path, "err", err)
	}
	zh, en := jiedao.ErrorMessages(err)
	SetRetryAfter(w, err)
	WriteJSON(w, Status(code), ErrorBody{Error: ErrorDetail{Code: code, Message: zh, MessageEn: en, Field: jiedao.ErrorField(err)}})
}

// decode reads a JSON body into v, refusing unknown fields so that a
// misspelt field is an error rather than silently ignored.
func decode(w http.ResponseWriter, r *http.Request, v any) error {
	if ct := r.Header.Get("Content-Type"); ct != "" && !strings.HasPrefix(ct, "application/json") {
		return jiedao.Errorf(jiedao.EUNSUPPORTED, "请求内容应为 JSON", "the request body must be JSON")
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxBody))
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			return jiedao.Errorf(jiedao.ETOOLARGE, "请求内容过大", "request body too large")
		}
		return jiedao.Errorf(jiedao.EINVALID, "读取请求内容失败", "could not read the request body")
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		var tooBig *http.MaxBytesError
		var syntax *json.SyntaxError
		var typ *json.UnmarshalTypeError
		switch {
		case errors.As(err, &tooBig):
			return jiedao.Errorf(jiedao.ETOOLARGE, "请求内容过大", "request body too large")
		case errors.Is(err, io.EOF):
			return jiedao.Errorf(jiedao.EINVALID, "请求内容为空", "empty request body")
		case errors.As(err, &syntax):
			return jiedao.Errorf(jiedao.EINVALID, "JSON 格式错误（第%d字节）", "malformed JSON at byte %d", syntax.Offset)
		case errors.As(err, &typ) && typ.Field == "":
			return jiedao.Invalid("body", "请求内容应为一个 JSON 对象，而不是"+typ.Value, "the body must be one JSON object, not "+typ.Value)
		case errors.As(err, &typ):
			return jiedao.Invalid(typ.Field, "字段类型错误："+typ.Field, "wrong type for field "+typ.Field)
		case strings.HasPrefix(err.Error(), "json: unknown field "):
			f := strings.Trim(strings.TrimPrefix(err.Error(), "json: unknown field "), `"`)
			return jiedao.Invalid(f, "未知字段："+f, "unknown field: "+f)
		}
		return jiedao.Errorf(jiedao.EINVALID, "无法解析请求内容", "cannot parse the request body")
	}
	return PlainCoordinates(body)
}

// coordinateFields are the names a JSON body gives a coordinate.
var coordinateFields = []string{"lat", "lon", "long", "lng", "latitude", "longitude"}

// PlainCoordinates checks that the coordinates at the top of a JSON object
// are written as plain decimals (geo.ParseDegrees), as on every other
// channel: JSON's exponent form (3.027e1) is a number, not a latitude
// anyone writes. A body that is not an object has none to check.
func PlainCoordinates(body []byte) error {
	var top map[string]json.RawMessage
	if json.Unmarshal(body, &top) != nil {
		return nil
	}
	for _, k := range coordinateFields {
		raw, ok := top[k]
		if !ok || string(raw) == "null" {
			continue
		}
		if _, ok := geo.ParseDegrees(string(bytes.TrimSpace(raw))); !ok {
			return jiedao.Invalid(k, "经纬度应为普通小数，如 30.2741："+k, k+" must be a plain decimal number such as 30.2741")
		}
	}
	return nil
}

// pathID reads a numeric path value.
func pathID(r *http.Request, name string) (int64, error) {
	id, err := strconv.ParseInt(r.PathValue(name), 10, 64)
	if err != nil || id <= 0 {
		return 0, jiedao.Invalid(name, "编号无效", "invalid id")
	}
	return id, nil
}
