package com.cloudgreet.relay.webhook.ssrf;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Arrays;
import java.util.List;

/**
 * Classifies IP addresses for SSRF protection, from one table of ranges ({@link #ranges()}; the
 * webhook-service egress NetworkPolicy in k8s/ excepts every range of it that is not public, which
 * KubernetesManifestsTest checks). IPv6 forms that embed an IPv4 address (IPv4-mapped,
 * IPv4-compatible, IPv4-translated, NAT64 and 6to4) are judged by the IPv4 address they reach, so
 * {@code ::ffff:127.0.0.1} is loopback like {@code 127.0.0.1}.
 */
public final class AddressPolicy {

	/** A block of addresses and their class; the first range of {@link #ranges()} that contains an address decides. */
	public record Range(String cidr, AddressClass kind) {
	}

	/** A range parsed once: classification runs at every connect. */
	private record Block(byte[] network, int bits, AddressClass kind) {

		static Block of(Range range) {
			String[] parts = range.cidr().split("/");
			return new Block(literal(parts[0]), Integer.parseInt(parts[1]), range.kind());
		}

		boolean contains(byte[] address) {
			if (this.network.length != address.length) {
				return false;
			}
			for (int i = 0; i < this.bits; i++) {
				int mask = 0x80 >> (i % 8);
				if ((this.network[i / 8] & mask) != (address[i / 8] & mask)) {
					return false;
				}
			}
			return true;
		}

	}

	private static final List<Range> RANGES = List.of(
			// Cloud metadata: refused even when private networks are allowed
			new Range("169.254.169.254/32", AddressClass.METADATA), // AWS, GCP, Azure, OpenStack
			new Range("100.100.100.200/32", AddressClass.METADATA), // Alibaba Cloud
			new Range("168.63.129.16/32", AddressClass.METADATA), // Azure wire server, in public space
			new Range("fd00:ec2::254/128", AddressClass.METADATA), // AWS over IPv6
			new Range("0.0.0.0/8", AddressClass.UNSPECIFIED), new Range("::/128", AddressClass.UNSPECIFIED),
			new Range("127.0.0.0/8", AddressClass.LOOPBACK), new Range("::1/128", AddressClass.LOOPBACK),
			new Range("10.0.0.0/8", AddressClass.PRIVATE), new Range("172.16.0.0/12", AddressClass.PRIVATE),
			new Range("192.168.0.0/16", AddressClass.PRIVATE), new Range("fc00::/7", AddressClass.PRIVATE),
			new Range("fec0::/10", AddressClass.PRIVATE), // deprecated site-local
			new Range("169.254.0.0/16", AddressClass.LINK_LOCAL), new Range("fe80::/10", AddressClass.LINK_LOCAL),
			new Range("100.64.0.0/10", AddressClass.SHARED),
			new Range("224.0.0.0/4", AddressClass.MULTICAST), new Range("ff00::/8", AddressClass.MULTICAST),
			new Range("240.0.0.0/4", AddressClass.RESERVED), // reserved, and 255.255.255.255 broadcast
			new Range("192.0.0.0/24", AddressClass.RESERVED), // IETF protocol assignments
			new Range("192.0.2.0/24", AddressClass.RESERVED), new Range("198.51.100.0/24", AddressClass.RESERVED),
			new Range("203.0.113.0/24", AddressClass.RESERVED), new Range("2001:db8::/32", AddressClass.RESERVED), // documentation
			new Range("198.18.0.0/15", AddressClass.RESERVED), // benchmarking
			new Range("2001::/32", AddressClass.RESERVED), // Teredo: hides its IPv4 target
			new Range("100::/64", AddressClass.RESERVED), // discard-only
			// NAT64 beyond the two prefixes read below (and those of their addresses that break RFC 6052's
			// layout): nothing we know translates them, so nothing says where they lead.
			new Range("64:ff9b::/32", AddressClass.RESERVED));

	private static final List<Block> BLOCKS = RANGES.stream().map(Block::of).toList();

	/**
	 * Prefixes whose addresses lead wherever the IPv4 address inside them does (NAT64, 6to4). This
	 * policy reads that address; a packet filter cannot, so the egress policy refuses them whole.
	 */
	private static final List<String> TRANSLATING_PREFIXES = List.of("64:ff9b::/96", "64:ff9b:1::/48", "2002::/16");

	private final boolean allowPrivateNetworks;

	public AddressPolicy(boolean allowPrivateNetworks) {
		this.allowPrivateNetworks = allowPrivateNetworks;
	}

	public boolean allowPrivateNetworks() {
		return this.allowPrivateNetworks;
	}

	/** Every classified range, most specific first; an address in none of them is public. */
	public static List<Range> ranges() {
		return RANGES;
	}

	public static List<String> translatingPrefixes() {
		return TRANSLATING_PREFIXES;
	}

	/**
	 * Throws {@link UnsafeUrlException} unless {@code address} may be connected to. The message names
	 * neither the address nor its class: whoever registers a URL must not learn what our resolver
	 * answers for internal names (a map of the network, one probe at a time).
	 */
	public void check(String host, InetAddress address) {
		if (!classify(address).isAllowed(this.allowPrivateNetworks)) {
			throw new UnsafeUrlException(
					"host " + host + " is not a public address; webhooks may only target public internet addresses");
		}
	}

	public static AddressClass classify(InetAddress address) {
		byte[] bytes = address.getAddress();
		byte[] ipv4 = (address instanceof Inet4Address) ? bytes : embeddedIpv4(bytes);
		return lookup(ipv4 != null ? ipv4 : bytes);
	}

	private static AddressClass lookup(byte[] address) {
		for (Block block : BLOCKS) {
			if (block.contains(address)) {
				return block.kind();
			}
		}
		return AddressClass.PUBLIC;
	}

	/** The IPv4 address an IPv6 address stands for, or null if it embeds none. */
	private static byte[] embeddedIpv4(byte[] b) {
		if (allZero(b, 0, 15) && (b[15] == 0 || b[15] == 1)) {
			return null; // :: and ::1 are themselves, not 0.0.0.0 and 0.0.0.1
		}
		// ::ffff:a.b.c.d (mapped), ::a.b.c.d (deprecated compatible), ::ffff:0:a.b.c.d (translated, RFC 2765)
		if ((allZero(b, 0, 10) && ((b[10] == (byte) 0xff && b[11] == (byte) 0xff) || (b[10] == 0 && b[11] == 0)))
				|| (allZero(b, 0, 8) && b[8] == (byte) 0xff && b[9] == (byte) 0xff && b[10] == 0 && b[11] == 0)) {
			return Arrays.copyOfRange(b, 12, 16);
		}
		if (b[0] == 0 && b[1] == 0x64 && b[2] == (byte) 0xff && b[3] == (byte) 0x9b) {
			// NAT64 well-known prefix 64:ff9b::/96: the IPv4 address is the last 32 bits
			if (allZero(b, 4, 12)) {
				return Arrays.copyOfRange(b, 12, 16);
			}
			// Local-use 64:ff9b:1::/48 (RFC 8215): RFC 6052 puts it in bits 48-63 and 72-87, around
			// the u-octet (bits 64-71), which must be zero, as must the suffix
			if (b[4] == 0 && b[5] == 1 && b[8] == 0 && allZero(b, 11, 16)) {
				return new byte[] { b[6], b[7], b[9], b[10] };
			}
			return null; // the 64:ff9b::/32 range refuses it
		}
		// 6to4 2002:AABB:CCDD::/48 tunnels to IPv4 AA.BB.CC.DD
		if (b[0] == 0x20 && b[1] == 0x02) {
			return Arrays.copyOfRange(b, 2, 6);
		}
		return null;
	}

	private static boolean allZero(byte[] b, int from, int to) {
		for (int i = from; i < to; i++) {
			if (b[i] != 0) {
				return false;
			}
		}
		return true;
	}

	private static byte[] literal(String address) {
		try {
			return InetAddress.getByName(address).getAddress();
		}
		catch (UnknownHostException ex) {
			throw new IllegalArgumentException(address, ex);
		}
	}

}
