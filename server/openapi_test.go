package server

import (
	"bufio"
	"bytes"
	"fmt"
	"maps"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"

	"github.com/jiedao/jiedao/api"
)

// TestOpenAPICoversRoutes keeps api/openapi.yaml and the route table in
// step: every JSON API route (and /healthz, /metrics) is documented with
// its method, and the document names no operation the server does not
// answer. A new route cannot ship without its documentation, and a
// removed one cannot linger in it.
func TestOpenAPICoversRoutes(t *testing.T) {
	// The document as the server serves it at /api/v1/openapi.yaml.
	rec := httptest.NewRecorder()
	(&api.Handler{}).OpenAPI(rec, httptest.NewRequest(http.MethodGet, "/api/v1/openapi.yaml", nil))
	documented, err := openAPIOperations(rec.Body.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	if len(documented) == 0 {
		t.Fatal("no operations read from api/openapi.yaml: has its layout changed?")
	}

	// Only the pattern of each route is read: the handlers are method
	// values that are never called, so a zero Server lists them.
	routed := map[string]bool{}
	for _, rt := range (&Server{}).routes() {
		method, path, ok := strings.Cut(rt.pattern, " ")
		if !ok || !(strings.HasPrefix(path, "/api/v1/") || path == "/healthz" || path == "/metrics") {
			continue
		}
		routed[method+" "+path] = true
	}

	for _, op := range slices.Sorted(maps.Keys(routed)) {
		if !documented[op] {
			method, path, _ := strings.Cut(op, " ")
			t.Errorf("route %q (server/routes.go) is not in api/openapi.yaml: add `%s:` with a `%s:` operation under `paths:` "+
				"(tags, bilingual summary \"中文 / English\", security, parameters, request body, every response)",
				op, path, strings.ToLower(method))
		}
	}
	for _, op := range slices.Sorted(maps.Keys(documented)) {
		method, path, _ := strings.Cut(op, " ")
		// ServeMux answers HEAD on every GET route, so a document may say so.
		if !routed[op] && !(method == http.MethodHead && routed[http.MethodGet+" "+path]) {
			t.Errorf("api/openapi.yaml documents %q, which server/routes.go does not route: remove the `%s:` operation of `%s`, "+
				"or add the route {%q, …} to the route table", op, strings.ToLower(method), path, op)
		}
	}
}

// openAPIOperations reads the operations ("GET /api/v1/cases") of an
// OpenAPI document. The module has no YAML parser and this test does not
// justify one, so it reads the layout api/openapi.yaml is written in,
// which is plain block YAML: under the top-level `paths:` key, each path
// is a key indented two spaces ("  /api/v1/cases:") and each of its
// operations a key indented four ("    get:"); the next top-level key
// ends the section. Anything else in a path (parameters, a $ref) is not
// an operation and is skipped. A path in a flow mapping or a quoted key
// would not be seen, so the test also fails on a section with no paths.
func openAPIOperations(doc []byte) (map[string]bool, error) {
	methods := map[string]bool{"get": true, "put": true, "post": true, "delete": true,
		"patch": true, "head": true, "options": true, "trace": true}
	ops := map[string]bool{}
	inPaths, path := false, ""
	sc := bufio.NewScanner(bytes.NewReader(doc))
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimRight(sc.Text(), " \t\r")
		if line == "" || strings.HasPrefix(strings.TrimSpace(line), "#") {
			continue
		}
		indent := len(line) - len(strings.TrimLeft(line, " "))
		key, isKey := strings.CutSuffix(strings.TrimSpace(line), ":")
		switch {
		case indent == 0:
			if inPaths {
				return ops, nil
			}
			inPaths = line == "paths:"
		case !inPaths:
		case indent == 2:
			if !isKey || !strings.HasPrefix(key, "/") {
				return nil, fmt.Errorf("api/openapi.yaml line %d: %q under paths: is not a path key such as \"  /api/v1/cases:\"", n, line)
			}
			path = key
		case indent == 4 && isKey && methods[key]:
			op := strings.ToUpper(key) + " " + path
			if ops[op] {
				return nil, fmt.Errorf("api/openapi.yaml line %d: %s is documented twice", n, op)
			}
			ops[op] = true
		}
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	return ops, nil
}
