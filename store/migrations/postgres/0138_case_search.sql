-- The case list's text search (q=) from an index, not a LIKE over every
-- case's title, details and address (see the SQLite migration of the same
-- name): per case, the distinct character bigrams of its number, title,
-- details and address as lexemes (tokens of [0-9a-z], built by
-- store/search.go, no positions), found by a GIN index with a tsquery AND
-- of a query's bigrams. The candidates are checked with the LIKE.
CREATE TABLE case_search (
    case_id BIGINT PRIMARY KEY,
    tokens  TSVECTOR NOT NULL
);
CREATE INDEX case_search_tokens ON case_search USING GIN (tokens);
