-- The deadline job checks the statutory clocks of the open kind cases
-- (casework/clockjob.go, store.Cases.OpenKindCases): this index holds those
-- cases only, so that the job reads them without scanning the closed ones.
-- Its predicate is written out the same in the query.
CREATE INDEX cases_kind_open ON cases(id) WHERE kind <> '' AND status NOT IN ('rejected', 'closed', 'voided', 'merged');
