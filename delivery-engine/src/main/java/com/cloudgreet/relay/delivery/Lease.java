package com.cloudgreet.relay.delivery;

import java.util.Collection;

/**
 * The right to work on one delivery: who holds it and the fencing token of this claim. Every
 * claim of a delivery increments its token, so a write that names an older token (an owner whose
 * lease lapsed and was taken over) matches no row and is refused, even if the old owner is still
 * running. A lapsed lease that nobody took over keeps its token, so its owner's late write (after
 * a database blip) still lands: that is what keeps a blip from causing a second send.
 */
public record Lease(String deliveryId, String owner, long token) {

	/**
	 * Leases as the three parallel arrays a batched, fenced statement unnests ({@code ids},
	 * {@code owners}, {@code tokens}), in the order given.
	 */
	public record Columns(String[] ids, String[] owners, Long[] tokens) {

		public static Columns of(Collection<Lease> leases) {
			return new Columns(leases.stream().map(Lease::deliveryId).toArray(String[]::new),
					leases.stream().map(Lease::owner).toArray(String[]::new),
					leases.stream().map(Lease::token).toArray(Long[]::new));
		}

	}

}
