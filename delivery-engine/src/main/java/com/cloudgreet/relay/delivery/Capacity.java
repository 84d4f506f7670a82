package com.cloudgreet.relay.delivery;

import java.util.Arrays;
import java.util.Map;

/**
 * The free slots of one engine when it claims: per destination and per tenant with attempts in
 * flight (zero = skip it), and the allowance of any destination or tenant not listed. A queue
 * claims at most that many of each; claiming more would only mean giving rows back, and one
 * destination's backlog could fill every batch.
 */
public record Capacity(Map<String, Integer> destinationFree, int perDestination, Map<String, Integer> tenantFree,
		int perTenant) {

	public Capacity {
		destinationFree = Map.copyOf(destinationFree);
		tenantFree = Map.copyOf(tenantFree);
	}

	/** No destination or tenant busy: each may take its whole allowance. */
	public static Capacity unlimited() {
		return new Capacity(Map.of(), Integer.MAX_VALUE, Map.of(), Integer.MAX_VALUE);
	}

	/** Destinations with some slots free (to cap in the claim). */
	public String[] partialDestinations() {
		return keys(this.destinationFree, true);
	}

	/** Destinations with no slot free (to leave out of the scan). */
	public String[] fullDestinations() {
		return keys(this.destinationFree, false);
	}

	public String[] partialTenants() {
		return keys(this.tenantFree, true);
	}

	public String[] fullTenants() {
		return keys(this.tenantFree, false);
	}

	/** The free slots of {@code keys}, in order. */
	public static Integer[] free(Map<String, Integer> free, String[] keys) {
		return Arrays.stream(keys).map(free::get).toArray(Integer[]::new);
	}

	private static String[] keys(Map<String, Integer> free, boolean withFree) {
		return free.entrySet()
			.stream()
			.filter((e) -> (e.getValue() > 0) == withFree)
			.map(Map.Entry::getKey)
			.toArray(String[]::new);
	}

}
