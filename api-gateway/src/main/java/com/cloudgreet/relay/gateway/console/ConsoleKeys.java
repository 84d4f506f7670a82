package com.cloudgreet.relay.gateway.console;

/**
 * The console's Redis keys, in one place. Links are stored under the SHA-256 of their token, so
 * the token itself exists only in the URL handed to the tenant's backend.
 */
final class ConsoleKeys {

	private static final String PREFIX = "relay:console:";

	private ConsoleKeys() {
	}

	static String link(String tokenHash) {
		return PREFIX + "link:" + tokenHash;
	}

	static String session(String sessionHash) {
		return PREFIX + "session:" + sessionHash;
	}

	static String epoch(String tenantId) {
		return PREFIX + "epoch:{" + tenantId + "}";
	}

}
