-- The version of the data the tiers of buildings are computed from
-- (tax, tenancies, rooms, buildings, enterprises' tags): every write of
-- them adds one, so that a computed year can be kept until the data
-- changes, whichever process changed it (docs/enterprise.md).
CREATE TABLE enterprise_version (
    id      INTEGER PRIMARY KEY CHECK (id = 1),
    version BIGINT NOT NULL
);
INSERT INTO enterprise_version (id, version) VALUES (1, 0);
