-- Bulk replay (POST /internal/v1/admin/replays): failed and dead-lettered deliveries by creation time.
create index delivery_replayable_idx on delivery (created_at) where status in ('failed', 'dead_lettered');
