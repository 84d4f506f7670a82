-- Releases an idempotency key only if it still holds this request's in-flight marker, so a
-- request whose marker already expired cannot delete the record of a later request.
-- KEYS[1] the idempotency key; ARGV[1] the marker this request set.
if redis.call("GET", KEYS[1]) == ARGV[1] then
  return redis.call("DEL", KEYS[1])
end
return 0
