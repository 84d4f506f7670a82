-- Relay's PostgreSQL roles: one login role per service, each owning its own schema and nothing
-- else, so a service reads and writes only its own tables. The one exception is
-- gateway.tenant_senders, a read-only view of the sender allowlists for notification-service
-- (granted by the gateway's migration V3, and below if the view is older than the roles).
--
-- Run it as the database's administrator (a superuser, or a managed service's admin role with
-- CREATEROLE) in Relay's database before the services first start, and again whenever you like: it
-- is idempotent, sets the three passwords anew, and hands the schemas and tables of an installation
-- from before these roles (everything owned by one user) over to their service.
--   RELAY_GATEWAY_DB_PASSWORD=... RELAY_NOTIFICATION_DB_PASSWORD=... RELAY_WEBHOOK_DB_PASSWORD=... \
--     psql -h HOST -U ADMIN -d relay -f k8s/postgres/roles.sql
-- Passwords come from the environment, not the command line, so they never show in a process
-- list (\getenv needs psql 15 or later). ./dev/up, the k8s dev overlay's PostgreSQL (as an init
-- script) and docker-compose run this file; the prod overlay's operator runs it by hand.
\set ON_ERROR_STOP on
\getenv gateway_password RELAY_GATEWAY_DB_PASSWORD
\getenv notification_password RELAY_NOTIFICATION_DB_PASSWORD
\getenv webhook_password RELAY_WEBHOOK_DB_PASSWORD
\if :{?gateway_password}
\else
  do $$ begin raise exception 'roles.sql: set RELAY_GATEWAY_DB_PASSWORD'; end $$;
\endif
\if :{?notification_password}
\else
  do $$ begin raise exception 'roles.sql: set RELAY_NOTIFICATION_DB_PASSWORD'; end $$;
\endif
\if :{?webhook_password}
\else
  do $$ begin raise exception 'roles.sql: set RELAY_WEBHOOK_DB_PASSWORD'; end $$;
\endif

select format('create role %I', name)
from (values ('relay_gateway'), ('relay_notification'), ('relay_webhook')) as roles (name)
where not exists (select from pg_roles where rolname = name)
\gexec

-- No other attribute: a service creates no roles, no databases, and bypasses no row security.
select format('alter role %I with login nosuperuser nocreatedb nocreaterole noinherit password %L', name, password)
from (values ('relay_gateway', :'gateway_password'), ('relay_notification', :'notification_password'),
             ('relay_webhook', :'webhook_password')) as roles (name, password)
\gexec

do $$
declare
    service record;
    object record;
begin
    for service in select * from (values ('gateway', 'relay_gateway'), ('notification', 'relay_notification'),
                                         ('webhook', 'relay_webhook')) as services (schema, role) loop
        -- A managed service's admin is no superuser: it must be a member of a role to give it objects.
        if not (select rolsuper from pg_roles where rolname = current_user) then
            execute format('grant %I to %I', service.role, current_user);
        end if;
        -- The schema exists before the service's Flyway runs, which then never needs to create one
        -- (the roles cannot: they have no CREATE on the database).
        execute format('create schema if not exists %I authorization %I', service.schema, service.role);
        execute format('alter schema %I owner to %I', service.schema, service.role);
        execute format('revoke all on schema %I from public', service.schema);
        -- Tables, views and free-standing sequences someone else created (a sequence of a serial or
        -- identity column follows its table).
        for object in
            select c.relname, case c.relkind when 'v' then 'view' when 'm' then 'materialized view'
                                             when 'S' then 'sequence' else 'table' end as kind
            from pg_class c
            join pg_namespace n on n.oid = c.relnamespace
            where n.nspname = service.schema
              and c.relkind in ('r', 'p', 'v', 'm', 'S')
              and c.relowner <> service.role::regrole
              and not exists (select from pg_depend d
                              where d.classid = 'pg_class'::regclass and d.objid = c.oid and d.deptype in ('a', 'i'))
        loop
            execute format('alter %s %I.%I owner to %I', object.kind, service.schema, object.relname, service.role);
        end loop;
    end loop;
end
$$;

-- Before PostgreSQL 15 everyone could create tables in public; nothing of Relay lives there.
revoke create on schema public from public;

-- notification-service checks a consumed request's sender against the gateway's allowlist.
grant usage on schema gateway to relay_notification;
do $$
begin
    if to_regclass('gateway.tenant_senders') is not null then
        grant select on gateway.tenant_senders to relay_notification;
    end if;
end
$$;
