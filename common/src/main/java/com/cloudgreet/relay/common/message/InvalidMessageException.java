package com.cloudgreet.relay.common.message;

import java.util.List;
import java.util.stream.Collectors;

/** Input that was well-formed JSON but broke the contract; carries every violation found. */
public class InvalidMessageException extends IllegalArgumentException {

	private final List<Violation> violations;

	public InvalidMessageException(List<Violation> violations) {
		super(violations.stream().map(Violation::toString).collect(Collectors.joining("; ")));
		this.violations = List.copyOf(violations);
	}

	public static InvalidMessageException of(String pointer, String reason) {
		return new InvalidMessageException(List.of(new Violation(pointer, reason)));
	}

	public List<Violation> violations() {
		return this.violations;
	}

	/** The same violations with their pointers nested under {@code prefix} (e.g. {@code /data}). */
	public InvalidMessageException nestedUnder(String prefix) {
		return new InvalidMessageException(
				this.violations.stream().map((v) -> new Violation(prefix + v.pointer(), v.reason())).toList());
	}

}
