package com.cloudgreet.relay.common.message;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Collects violations while a record's compact constructor checks its fields, then throws them
 * all at once, so a client fixes every problem in one round trip.
 */
final class Violations {

	/** Control characters other than tab, CR and LF; never legitimate in any field. */
	private static final java.util.regex.Pattern CONTROL = java.util.regex.Pattern.compile("[\\x00-\\x08\\x0B\\x0C\\x0E-\\x1F\\x7F]");

	private final List<Violation> found = new ArrayList<>();

	void add(String pointer, String reason) {
		this.found.add(new Violation(pointer, reason));
	}

	boolean required(String pointer, Object value) {
		if (value == null || (value instanceof String text && text.isBlank())) {
			add(pointer, "is required");
			return false;
		}
		return true;
	}

	void maxLength(String pointer, String value, int max) {
		if (value != null && value.length() > max) {
			add(pointer, "must be at most " + max + " characters, was " + value.length());
		}
	}

	/** Header-bound text: a CR or LF here would let a client inject mail or HTTP headers. */
	void singleLine(String pointer, String value) {
		if (value != null && (value.indexOf('\r') >= 0 || value.indexOf('\n') >= 0)) {
			add(pointer, "must not contain line breaks");
		}
		noControlCharacters(pointer, value);
	}

	void noControlCharacters(String pointer, String value) {
		if (value != null && CONTROL.matcher(value).find()) {
			add(pointer, "must not contain control characters");
		}
	}

	void metadata(String pointer, Map<String, String> metadata) {
		if (metadata == null) {
			return;
		}
		if (metadata.size() > Limits.METADATA_ENTRIES) {
			add(pointer, "must have at most " + Limits.METADATA_ENTRIES + " entries");
		}
		metadata.forEach((key, value) -> {
			if (key.isEmpty() || key.length() > Limits.METADATA_KEY_LENGTH) {
				add(pointer, "keys must be 1 to " + Limits.METADATA_KEY_LENGTH + " characters");
			}
			if (value == null) {
				add(pointer + "/" + key, "must be a string");
			}
			else {
				maxLength(pointer + "/" + key, value, Limits.METADATA_VALUE_LENGTH);
				noControlCharacters(pointer + "/" + key, value);
			}
		});
	}

	boolean isEmpty() {
		return this.found.isEmpty();
	}

	void throwIfAny() {
		if (!this.found.isEmpty()) {
			throw new InvalidMessageException(this.found);
		}
	}

}
