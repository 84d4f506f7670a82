package com.cloudgreet.relay.testsupport;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;

/** Loopback ports for tests. */
public final class Ports {

	private Ports() {
	}

	/**
	 * A port nothing listens on right now: for a dependency that must be unreachable (a dead
	 * Kafka, Redis or PostgreSQL), or for a process a test starts itself.
	 */
	public static int unused() {
		try (ServerSocket socket = new ServerSocket(0)) {
			return socket.getLocalPort();
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

}
