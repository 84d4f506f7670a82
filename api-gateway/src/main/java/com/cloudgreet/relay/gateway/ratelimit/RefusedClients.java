package com.cloudgreet.relay.gateway.ratelimit;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import org.springframework.stereotype.Component;

/**
 * Client IPs this instance just refused for exceeding their limit, until their Retry-After.
 * Authentication consults it before falling back to the database for a key that is not cached:
 * a client hammering with random keys is answered 429 without costing a PostgreSQL query each,
 * while keys that are cached (real tenants behind the same address) keep working.
 */
@Component
public class RefusedClients {

	/** Bounds memory under a distributed flood; forgetting an entry only costs one lookup. */
	private static final int MAX_ENTRIES = 100_000;

	private final Map<String, Long> refusedUntil = new ConcurrentHashMap<>();

	void refused(String ip, Duration retryAfter) {
		if (this.refusedUntil.size() >= MAX_ENTRIES) {
			this.refusedUntil.clear();
		}
		this.refusedUntil.put(ip, System.nanoTime() + retryAfter.toNanos());
	}

	public boolean isRefused(String ip) {
		Long until = this.refusedUntil.get(ip);
		if (until == null) {
			return false;
		}
		if (System.nanoTime() - until >= 0) {
			this.refusedUntil.remove(ip, until);
			return false;
		}
		return true;
	}

}
