-- Bumped by every manual retry. Records carry it in the relay-generation header, so a dead-letter
-- record of an earlier try cannot mark a message that has been re-queued since.
alter table message add column generation integer not null default 0;
