package com.cloudgreet.relay.webhook.testing;

import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketException;

/** A "name server" on loopback that takes every query and never answers: DNS that hangs. */
public final class DnsBlackHole implements AutoCloseable {

	private final DatagramSocket socket;

	public DnsBlackHole() {
		try {
			this.socket = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
		}
		catch (SocketException ex) {
			throw new IllegalStateException(ex);
		}
	}

	public InetSocketAddress address() {
		return (InetSocketAddress) this.socket.getLocalSocketAddress();
	}

	/** As {@code relay.webhooks.dns.servers} takes it. */
	public String hostAndPort() {
		return "127.0.0.1:" + this.socket.getLocalPort();
	}

	@Override
	public void close() {
		this.socket.close();
	}

}
