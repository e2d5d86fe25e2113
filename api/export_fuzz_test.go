package api

import (
	"net/http"

	"github.com/jiedao/jiedao/casework"
)

// ParseFilter is parseFilter for the fuzz target of package api_test,
// which needs package store (and store imports api through intake).
func ParseFilter(r *http.Request) (casework.Filter, error) { return parseFilter(r) }
