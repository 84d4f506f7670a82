-- The outbox of dead letters: the fenced write that fails or dead-letters a delivery records, in
-- the same statement, that its DLT record is owed (dlt_reason, the reason it carries) and since
-- when (dlt_at); publishing it clears both. A record still owed after the grace (its publisher died
-- between the write and Kafka) is published by a sweep, which pushes dlt_at on while it holds it.
alter table delivery add column dlt_reason text, add column dlt_at timestamptz;

-- The sweep's query; owed records are few and short-lived, so the index stays tiny.
create index delivery_dlt_owed on delivery (dlt_at) where dlt_reason is not null;
