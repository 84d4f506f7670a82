-- wrk script: POST /v1/messages/sms with the API key from the environment (BENCH_API_KEY).
wrk.method = "POST"
wrk.body = '{"to":"+14155550123","body":"Your code is 123456"}'
wrk.headers["Content-Type"] = "application/json"
local key = os.getenv("BENCH_API_KEY")
if key then
  wrk.headers["Authorization"] = "Bearer " .. key
end

done = function(summary, latency, requests)
  io.write(string.format("p50_ms=%.2f p90_ms=%.2f p99_ms=%.2f rps=%.0f errors=%d non2xx=%d\n",
    latency:percentile(50) / 1000, latency:percentile(90) / 1000, latency:percentile(99) / 1000,
    summary.requests / (summary.duration / 1e6),
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout,
    summary.errors.status))
end
