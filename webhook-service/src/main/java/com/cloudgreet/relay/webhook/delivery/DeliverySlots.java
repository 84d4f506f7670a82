package com.cloudgreet.relay.webhook.delivery;

import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The attempts this instance may have in flight, bounded three ways: per endpoint (one slow
 * receiver holds at most its share), per tenant (one tenant's slow endpoints cannot take every
 * slot from the others) and in total. A slot is taken from all three or from none.
 */
final class DeliverySlots {

	private final int perEndpoint;

	private final int perTenant;

	private final int total;

	/** In flight per key; a key leaves the map at zero, atomically (compute), so counts never get lost. */
	private final ConcurrentHashMap<String, Integer> byEndpoint = new ConcurrentHashMap<>();

	private final ConcurrentHashMap<String, Integer> byTenant = new ConcurrentHashMap<>();

	private final AtomicInteger inFlight = new AtomicInteger();

	DeliverySlots(int perEndpoint, int perTenant, int total) {
		this.perEndpoint = perEndpoint;
		this.perTenant = perTenant;
		this.total = total;
	}

	boolean tryAcquire(String tenantId, String endpointId) {
		if (this.inFlight.incrementAndGet() > this.total) {
			this.inFlight.decrementAndGet();
			return false;
		}
		if (!take(this.byTenant, tenantId, this.perTenant)) {
			this.inFlight.decrementAndGet();
			return false;
		}
		if (!take(this.byEndpoint, endpointId, this.perEndpoint)) {
			give(this.byTenant, tenantId);
			this.inFlight.decrementAndGet();
			return false;
		}
		return true;
	}

	void release(String tenantId, String endpointId) {
		give(this.byEndpoint, endpointId);
		give(this.byTenant, tenantId);
		this.inFlight.decrementAndGet();
	}

	int inFlight() {
		return this.inFlight.get();
	}

	int free() {
		return Math.max(0, this.total - this.inFlight.get());
	}

	AtomicInteger inFlightCounter() {
		return this.inFlight;
	}

	int perEndpoint() {
		return this.perEndpoint;
	}

	int perTenant() {
		return this.perTenant;
	}

	/** Free slots of each endpoint with attempts in flight; any other endpoint has {@link #perEndpoint()}. */
	Map<String, Integer> freeByEndpoint() {
		return freeOf(this.byEndpoint, this.perEndpoint);
	}

	/** Free slots of each tenant with attempts in flight; any other tenant has {@link #perTenant()}. */
	Map<String, Integer> freeByTenant() {
		return freeOf(this.byTenant, this.perTenant);
	}

	private static Map<String, Integer> freeOf(Map<String, Integer> counts, int limit) {
		Map<String, Integer> free = new HashMap<>();
		counts.forEach((key, count) -> free.put(key, Math.max(0, limit - count)));
		return free;
	}

	private static boolean take(ConcurrentHashMap<String, Integer> counts, String key, int limit) {
		boolean[] taken = { false };
		counts.compute(key, (k, count) -> {
			int current = count == null ? 0 : count;
			if (current >= limit) {
				return count;
			}
			taken[0] = true;
			return current + 1;
		});
		return taken[0];
	}

	private static void give(ConcurrentHashMap<String, Integer> counts, String key) {
		counts.computeIfPresent(key, (k, count) -> count <= 1 ? null : count - 1);
	}

}
