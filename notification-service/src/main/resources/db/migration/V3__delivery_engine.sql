-- The delivery engine schedules retries here instead of in Kafka retry topics (issue 9). A message
-- row is the durable work item: due_at says when its next attempt is due (null once settled), and
-- a claim is a lease with an owner and a fencing token.
alter table message add column due_at timestamptz;
-- Who holds the lease (an engine instance); null when nobody does.
alter table message add column lease_owner text;
-- Fencing token: incremented by every claim. Every write after a claim names the token it claimed
-- under and changes nothing if another claim has happened since (the old owner's lease lapsed and
-- someone took over), so a stale owner can never overwrite the new owner's result.
alter table message add column lease_token bigint not null default 0;
-- Retry stages spent since the message was accepted or last re-queued (the schedule's position).
alter table message add column retries_used integer not null default 0;
-- Attempts logged so far: the next attempt's number, without a max() over the attempt table.
alter table message add column attempt_count integer not null default 0;
-- The W3C trace context of the record it came from, so attempts continue the producer's trace.
alter table message add column traceparent text;

update message m set attempt_count = a.n
from (select message_id, max(number) as n from attempt group by message_id) a
where a.message_id = m.id;

-- Messages still under way under the retry-topic scheme become due now (or at their provider's
-- Retry-After): their retry-topic records are no longer consumed, the engine resumes them instead.
-- A 'sending' row keeps its lease_until, so a consumer of the old version still sending it keeps
-- it until then.
update message set due_at = coalesce(not_before, now()) where status in ('queued', 'sending');

-- not_before and generation served the retry topics and their dead-letter handler; nothing reads
-- them any more. They stay for one release so an old instance still running during a rollout works.
comment on column message.not_before is 'unused since V3 (retry topics removed); dropped in a later release';
comment on column message.generation is 'unused since V3 (retry topics removed); dropped in a later release';

-- The engine's claim: due, unsettled messages of one channel, oldest due first.
create index message_due on message (channel, due_at) where status in ('queued', 'sending');
