package store

import (
	"slices"
	"testing"
)

// TestLibpq checks how a DSN as jiedao takes it (pgx's) is handed to
// pg_dump and pg_restore: the password in the environment, never on the
// command line; search_path as a server option and the schema to dump;
// pgx's own parameters dropped, since libpq refuses what it does not know.
func TestLibpq(t *testing.T) {
	c, err := libpq("postgres://jiedao:s%40cret@db.example:5433/gudang?sslmode=require&search_path=jd&pool_max_conns=20&application_name=jiedao")
	if err != nil {
		t.Fatal(err)
	}
	if want := "postgres://jiedao@db.example:5433/gudang?application_name=jiedao&options=-c%20search_path%3Djd&sslmode=require"; c.uri != want {
		t.Errorf("uri %s, want %s", c.uri, want)
	}
	if !slices.Contains(c.env, "PGPASSWORD=s@cret") || c.schema != "jd" {
		t.Errorf("password in env: %v, schema %q", slices.Contains(c.env, "PGPASSWORD=s@cret"), c.schema)
	}
	c, err = libpq("postgresql://jiedao@127.0.0.1/jiedao?password=pw")
	if err != nil {
		t.Fatal(err)
	}
	if c.uri != "postgresql://jiedao@127.0.0.1/jiedao" || !slices.Contains(c.env, "PGPASSWORD=pw") || c.schema != "" {
		t.Errorf("uri %s, schema %q", c.uri, c.schema)
	}
}
