package com.cloudgreet.relay.delivery;

/**
 * An {@link Outcome} and the provider that gave it ({@code null} when the channel names none, or
 * when no provider was called: every one unavailable).
 */
public record ProviderOutcome(String provider, Outcome outcome) {

	public ProviderOutcome {
		if (outcome == null) {
			throw new IllegalArgumentException("a provider outcome needs the outcome");
		}
	}

	public static ProviderOutcome unnamed(Outcome outcome) {
		return new ProviderOutcome(null, outcome);
	}

}
