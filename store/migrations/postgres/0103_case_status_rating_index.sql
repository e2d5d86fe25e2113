-- The closed cases rated unsatisfied (the board's 不满意待复核) by both
-- equalities, instead of every closed case.
CREATE INDEX cases_status_rating ON cases (status, rating);
