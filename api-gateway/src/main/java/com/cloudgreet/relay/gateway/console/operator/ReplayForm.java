package com.cloudgreet.relay.gateway.console.operator;

import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

import com.cloudgreet.relay.common.replay.BulkReplay;
import org.springframework.util.MultiValueMap;

/**
 * The bulk replay form as the operator filled it in (kept as text, so a refused form comes back as
 * it was), and the {@link BulkReplay} it asks for. Times are UTC: {@code 2026-12-04T18:00} (what a
 * {@code datetime-local} field sends) or an ISO-8601 instant.
 */
record ReplayForm(String channel, String tenantId, String endpointId, String from, String to) {

	private static final Pattern ID = Pattern.compile("[A-Za-z0-9_]{1,64}");

	private static final Set<String> CHANNELS = Set.of("email", "sms", "webhook");

	private static final DateTimeFormatter MINUTES = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm");

	static ReplayForm of(MultiValueMap<String, String> data) {
		return new ReplayForm(data.getFirst("channel"), data.getFirst("tenantId"), data.getFirst("endpointId"),
				data.getFirst("from"), data.getFirst("to"));
	}

	/** An instant as the form's fields show it. */
	static String text(Instant instant) {
		return MINUTES.format(instant.atOffset(ZoneOffset.UTC));
	}

	BulkReplay request() {
		String channel = blankToNull(this.channel);
		if (channel != null && !CHANNELS.contains(channel)) {
			throw new IllegalArgumentException("channel must be email, sms or webhook");
		}
		return new BulkReplay(channel, id("tenantId", this.tenantId), id("endpointId", this.endpointId),
				instant("from", this.from), instant("to", this.to), List.of());
	}

	private static String id(String field, String value) {
		String id = blankToNull(value);
		if (id != null && !ID.matcher(id).matches()) {
			throw new IllegalArgumentException(field + " is not an id");
		}
		return id;
	}

	private static Instant instant(String field, String value) {
		String text = blankToNull(value);
		if (text == null) {
			throw new IllegalArgumentException(field + " is required");
		}
		try {
			return text.endsWith("Z") || text.contains("+") ? Instant.parse(text)
					: LocalDateTime.parse(text).toInstant(ZoneOffset.UTC);
		}
		catch (DateTimeParseException ex) {
			throw new IllegalArgumentException(field + " must be a UTC time like 2026-12-04T18:00");
		}
	}

	private static String blankToNull(String value) {
		return value == null || value.isBlank() ? null : value.trim();
	}

}
