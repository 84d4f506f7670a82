package com.cloudgreet.relay.gateway.web;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

import com.cloudgreet.relay.gateway.config.GatewayProperties;
import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.stereotype.Component;

/**
 * Decides which client IP a request is counted against. {@code X-Forwarded-For} is believed only
 * when the connection comes from a configured proxy, and then only as far back as the chain is
 * made of configured proxies: the rightmost address not in {@code trusted-proxies} is the client.
 * Anything a client writes into the header itself sits left of that and is ignored, so a client
 * cannot pick its own rate-limit bucket.
 *
 * <p>IPv6 clients are counted per /64, the block one subscriber usually holds, so rotating through
 * addresses of one block does not multiply the budget.
 */
@Component
public class ClientIpResolver {

	private static final String FORWARDED_FOR = "X-Forwarded-For";

	/** Literal addresses only: {@link InetAddress#getByName} would otherwise do DNS lookups for names. */
	private static final Pattern IP_LITERAL = Pattern.compile("[0-9]{1,3}(\\.[0-9]{1,3}){3}|[0-9A-Fa-f:.]*:[0-9A-Fa-f:.]*");

	private final List<Cidr> trusted;

	public ClientIpResolver(GatewayProperties properties) {
		this.trusted = properties.gateway().trustedProxies().stream().map(Cidr::parse).toList();
	}

	public String resolve(ServerHttpRequest request) {
		InetSocketAddress remote = request.getRemoteAddress();
		InetAddress peer = remote == null ? null : remote.getAddress();
		if (peer == null) {
			return "unknown";
		}
		InetAddress client = peer;
		if (isTrusted(peer)) {
			List<String> hops = new ArrayList<>();
			for (String header : request.getHeaders().getOrEmpty(FORWARDED_FOR)) {
				for (String hop : header.split(",")) {
					hops.add(hop.trim());
				}
			}
			for (int i = hops.size() - 1; i >= 0; i--) {
				InetAddress hop = parse(hops.get(i));
				if (hop == null) {
					// Garbage in the chain: stop at the last hop we could verify.
					break;
				}
				client = hop;
				if (!isTrusted(hop)) {
					break;
				}
			}
		}
		return bucket(client);
	}

	private boolean isTrusted(InetAddress address) {
		for (Cidr cidr : this.trusted) {
			if (cidr.contains(address)) {
				return true;
			}
		}
		return false;
	}

	static InetAddress parse(String text) {
		if (text.startsWith("[") && text.endsWith("]")) {
			text = text.substring(1, text.length() - 1);
		}
		if (!IP_LITERAL.matcher(text).matches()) {
			return null;
		}
		try {
			return InetAddress.getByName(text);
		}
		catch (UnknownHostException ex) {
			return null;
		}
	}

	private static String bucket(InetAddress address) {
		byte[] bytes = address.getAddress();
		if (bytes.length == 16) {
			StringBuilder prefix = new StringBuilder();
			for (int i = 0; i < 8; i += 2) {
				prefix.append(String.format("%x", ((bytes[i] & 0xff) << 8) | (bytes[i + 1] & 0xff))).append(':');
			}
			return prefix + ":/64";
		}
		return address.getHostAddress();
	}

	/** An address range in CIDR notation; a bare address is a range of one. */
	record Cidr(byte[] network, int prefixLength) {

		static Cidr parse(String text) {
			String[] parts = text.trim().split("/", 2);
			InetAddress address = ClientIpResolver.parse(parts[0]);
			if (address == null) {
				throw new IllegalArgumentException("not an IP address or CIDR range: " + text);
			}
			byte[] bytes = address.getAddress();
			int prefix = parts.length == 2 ? Integer.parseInt(parts[1]) : bytes.length * 8;
			if (prefix < 0 || prefix > bytes.length * 8) {
				throw new IllegalArgumentException("bad prefix length in " + text);
			}
			return new Cidr(bytes, prefix);
		}

		boolean contains(InetAddress address) {
			byte[] bytes = address.getAddress();
			if (bytes.length != this.network.length) {
				return false;
			}
			int full = this.prefixLength / 8;
			for (int i = 0; i < full; i++) {
				if (bytes[i] != this.network[i]) {
					return false;
				}
			}
			int rest = this.prefixLength % 8;
			if (rest == 0) {
				return true;
			}
			int mask = (0xff << (8 - rest)) & 0xff;
			return (bytes[full] & mask) == (this.network[full] & mask);
		}

	}

}
