-- Scheduled send and cancel (issue 21, item 1). The deliveries of an event with a sendAt still
-- ahead are stored 'scheduled', due (next_attempt_at) at sendAt; the engine's claim takes them once
-- due like any due work, through the same partial index on the due time, and marks them 'pending'
-- as it claims them, so scheduled rows cost nothing until then. A cancel moves deliveries nobody
-- has claimed yet to 'canceled', a final state.
-- delivery.status: scheduled | pending | delivered | failed | dead_lettered | canceled
drop index delivery_due_idx;
create index delivery_due_idx on delivery (next_attempt_at) where status in ('pending', 'scheduled');
