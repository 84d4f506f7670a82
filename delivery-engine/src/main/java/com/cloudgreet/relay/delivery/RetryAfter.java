package com.cloudgreet.relay.delivery;

import java.time.Clock;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;

/** Parses an HTTP {@code Retry-After} value (RFC 9110): delta-seconds or an HTTP-date. */
public final class RetryAfter {

	private RetryAfter() {
	}

	/** The wait it asks for (never negative), or {@code null} if absent or unreadable. */
	public static Duration parse(String value) {
		return parse(value, Clock.systemUTC());
	}

	static Duration parse(String value, Clock clock) {
		if (value == null || value.isBlank()) {
			return null;
		}
		try {
			return Duration.ofSeconds(Math.max(0, Long.parseLong(value.trim())));
		}
		catch (NumberFormatException notSeconds) {
			try {
				ZonedDateTime at = ZonedDateTime.parse(value.trim(), DateTimeFormatter.RFC_1123_DATE_TIME);
				Duration wait = Duration.between(ZonedDateTime.now(clock), at);
				return wait.isNegative() ? Duration.ZERO : wait;
			}
			catch (DateTimeParseException notDate) {
				return null;
			}
		}
	}

}
