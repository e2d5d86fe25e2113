-- A category whose reports are about a private home (入户: a leaking pipe
-- in a flat, a neighbour's noise, an elderly resident's request): the
-- public Open311 list never shows such a report's text or exact address
-- (issue 18).
ALTER TABLE categories ADD COLUMN private_home INTEGER NOT NULL DEFAULT 0;
