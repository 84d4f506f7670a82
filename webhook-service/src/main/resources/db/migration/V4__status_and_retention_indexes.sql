-- Every query behind the status and attempt-log API has an index (issue 9, operations).
-- GET /internal/v1/messages/{evt_id}: the event's attempts in the order they were made, one page
-- at a time (keyset on (at, id)).
create index attempt_event_idx on attempt (tenant_id, event_id, at, id);
