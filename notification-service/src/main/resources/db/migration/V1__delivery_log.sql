-- One row per email or SMS message: its state machine and the original CloudEvent, kept verbatim
-- so a failed or dead-lettered message can be re-published exactly as it was accepted.
create table message (
    id                  text        primary key,
    tenant_id           text        not null,
    channel             text        not null check (channel in ('email', 'sms')),
    status              text        not null check (status in ('queued', 'sending', 'delivered', 'failed', 'dead_lettered')),
    event               text        not null,
    provider_message_id text,
    last_error          text,
    -- While status = 'sending', the claim expires at this instant; a consumer that died mid-send
    -- leaves a lease that another consumer may take over once it has passed.
    lease_until         timestamptz,
    -- A provider's Retry-After: no attempt before this instant.
    not_before          timestamptz,
    created_at          timestamptz not null default now(),
    updated_at          timestamptz not null default now()
);

create index message_tenant_created on message (tenant_id, created_at desc);

-- One row per provider call, numbered from 1 per message.
create table attempt (
    message_id    text        not null references message (id) on delete cascade,
    number        integer     not null,
    at            timestamptz not null,
    outcome       text        not null check (outcome in ('delivered', 'retryable_failure', 'permanent_failure')),
    provider_code text,
    detail        text,
    latency_ms    bigint      not null,
    primary key (message_id, number)
);
