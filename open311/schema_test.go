package open311_test

import (
	"encoding/json"
	"fmt"
	"math"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf8"
)

// A JSON Schema validator for the subset of draft-07 that the GeoReport v2
// schemas in shared/open311/georeport-v2/ use: type, required, properties,
// items, enum, anyOf, maxLength, minItems, uniqueItems, format (date-time
// and uri), pattern, additionalProperties (false) and $ref to another file
// of the same folder. description is an annotation. Any other keyword is
// an error, so that a schema using more than this validator knows is never
// half-checked.

// schemaDirName is where the shared schemas live, relative to an ancestor
// of this package: the repository's sibling folder shared/.
var schemaDirName = filepath.Join("shared", "open311", "georeport-v2")

var (
	schemaOnce sync.Once
	schemaDir  string
	schemaErr  error
)

// findSchemaDir looks for shared/open311/georeport-v2 beside the
// repository (and, should the layout change, in any ancestor folder).
func findSchemaDir() (string, error) {
	schemaOnce.Do(func() {
		dir, err := os.Getwd()
		if err != nil {
			schemaErr = err
			return
		}
		for {
			p := filepath.Join(dir, schemaDirName)
			if st, err := os.Stat(p); err == nil && st.IsDir() {
				schemaDir = p
				return
			}
			parent := filepath.Dir(dir)
			if parent == dir {
				schemaErr = fmt.Errorf("no %s in any folder above the package: the GeoReport v2 schemas live in shared/ beside the repository", schemaDirName)
				return
			}
			dir = parent
		}
	})
	return schemaDir, schemaErr
}

// validator checks documents against schemas loaded from files or given
// inline.
type validator struct {
	dir    string
	loaded map[string]any
}

func newValidator(t *testing.T) *validator {
	t.Helper()
	dir, err := findSchemaDir()
	if err != nil {
		t.Fatal(err)
	}
	return &validator{dir: dir, loaded: map[string]any{}}
}

// file loads a schema of the shared folder.
func (v *validator) file(name string) (any, error) {
	if s, ok := v.loaded[name]; ok {
		return s, nil
	}
	if strings.Contains(name, "/") || strings.Contains(name, `\`) {
		return nil, fmt.Errorf("$ref %q: only files of the schema folder are supported", name)
	}
	b, err := os.ReadFile(filepath.Join(v.dir, name))
	if err != nil {
		return nil, err
	}
	var s any
	if err := json.Unmarshal(b, &s); err != nil {
		return nil, fmt.Errorf("schema %s: %w", name, err)
	}
	v.loaded[name] = s
	return s, nil
}

// validateFile checks a JSON document against a schema file.
func (v *validator) validateFile(name string, doc []byte) error {
	s, err := v.file(name)
	if err != nil {
		return err
	}
	return v.validateDoc(s, doc)
}

// validateDoc checks a JSON document against a parsed schema.
func (v *validator) validateDoc(schema any, doc []byte) error {
	dec := json.NewDecoder(strings.NewReader(string(doc)))
	dec.UseNumber() // keeps 1 and 1.0 apart for "integer"
	var inst any
	if err := dec.Decode(&inst); err != nil {
		return fmt.Errorf("not JSON: %w", err)
	}
	if dec.More() {
		return fmt.Errorf("not one JSON value")
	}
	return v.check(schema, inst, "$")
}

var knownKeywords = []string{"$ref", "type", "required", "properties", "items", "enum", "anyOf", "maxLength",
	"minItems", "uniqueItems", "format", "pattern", "additionalProperties", "description", "title"}

func (v *validator) check(schema, inst any, at string) error {
	s, ok := schema.(map[string]any)
	if !ok {
		if b, ok := schema.(bool); ok {
			if !b {
				return fmt.Errorf("%s: the schema allows nothing here", at)
			}
			return nil
		}
		return fmt.Errorf("%s: schema is not an object", at)
	}
	keys := make([]string, 0, len(s))
	for k := range s {
		keys = append(keys, k)
	}
	sort.Strings(keys) // deterministic messages
	for _, k := range keys {
		if !slices.Contains(knownKeywords, k) {
			return fmt.Errorf("%s: schema keyword %q is not supported by this validator", at, k)
		}
	}
	if ref, ok := s["$ref"].(string); ok {
		target, err := v.file(ref)
		if err != nil {
			return fmt.Errorf("%s: %w", at, err)
		}
		if err := v.check(target, inst, at); err != nil {
			return err
		}
	}
	if t, ok := s["type"]; ok {
		if err := checkType(t, inst, at); err != nil {
			return err
		}
	}
	if e, ok := s["enum"].([]any); ok {
		if !slices.ContainsFunc(e, func(x any) bool { return jsonEqual(x, inst) }) {
			return fmt.Errorf("%s: %v is not one of %v", at, show(inst), e)
		}
	}
	if alts, ok := s["anyOf"].([]any); ok {
		var errs []string
		matched := false
		for _, sub := range alts {
			if err := v.check(sub, inst, at); err != nil {
				errs = append(errs, err.Error())
			} else {
				matched = true
				break
			}
		}
		if !matched {
			return fmt.Errorf("%s: matches none of anyOf: %s", at, strings.Join(errs, "; "))
		}
	}
	if str, ok := inst.(string); ok {
		if m, ok := s["maxLength"].(float64); ok && utf8.RuneCountInString(str) > int(m) {
			return fmt.Errorf("%s: longer than %v characters", at, m)
		}
		if p, ok := s["pattern"].(string); ok {
			re, err := regexp.Compile(p)
			if err != nil {
				return fmt.Errorf("%s: pattern %q: %w", at, p, err)
			}
			if !re.MatchString(str) {
				return fmt.Errorf("%s: %q does not match %s", at, str, p)
			}
		}
		if f, ok := s["format"].(string); ok {
			if err := checkFormat(f, str); err != nil {
				return fmt.Errorf("%s: %w", at, err)
			}
		}
	}
	if obj, ok := inst.(map[string]any); ok {
		if req, ok := s["required"].([]any); ok {
			for _, r := range req {
				if _, ok := obj[r.(string)]; !ok {
					return fmt.Errorf("%s: required property %q is missing", at, r)
				}
			}
		}
		props, _ := s["properties"].(map[string]any)
		names := make([]string, 0, len(obj))
		for k := range obj {
			names = append(names, k)
		}
		sort.Strings(names)
		for _, k := range names {
			if ps, ok := props[k]; ok {
				if err := v.check(ps, obj[k], at+"."+k); err != nil {
					return err
				}
			} else if ap, ok := s["additionalProperties"]; ok {
				if err := v.check(ap, obj[k], at+"."+k); err != nil {
					return err
				}
			}
		}
	}
	if arr, ok := inst.([]any); ok {
		if m, ok := s["minItems"].(float64); ok && len(arr) < int(m) {
			return fmt.Errorf("%s: fewer than %v items", at, m)
		}
		if u, ok := s["uniqueItems"].(bool); ok && u {
			for i := range arr {
				for j := i + 1; j < len(arr); j++ {
					if jsonEqual(arr[i], arr[j]) {
						return fmt.Errorf("%s: items %d and %d are equal", at, i, j)
					}
				}
			}
		}
		if it, ok := s["items"]; ok {
			for i, x := range arr {
				if err := v.check(it, x, fmt.Sprintf("%s[%d]", at, i)); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

func checkType(t, inst any, at string) error {
	var types []string
	switch t := t.(type) {
	case string:
		types = []string{t}
	case []any:
		for _, x := range t {
			types = append(types, x.(string))
		}
	default:
		return fmt.Errorf("%s: bad type keyword %v", at, t)
	}
	for _, ty := range types {
		if isType(ty, inst) {
			return nil
		}
	}
	return fmt.Errorf("%s: %s is not of type %s", at, show(inst), strings.Join(types, " or "))
}

func isType(ty string, inst any) bool {
	switch ty {
	case "null":
		return inst == nil
	case "boolean":
		_, ok := inst.(bool)
		return ok
	case "string":
		_, ok := inst.(string)
		return ok
	case "number":
		_, ok := inst.(json.Number)
		return ok
	case "integer":
		n, ok := inst.(json.Number)
		if !ok {
			return false
		}
		f, err := n.Float64()
		return err == nil && f == math.Trunc(f)
	case "object":
		_, ok := inst.(map[string]any)
		return ok
	case "array":
		_, ok := inst.([]any)
		return ok
	}
	return false
}

// dateTimeRE is RFC 3339's date-time, which JSON Schema's "date-time" is.
var dateTimeRE = regexp.MustCompile(`^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$`)

func checkFormat(f, s string) error {
	switch f {
	case "date-time":
		if !dateTimeRE.MatchString(s) {
			return fmt.Errorf("%q is not an RFC 3339 date-time", s)
		}
		if _, err := time.Parse(time.RFC3339Nano, strings.ToUpper(s)); err != nil {
			return fmt.Errorf("%q is not a valid date-time: %v", s, err)
		}
	case "uri":
		u, err := url.Parse(s)
		if err != nil || u.Scheme == "" {
			return fmt.Errorf("%q is not an absolute URI", s)
		}
	default:
		return fmt.Errorf("format %q is not supported by this validator", f)
	}
	return nil
}

// jsonEqual compares two decoded JSON values, numbers by value.
func jsonEqual(a, b any) bool {
	na, aNum := num(a)
	nb, bNum := num(b)
	if aNum || bNum {
		return aNum && bNum && na == nb
	}
	ja, _ := json.Marshal(a)
	jb, _ := json.Marshal(b)
	return string(ja) == string(jb)
}

func num(v any) (float64, bool) {
	switch v := v.(type) {
	case json.Number:
		f, err := v.Float64()
		return f, err == nil
	case float64:
		return v, true
	}
	return 0, false
}

func show(v any) string {
	b, _ := json.Marshal(v)
	if len(b) > 80 {
		return string(b[:80]) + "…"
	}
	return string(b)
}

// Schemas of the answers the shared folder has none for, in the same
// subset: discovery, tokens, the answer to POST requests, errors and
// FixMyStreet's updates. They are as strict as the spec's texts: required
// fields, types, and no fields beyond those listed where the spec lists
// them all.
var ownSchemas = map[string]string{
	"discovery": `{
		"type": "object",
		"required": ["changeset", "contact", "endpoints"],
		"properties": {
			"changeset": {"type": "string", "format": "date-time"},
			"contact": {"type": "string"},
			"key_service": {"type": "string"},
			"endpoints": {"type": "array", "minItems": 1, "items": {
				"type": "object",
				"required": ["specification", "url", "changeset", "type", "formats"],
				"additionalProperties": false,
				"properties": {
					"specification": {"type": "string", "enum": ["http://wiki.open311.org/GeoReport_v2"]},
					"url": {"type": "string", "format": "uri"},
					"changeset": {"type": "string", "format": "date-time"},
					"type": {"type": "string", "enum": ["production", "test"]},
					"formats": {"type": "array", "minItems": 1, "uniqueItems": true,
						"items": {"type": "string", "enum": ["text/xml", "application/json"]}}
				}
			}}
		}
	}`,
	"tokens": `{
		"type": "array", "minItems": 1,
		"items": {"type": "object", "required": ["service_request_id", "token"], "additionalProperties": false,
			"properties": {"service_request_id": {"type": "string"}, "token": {"type": "string"}}}
	}`,
	"post-requests": `{
		"type": "array", "minItems": 1,
		"items": {"type": "object", "required": ["service_request_id"], "additionalProperties": false,
			"properties": {
				"service_request_id": {"type": "string"},
				"service_notice": {"anyOf": [{"type": "string"}, {"type": "null"}]},
				"account_id": {"anyOf": [{"type": "string"}, {"type": "null"}]}
			}}
	}`,
	"errors": `{
		"type": "array", "minItems": 1,
		"items": {"type": "object", "required": ["code", "description"], "additionalProperties": false,
			"properties": {"code": {"type": "integer", "enum": [400, 403, 404]},
				"description": {"type": "string", "pattern": "\\p{Han}.* / [A-Za-z]"}}}
	}`,
	"updates": `{
		"type": "array",
		"items": {"type": "object",
			"required": ["update_id", "service_request_id", "status", "updated_datetime", "description"],
			"additionalProperties": false,
			"properties": {
				"update_id": {"type": "string", "pattern": "^[0-9]+$"},
				"service_request_id": {"type": "string"},
				"status": {"type": "string", "enum": ["OPEN", "INVESTIGATING", "IN_PROGRESS", "ACTION_SCHEDULED", "CLOSED",
					"FIXED", "NOT_COUNCILS_RESPONSIBILITY", "DUPLICATE", "INTERNAL_REFERRAL", "UNABLE_TO_FIX", "NO_FURTHER_ACTION"]},
				"updated_datetime": {"type": "string", "format": "date-time"},
				"description": {"type": "string", "maxLength": 4000},
				"media_url": {"anyOf": [{"type": "string", "format": "uri"}, {"type": "null"}]},
				"external_status_code": {"type": "string"}
			}}
	}`,
	"post-updates": `{
		"type": "array", "minItems": 1,
		"items": {"type": "object", "required": ["update_id"], "additionalProperties": false,
			"properties": {"update_id": {"type": "string", "pattern": "^[0-9]+$"}}}
	}`,
	// The extension every request carries, checked on top of request.json.
	"extended": `{
		"type": "object", "required": ["extended_attributes"],
		"properties": {"extended_attributes": {"type": "object",
			"required": ["status", "jiedao_status", "status_zh", "title", "channel"],
			"additionalProperties": false,
			"properties": {
				"status": {"type": "string", "enum": ["OPEN", "INVESTIGATING", "IN_PROGRESS", "ACTION_SCHEDULED", "CLOSED",
					"FIXED", "NOT_COUNCILS_RESPONSIBILITY", "DUPLICATE", "INTERNAL_REFERRAL", "UNABLE_TO_FIX", "NO_FURTHER_ACTION"]},
				"jiedao_status": {"type": "string"},
				"status_zh": {"type": "string"},
				"title": {"type": "string"},
				"channel": {"type": "string"},
				"rating": {"type": "string", "enum": ["satisfied", "basic", "unsatisfied"]},
				"rating_zh": {"type": "string", "enum": ["满意", "基本满意", "不满意"]},
				"rating_comment": {"anyOf": [{"type": "string"}, {"type": "null"}]},
				"rated_datetime": {"type": "string", "format": "date-time"},
				"parent_service_request_id": {"type": "string"}
			}}}
	}`,
}

// own returns one of ownSchemas, parsed.
func own(t testing.TB, name string) any {
	t.Helper()
	src, ok := ownSchemas[name]
	if !ok {
		t.Fatalf("no schema %q", name)
	}
	var s any
	if err := json.Unmarshal([]byte(src), &s); err != nil {
		t.Fatalf("schema %s: %v", name, err)
	}
	return s
}

// TestValidatorFails proves the validator can fail: each broken document
// is refused, and its fixed twin passes, so a pass elsewhere means
// something.
func TestValidatorFails(t *testing.T) {
	v := newValidator(t)
	good := `{"service_request_id":"20240611-0001","status":"open","service_code":"0101","requested_datetime":"2024-06-11T09:00:00+08:00"}`
	cases := []struct {
		schema, doc, why string
	}{
		{"request.json", `{"status":"open","service_code":"0101","requested_datetime":"2024-06-11T09:00:00+08:00"}`, "required"},
		{"request.json", `{"service_request_id":20240611,"status":"open","service_code":"0101","requested_datetime":"2024-06-11T09:00:00+08:00"}`, "type"},
		{"request.json", `{"service_request_id":"1","status":"OPEN","service_code":"0101","requested_datetime":"2024-06-11T09:00:00+08:00"}`, "enum"},
		{"request.json", `{"service_request_id":"1","status":"open","service_code":"0101","requested_datetime":"2024-06-11 09:00"}`, "format"},
		{"request.json", `{"service_request_id":"1","status":"open","service_code":"0101","requested_datetime":"2024-06-11T09:00:00+08:00","lat":"30.28"}`, "anyOf"},
		{"request.json", `{"service_request_id":"1","status":"open","service_code":"0101","requested_datetime":"2024-06-11T09:00:00+08:00","media_url":"after-1.jpg"}`, "format"},
		{"request.json", `{"service_request_id":"1","status":"open","service_code":"0101","requested_datetime":"2024-06-11T09:00:00+08:00","description":"` + strings.Repeat("长", 4001) + `"}`, "maxLength"},
		{"requests.json", `[` + good + `,{"service_request_id":"2"}]`, "$ref in items"},
		{"requests.json", good, "type array"},
		{"services.json", `[{"service_code":"0101","service_name":"暴露垃圾","metadata":"false","type":"realtime"}]`, "boolean"},
		{"service.json", `{"service_code":"0101","service_name":"暴露垃圾","metadata":false,"type":"sometimes"}`, "enum"},
		{"service-definition.json", `{"service_code":"0102","attributes":[{"variable":true,"code":"m","datatype":"list","required":true}]}`, "datatype enum"},
		{"service-definition.json", `{"service_code":"0102","attributes":[{"variable":true,"code":"m","datatype":"singlevaluelist","required":true,"order":1.5}]}`, "integer"},
		{"service-definition.json", `{"service_code":"0102","attributes":[{"variable":true,"code":"m","datatype":"singlevaluelist","required":true,"values":[{"key":"sand"}]}]}`, "nested required"},
		{"service-definition.json", `{"service_code":"0102"}`, "required attributes"},
		{"request.json", `not json`, "syntax"},
	}
	for _, c := range cases {
		if err := v.validateFile(c.schema, []byte(c.doc)); err == nil {
			t.Errorf("%s (%s): a broken document passed: %.120s", c.schema, c.why, c.doc)
		}
	}
	for _, ok := range []struct{ schema, doc string }{
		{"request.json", good},
		{"requests.json", `[` + good + `]`},
		{"service-definition.json", `{"service_code":"0102","attributes":[{"variable":true,"code":"m","datatype":"singlevaluelist","required":true,"order":1,"values":[{"key":"sand","name":"沙石"}]}]}`},
	} {
		if err := v.validateFile(ok.schema, []byte(ok.doc)); err != nil {
			t.Errorf("%s: a good document failed: %v", ok.schema, err)
		}
	}
	for name, bad := range map[string]string{
		"errors":    `[{"code":"400","description":"缺少 service_code / service_code is required"}]`,
		"updates":   `[{"update_id":"7","service_request_id":"1","status":"open","updated_datetime":"2024-06-11T09:00:00+08:00","description":"x"}]`,
		"discovery": `{"changeset":"2024-06-11T00:00:00+08:00","contact":"x","endpoints":[{"specification":"http://wiki.open311.org/GeoReport_v2","url":"/open311/v2/","changeset":"2024-06-11T00:00:00+08:00","type":"production","formats":["application/json"]}]}`,
		"tokens":    `[{"service_request_id":"1","token":"1","extra":true}]`,
	} {
		if err := v.validateDoc(own(t, name), []byte(bad)); err == nil {
			t.Errorf("%s: a broken document passed: %s", name, bad)
		}
	}
	// A schema with a keyword the validator does not know is an error,
	// never a silent pass.
	var odd any
	_ = json.Unmarshal([]byte(`{"type":"string","minLength":3}`), &odd)
	if err := v.validateDoc(odd, []byte(`"ab"`)); err == nil || !strings.Contains(err.Error(), "minLength") {
		t.Errorf("an unsupported keyword should be reported, got %v", err)
	}
}
