package com.cloudgreet.relay.webhook.ssrf;

/** A webhook URL that must not be called: wrong scheme, or a host that resolves to a forbidden address. */
public class UnsafeUrlException extends RuntimeException {

	public UnsafeUrlException(String message) {
		super(message);
	}

}
