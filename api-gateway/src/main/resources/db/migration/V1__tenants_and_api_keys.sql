-- Tenants and their API keys. Only a SHA-256 hash of a key is stored: keys are 256-bit random
-- values, so a fast unsalted hash is enough (no dictionary to attack) and allows lookup by hash.
create table tenant (
    id                  text primary key,
    name                text not null,
    -- null: the gateway's default limit applies (relay.gateway.rate-limit.default.*)
    requests_per_second double precision check (requests_per_second > 0),
    burst               bigint check (burst >= 1),
    created_at          timestamptz not null default now(),
    check ((requests_per_second is null) = (burst is null))
);

create table api_key (
    id         text primary key,
    tenant_id  text not null references tenant (id) on delete cascade,
    key_hash   text not null unique,
    -- last characters of the key, so an operator can tell keys apart without seeing them
    hint       text not null,
    created_at timestamptz not null default now(),
    revoked_at timestamptz
);

create index api_key_tenant on api_key (tenant_id);
