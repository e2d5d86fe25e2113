package api

import (
	"net/http"

	"github.com/jiedao/jiedao/casework"
)

// ParseListFilter is parseListFilter for the fuzz target of package
// api_test, which needs package store (and store imports api through
// intake).
func ParseListFilter(r *http.Request) (casework.Filter, error) { return parseListFilter(r) }
