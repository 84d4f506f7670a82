package com.cloudgreet.relay.common.message;

/**
 * One reason why input was rejected: the JSON pointer of the offending field and what is wrong.
 */
public record Violation(String pointer, String reason) {

	@Override
	public String toString() {
		return this.pointer.isEmpty() ? this.reason : this.pointer + ": " + this.reason;
	}

}
