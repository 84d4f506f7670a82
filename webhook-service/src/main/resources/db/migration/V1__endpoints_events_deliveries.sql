-- Webhook endpoints of a tenant. The signing secret is stored as the receiver must use it
-- (whsec_<base64>): HMAC needs the key itself, so it cannot be hashed like an API key.
create table endpoint (
    id                         text primary key,
    tenant_id                  text        not null,
    url                        text        not null,
    description                text,
    -- empty = every event type
    event_types                text[]      not null default '{}',
    enabled                    boolean     not null default true,
    disabled_reason            text,
    disabled_at                timestamptz,
    secret                     text        not null,
    -- during a rotation's grace period both secrets sign
    previous_secret            text,
    previous_secret_expires_at timestamptz,
    -- failure streak for the auto-disable rule, reset by any success
    consecutive_failures       integer     not null default 0,
    failing_since              timestamptz,
    created_at                 timestamptz not null,
    updated_at                 timestamptz not null
);
create index endpoint_tenant_idx on endpoint (tenant_id, id);

-- An accepted webhook event. Event ids are unique per tenant; the body is rendered once so the
-- bytes (and so the signature input) are identical across retries and replays.
create table event (
    tenant_id   text        not null,
    id          text        not null,
    event_type  text        not null,
    body        bytea       not null,
    cloud_event bytea       not null,
    created_at  timestamptz not null,
    primary key (tenant_id, id)
);

-- One event to one endpoint. The row is the durable work item: it is written before the Kafka
-- offset commits, and the dispatcher picks up every pending row whose lease has lapsed.
create table delivery (
    id              text primary key,
    tenant_id       text        not null,
    event_id        text        not null,
    endpoint_id     text        not null references endpoint (id) on delete cascade,
    -- pending | delivered | failed | dead_lettered
    status          text        not null,
    attempt_count   integer     not null default 0,
    -- retry stages consumed since the last (re)play; the schedule restarts on replay
    retries_used    integer     not null default 0,
    next_attempt_at timestamptz not null,
    lease_owner     text,
    lease_until     timestamptz,
    created_at      timestamptz not null,
    updated_at      timestamptz not null,
    unique (tenant_id, event_id, endpoint_id),
    foreign key (tenant_id, event_id) references event (tenant_id, id) on delete cascade
);
create index delivery_due_idx on delivery (next_attempt_at) where status = 'pending';
create index delivery_endpoint_idx on delivery (endpoint_id, created_at);

create table attempt (
    id               bigserial primary key,
    delivery_id      text        not null references delivery (id) on delete cascade,
    tenant_id        text        not null,
    event_id         text        not null,
    endpoint_id      text        not null,
    number           integer     not null,
    at               timestamptz not null,
    -- delivered | retryable_failure | permanent_failure
    outcome          text        not null,
    status_code      integer,
    latency_ms       bigint      not null,
    response_excerpt text,
    error            text
);
create index attempt_delivery_idx on attempt (delivery_id, number);
create index attempt_endpoint_idx on attempt (endpoint_id, at desc);
