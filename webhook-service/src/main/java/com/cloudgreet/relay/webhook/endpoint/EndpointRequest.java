package com.cloudgreet.relay.webhook.endpoint;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.regex.Pattern;

import com.cloudgreet.relay.common.message.Violation;
import com.cloudgreet.relay.common.ratelimit.Limit;

/**
 * The body of create ({@code url} required) and update (every field optional; a missing field is
 * left as is). {@code rateLimit} is the endpoint's deliveries per second (Convoy's endpoint rate);
 * 0 on update removes it. Validation collects every violation so a client fixes them all in one go.
 */
public record EndpointRequest(String url, List<String> eventTypes, String description, Boolean enabled,
		Double rateLimit) {

	/** Slowest endpoint rate: one delivery per 1000 s (the rate limiter's own minimum). */
	static final double MIN_RATE_LIMIT = Limit.MIN_RATE_PER_SECOND;

	/** Fastest endpoint rate: far above what one receiver is promised, far below the limiter's bound. */
	static final double MAX_RATE_LIMIT = 10_000;

	static final int MAX_URL_LENGTH = 2048;

	static final int MAX_DESCRIPTION_LENGTH = 500;

	static final int MAX_EVENT_TYPES = 100;

	/** The same alphabet {@code WebhookEvent} accepts for an event type. */
	private static final Pattern EVENT_TYPE = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.\\-]{0,127}");

	List<Violation> violations(boolean create) {
		List<Violation> violations = new ArrayList<>();
		if (create && (this.url == null || this.url.isBlank())) {
			violations.add(new Violation("/url", "is required"));
		}
		if (this.url != null && this.url.length() > MAX_URL_LENGTH) {
			violations.add(new Violation("/url", "must be at most " + MAX_URL_LENGTH + " characters"));
		}
		if (this.description != null && this.description.length() > MAX_DESCRIPTION_LENGTH) {
			violations.add(new Violation("/description", "must be at most " + MAX_DESCRIPTION_LENGTH + " characters"));
		}
		if (this.rateLimit != null && this.rateLimit != 0
				&& !(this.rateLimit >= MIN_RATE_LIMIT && this.rateLimit <= MAX_RATE_LIMIT)) {
			violations.add(new Violation("/rateLimit", "must be between " + MIN_RATE_LIMIT + " and " + (long) MAX_RATE_LIMIT
					+ " deliveries per second" + (create ? "" : ", or 0 to remove it")));
		}
		if (create && this.rateLimit != null && this.rateLimit == 0) {
			violations.add(new Violation("/rateLimit", "must be between " + MIN_RATE_LIMIT + " and " + (long) MAX_RATE_LIMIT
					+ " deliveries per second; leave it out for none"));
		}
		if (this.eventTypes != null) {
			if (this.eventTypes.size() > MAX_EVENT_TYPES) {
				violations.add(new Violation("/eventTypes", "must list at most " + MAX_EVENT_TYPES + " types"));
			}
			for (int i = 0; i < this.eventTypes.size(); i++) {
				String type = this.eventTypes.get(i);
				if (type == null || !EVENT_TYPE.matcher(type).matches()) {
					violations.add(new Violation("/eventTypes/" + i,
							"must be 1 to 128 letters, digits, '.', '_' or '-', starting with a letter or digit"));
				}
			}
		}
		return violations;
	}

	List<String> normalisedEventTypes() {
		return this.eventTypes == null ? null : List.copyOf(new LinkedHashSet<>(this.eventTypes));
	}

}
