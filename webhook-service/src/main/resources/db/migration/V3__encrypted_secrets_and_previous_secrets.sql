-- Signing secrets are encrypted at rest from now on (AES-GCM, key from relay.webhooks.secret-keys):
-- endpoint.secret holds 'v1:<key id>:<base64 nonce||ciphertext||tag>'. SQL has no key, so rows
-- written before this migration keep their plaintext 'whsec_...' here; they keep working, and the
-- service encrypts them at start-up (StoredSecrets), as it re-encrypts rows under a retired key.
comment on column endpoint.secret is 'v1:<key id>:<base64 nonce||ciphertext||tag> (AES-256-GCM, associated data binds it to the endpoint id)';

-- Every earlier secret a receiver may still verify with, each until its own expiry: two rotations
-- within one grace period keep both older secrets signing. Expired rows are purged by a job.
create table endpoint_previous_secret (
    id          bigserial primary key,
    endpoint_id text        not null references endpoint (id) on delete cascade,
    -- encrypted like endpoint.secret, under the same endpoint id
    secret      text        not null,
    expires_at  timestamptz not null
);
create index endpoint_previous_secret_endpoint_idx on endpoint_previous_secret (endpoint_id, expires_at);
create index endpoint_previous_secret_expiry_idx on endpoint_previous_secret (expires_at);

insert into endpoint_previous_secret (endpoint_id, secret, expires_at)
select id, previous_secret, previous_secret_expires_at from endpoint
where previous_secret is not null and previous_secret_expires_at > now();

alter table endpoint drop column previous_secret;
alter table endpoint drop column previous_secret_expires_at;
