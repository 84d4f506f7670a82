package com.cloudgreet.relay.delivery;

import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The attempts one engine may have in flight, bounded three ways: per destination (one slow
 * receiver or provider account holds at most its share), per tenant (one tenant's slow
 * destinations cannot take every slot from the others) and in total. A slot is taken from all
 * three or from none. Thread-safe.
 */
public final class DeliverySlots {

	private final int perDestination;

	private final int perTenant;

	private final int total;

	/** In flight per key; a key leaves the map at zero, atomically (compute), so counts never get lost. */
	private final ConcurrentHashMap<String, Integer> byDestination = new ConcurrentHashMap<>();

	private final ConcurrentHashMap<String, Integer> byTenant = new ConcurrentHashMap<>();

	private final AtomicInteger inFlight = new AtomicInteger();

	public DeliverySlots(int perDestination, int perTenant, int total) {
		this.perDestination = perDestination;
		this.perTenant = perTenant;
		this.total = total;
	}

	public boolean tryAcquire(String tenantId, String destination) {
		if (this.inFlight.incrementAndGet() > this.total) {
			this.inFlight.decrementAndGet();
			return false;
		}
		if (!take(this.byTenant, tenantId, this.perTenant)) {
			this.inFlight.decrementAndGet();
			return false;
		}
		if (!take(this.byDestination, destination, this.perDestination)) {
			give(this.byTenant, tenantId);
			this.inFlight.decrementAndGet();
			return false;
		}
		return true;
	}

	public void release(String tenantId, String destination) {
		give(this.byDestination, destination);
		give(this.byTenant, tenantId);
		this.inFlight.decrementAndGet();
	}

	public int inFlight() {
		return this.inFlight.get();
	}

	public int free() {
		return Math.max(0, this.total - this.inFlight.get());
	}

	/** What is free now, for a claim that should take only what fits. */
	public Capacity capacity() {
		return new Capacity(freeOf(this.byDestination, this.perDestination), this.perDestination,
				freeOf(this.byTenant, this.perTenant), this.perTenant);
	}

	private static Map<String, Integer> freeOf(Map<String, Integer> counts, int limit) {
		Map<String, Integer> free = new HashMap<>();
		counts.forEach((key, count) -> free.put(key, Math.max(0, limit - count)));
		return free;
	}

	private static boolean take(ConcurrentHashMap<String, Integer> counts, String key, int limit) {
		boolean[] taken = { false };
		counts.compute(key, (k, count) -> {
			int current = (count != null) ? count : 0;
			if (current >= limit) {
				return count;
			}
			taken[0] = true;
			return current + 1;
		});
		return taken[0];
	}

	private static void give(ConcurrentHashMap<String, Integer> counts, String key) {
		counts.computeIfPresent(key, (k, count) -> (count <= 1) ? null : count - 1);
	}

}
