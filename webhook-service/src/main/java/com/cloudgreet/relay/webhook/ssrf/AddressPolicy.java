package com.cloudgreet.relay.webhook.ssrf;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.util.Arrays;

/**
 * Classifies IP addresses for SSRF protection. IPv6 forms that embed an IPv4 address
 * (IPv4-mapped, IPv4-compatible, NAT64 64:ff9b::/96, 6to4 2002::/16) are judged by the IPv4
 * address they reach, so {@code ::ffff:127.0.0.1} is loopback like {@code 127.0.0.1}.
 */
public final class AddressPolicy {

	private final boolean allowPrivateNetworks;

	public AddressPolicy(boolean allowPrivateNetworks) {
		this.allowPrivateNetworks = allowPrivateNetworks;
	}

	public boolean allowPrivateNetworks() {
		return this.allowPrivateNetworks;
	}

	/** Throws {@link UnsafeUrlException} unless {@code address} may be connected to. */
	public void check(String host, InetAddress address) {
		AddressClass kind = classify(address);
		if (!kind.isAllowed(this.allowPrivateNetworks)) {
			throw new UnsafeUrlException("host " + host + " resolves to " + address.getHostAddress() + ", a "
					+ kind.describe() + " address; webhooks may only target public internet addresses");
		}
	}

	public static AddressClass classify(InetAddress address) {
		byte[] bytes = address.getAddress();
		if (address instanceof Inet4Address) {
			return classifyIpv4(bytes);
		}
		if (address instanceof Inet6Address) {
			return classifyIpv6(bytes);
		}
		return AddressClass.RESERVED;
	}

	private static AddressClass classifyIpv4(byte[] b) {
		int a0 = b[0] & 0xff;
		int a1 = b[1] & 0xff;
		int a2 = b[2] & 0xff;
		int a3 = b[3] & 0xff;
		if (a0 == 169 && a1 == 254 && a2 == 169 && a3 == 254) {
			return AddressClass.METADATA; // AWS, GCP, Azure, OpenStack
		}
		if (a0 == 100 && a1 == 100 && a2 == 100 && a3 == 200) {
			return AddressClass.METADATA; // Alibaba Cloud
		}
		if (a0 == 0) {
			return AddressClass.UNSPECIFIED;
		}
		if (a0 == 127) {
			return AddressClass.LOOPBACK;
		}
		if (a0 == 10 || (a0 == 172 && (a1 & 0xf0) == 16) || (a0 == 192 && a1 == 168)) {
			return AddressClass.PRIVATE;
		}
		if (a0 == 169 && a1 == 254) {
			return AddressClass.LINK_LOCAL;
		}
		if (a0 == 100 && (a1 & 0xc0) == 64) {
			return AddressClass.SHARED;
		}
		if (a0 >= 224 && a0 <= 239) {
			return AddressClass.MULTICAST;
		}
		if (a0 >= 240 // reserved and 255.255.255.255 broadcast
				|| (a0 == 192 && a1 == 0 && a2 == 0) // IETF protocol assignments
				|| (a0 == 192 && a1 == 0 && a2 == 2) || (a0 == 198 && a1 == 51 && a2 == 100)
				|| (a0 == 203 && a1 == 0 && a2 == 113) // documentation
				|| (a0 == 198 && (a1 & 0xfe) == 18)) { // benchmarking
			return AddressClass.RESERVED;
		}
		return AddressClass.PUBLIC;
	}

	private static AddressClass classifyIpv6(byte[] b) {
		if (isMetadataV6(b)) {
			return AddressClass.METADATA;
		}
		if (allZero(b, 0, 16)) {
			return AddressClass.UNSPECIFIED;
		}
		if (allZero(b, 0, 15) && b[15] == 1) {
			return AddressClass.LOOPBACK;
		}
		// ::ffff:a.b.c.d (mapped) and ::a.b.c.d (deprecated compatible)
		if (allZero(b, 0, 10) && ((b[10] == (byte) 0xff && b[11] == (byte) 0xff) || (b[10] == 0 && b[11] == 0))) {
			return classifyIpv4(Arrays.copyOfRange(b, 12, 16));
		}
		// NAT64 well-known prefix 64:ff9b::/96 and local-use 64:ff9b:1::/48 translate to IPv4
		if (b[0] == 0 && b[1] == 0x64 && b[2] == (byte) 0xff && b[3] == (byte) 0x9b) {
			return classifyIpv4(Arrays.copyOfRange(b, 12, 16));
		}
		// 6to4 2002:AABB:CCDD::/48 tunnels to IPv4 AA.BB.CC.DD
		if (b[0] == 0x20 && b[1] == 0x02) {
			return classifyIpv4(Arrays.copyOfRange(b, 2, 6));
		}
		int first = b[0] & 0xff;
		if (first == 0xff) {
			return AddressClass.MULTICAST;
		}
		if (first == 0xfe && (b[1] & 0xc0) == 0x80) {
			return AddressClass.LINK_LOCAL;
		}
		if ((first & 0xfe) == 0xfc || (first == 0xfe && (b[1] & 0xc0) == 0xc0)) {
			return AddressClass.PRIVATE;
		}
		if ((b[0] == 0x20 && b[1] == 0x01 && b[2] == 0x0d && b[3] == (byte) 0xb8) // documentation
				|| (b[0] == 0x20 && b[1] == 0x01 && b[2] == 0 && b[3] == 0) // Teredo: hides its IPv4 target
				|| (b[0] == 0x01 && allZero(b, 1, 8))) { // discard-only 100::/64
			return AddressClass.RESERVED;
		}
		return AddressClass.PUBLIC;
	}

	/** AWS's IPv6 instance metadata endpoint, fd00:ec2::254. */
	private static final byte[] AWS_METADATA_V6 = { (byte) 0xfd, 0, 0x0e, (byte) 0xc2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x02,
			0x54 };

	private static boolean isMetadataV6(byte[] b) {
		return Arrays.equals(b, AWS_METADATA_V6);
	}

	private static boolean allZero(byte[] b, int from, int to) {
		for (int i = from; i < to; i++) {
			if (b[i] != 0) {
				return false;
			}
		}
		return true;
	}

}
