-- Retention (issue 9, operations): settled messages are deleted, oldest first, in small batches
-- some time after they settled (relay.retention.settled-after); this index finds them.
create index message_settled on message (updated_at) where status in ('delivered', 'failed', 'dead_lettered');

-- A delivered message's body (the stored CloudEvent) is cleared when it settles; failed and
-- dead-lettered ones keep theirs for a retry or replay until retention deletes them.
comment on column message.event is 'the CloudEvent as accepted; empty once delivered (nothing sends it again)';
