-- Every query behind the status and attempt-log API has an index (issue 9, operations).
-- GET /internal/v1/messages/{evt_id}: the event's attempts in the order they were made, one page
-- at a time (keyset on (at, id)).
create index attempt_event_idx on attempt (tenant_id, event_id, at, id);

-- Retention (relay.retention.*): settled events are deleted, in small batches, some time after
-- they were created and settled; this index finds the candidates oldest first.
create index event_created_idx on event (created_at);
