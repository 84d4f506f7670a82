-- Bulk replay (POST /internal/v1/admin/replays): failed and dead-lettered messages by creation time.
create index message_replayable on message (created_at) where status in ('failed', 'dead_lettered');
