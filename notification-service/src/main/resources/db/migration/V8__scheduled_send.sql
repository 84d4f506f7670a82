-- Scheduled send and cancel (issue 21, item 1). A message with a sendAt still ahead is stored
-- 'scheduled' with due_at = sendAt; the engine's claim takes it once due like any due work, through
-- the same partial index on the due time, so scheduled rows cost nothing until then. A cancel moves
-- a message nobody has claimed yet to 'canceled', a final state.
alter table message drop constraint message_status_check;
alter table message add constraint message_status_check
    check (status in ('scheduled', 'queued', 'sending', 'delivered', 'failed', 'dead_lettered', 'canceled'));

drop index message_due;
create index message_due on message (channel, due_at) where status in ('scheduled', 'queued', 'sending');

-- Canceled messages have settled: retention deletes them like the others.
drop index message_settled;
create index message_settled on message (updated_at)
    where status in ('delivered', 'failed', 'dead_lettered', 'canceled');
