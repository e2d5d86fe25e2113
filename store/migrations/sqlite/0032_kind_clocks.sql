-- The deadline job checks the statutory clocks of the open kind cases
-- (casework/clockjob.go, store.Cases.OpenKindCases): this index holds those
-- cases only, so that the job reads them without scanning the closed ones.
-- Its predicate is written out the same in the query.
CREATE INDEX cases_kind_open ON cases(id) WHERE kind <> '' AND status NOT IN ('rejected', 'closed', 'voided', 'merged');

-- The mark the deadline job last raised on a running clock of the case
-- ('warning', 'overdue', '' for none: casework.KindState.Mark), so that the
-- board's 预警 and 超期 sections list a kind case late on a statutory clock.
ALTER TABLE cases ADD COLUMN clock_mark TEXT NOT NULL DEFAULT '';
CREATE INDEX cases_clock_mark ON cases(clock_mark) WHERE clock_mark <> '';
