-- A channel's cases of a period (the enterprise service's figures, the
-- case list filtered by channel) by range, instead of every case with
-- the same status.
CREATE INDEX cases_channel ON cases (channel, reported_at);
