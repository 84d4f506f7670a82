-- notification-service checks records produced straight to Kafka against the tenant's sender
-- allowlist. It reads this view and nothing else of this schema (tenant holds names and limits,
-- api_key the key hashes): renaming its columns is a change of contract.
create view tenant_senders as
select id, email_senders, sms_senders
from tenant;

-- Only where the role exists: tests and single-user setups run every service as one user.
-- k8s/postgres/roles.sql creates the roles, and grants this too if it runs after this migration.
do $$
begin
    if exists (select from pg_roles where rolname = 'relay_notification') then
        grant usage on schema gateway to relay_notification;
        grant select on tenant_senders to relay_notification;
    end if;
end
$$;
