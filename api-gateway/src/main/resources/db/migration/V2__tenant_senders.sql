-- A tenant's sender allowlist (AllowedSenders in common): email domains or addresses allowed as
-- from/replyTo, SMS numbers or sender ids allowed as from. Empty: no custom sender at all, only the
-- service's default sender. notification-service reads these columns too (same database) to check
-- records produced straight to Kafka, so renaming them is a change of contract.
alter table tenant
    add column email_senders text[] not null default '{}',
    add column sms_senders   text[] not null default '{}';
