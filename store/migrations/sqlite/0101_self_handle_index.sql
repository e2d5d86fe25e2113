-- The cases a grid worker handled on the spot (the dashboard's 自行处置,
-- casework.Filter.SelfHandled) are read from this index of their events
-- instead of probing the events of every case of the period.
CREATE INDEX case_events_self_handle ON case_events (case_id) WHERE action = 'self_handle';
