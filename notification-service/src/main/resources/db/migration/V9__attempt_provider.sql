-- The provider that answered each attempt (issue 21 item 2, provider failover): the name from
-- relay.email.providers / relay.sms.providers, "primary" for spring.mail / relay.sms.twilio; null
-- when no provider was called (every circuit breaker open) and for attempts recorded before this.
-- V9, not V8: scheduled send is being built beside this and may take V8.
alter table attempt add column provider text;
