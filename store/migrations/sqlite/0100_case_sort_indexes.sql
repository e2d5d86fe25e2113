-- The case list's sorts by deadline and by urgency (store.orderBy) read
-- these indexes in order instead of sorting every matching case: the
-- expressions are exactly those of the ORDER BY, ties broken by id.
CREATE INDEX cases_due_sort ON cases ((CASE WHEN due_at IS NULL THEN 1 ELSE 0 END), due_at, id);
CREATE INDEX cases_urgency_sort ON cases ((CASE urgency WHEN 'critical' THEN 2 WHEN 'urgent' THEN 1 ELSE 0 END), id);
