-- Fencing token of a delivery's lease (delivery engine): every claim increments it, and every
-- write after a claim names owner and token, so an owner whose lease lapsed and was taken over
-- changes nothing, even while it still runs.
alter table delivery add column lease_token bigint not null default 0;

-- Optional deliveries per second to an endpoint, across every instance (Redis token bucket);
-- null = no rate, only the per-endpoint concurrency bound.
alter table endpoint add column rate_limit double precision;
