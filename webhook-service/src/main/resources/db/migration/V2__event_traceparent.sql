-- The W3C trace context of the record an event came from, so every delivery attempt (run later
-- from this table by any instance) continues the producer's trace.
alter table event add column traceparent text;
