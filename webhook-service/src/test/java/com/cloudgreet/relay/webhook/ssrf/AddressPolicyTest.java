package com.cloudgreet.relay.webhook.ssrf;

import java.net.InetAddress;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class AddressPolicyTest {

	@ParameterizedTest(name = "{0} is {1}")
	@CsvSource({
			// IPv4
			"8.8.8.8, PUBLIC", "1.1.1.1, PUBLIC", "93.184.215.14, PUBLIC",
			"127.0.0.1, LOOPBACK", "127.255.255.254, LOOPBACK",
			"10.0.0.1, PRIVATE", "172.16.0.1, PRIVATE", "172.31.255.255, PRIVATE", "192.168.1.1, PRIVATE",
			"172.15.255.255, PUBLIC", "172.32.0.1, PUBLIC",
			"169.254.1.1, LINK_LOCAL", "169.254.169.254, METADATA", "100.100.100.200, METADATA",
			"100.64.0.1, SHARED", "100.127.255.255, SHARED", "100.128.0.1, PUBLIC",
			"0.0.0.0, UNSPECIFIED", "0.1.2.3, UNSPECIFIED",
			"224.0.0.1, MULTICAST", "239.255.255.255, MULTICAST",
			"255.255.255.255, RESERVED", "240.0.0.1, RESERVED", "192.0.2.10, RESERVED", "198.18.0.1, RESERVED",
			// IPv6
			"2606:4700:4700::1111, PUBLIC", "::1, LOOPBACK", "::, UNSPECIFIED",
			"fe80::1, LINK_LOCAL", "fc00::1, PRIVATE", "fd12:3456::1, PRIVATE", "fec0::1, PRIVATE",
			"ff02::1, MULTICAST", "fd00:ec2::254, METADATA", "2001:db8::1, RESERVED", "2001:0:4136:e378::1, RESERVED",
			// IPv6 forms that embed an IPv4 address are judged by it
			"::ffff:127.0.0.1, LOOPBACK", "::ffff:10.1.2.3, PRIVATE", "::ffff:169.254.169.254, METADATA",
			"::ffff:8.8.8.8, PUBLIC", "::127.0.0.1, LOOPBACK", "::10.0.0.1, PRIVATE",
			"64:ff9b::7f00:1, LOOPBACK", "64:ff9b::a9fe:a9fe, METADATA", "64:ff9b::808:808, PUBLIC",
			"2002:7f00:1::, LOOPBACK", "2002:c0a8:101::1, PRIVATE", "2002:a9fe:a9fe::, METADATA",
			"2002:808:808::1, PUBLIC" })
	void classifiesAddress(String literal, AddressClass expected) throws Exception {
		assertThat(AddressPolicy.classify(InetAddress.getByName(literal))).isEqualTo(expected);
	}

	/**
	 * Embeddings the first table missed: RFC 8215's local-use NAT64 prefix is a /48, so RFC 6052
	 * puts the IPv4 address in bits 48-63 and 72-87 (around the zero u-octet), not in the last 32
	 * bits; RFC 2765's IPv4-translated form; Azure's wire server, which answers metadata requests
	 * at an address of the public range.
	 */
	@ParameterizedTest(name = "{0} is {1}")
	@CsvSource({
			// 64:ff9b:1::/48 with a.b.c.d at bytes 6, 7, 9 and 10
			"64:ff9b:1:7f00:0:100::, LOOPBACK", "64:ff9b:1:a9fe:a9:fe00::, METADATA", "64:ff9b:1:a00:1:200::, PRIVATE",
			"64:ff9b:1:808:8:800::, PUBLIC",
			// a public address in the last 32 bits must not hide the embedded one, nor a non-zero u-octet
			"64:ff9b:1:a9fe:a9:fe00:808:808, RESERVED", "64:ff9b:1:808:108:800::, RESERVED",
			// the rest of 64:ff9b::/32 translates nothing we know of
			"64:ff9b:0:0:1::808:808, RESERVED",
			// ::ffff:0:a.b.c.d
			"::ffff:0:7f00:1, LOOPBACK", "::ffff:0:a9fe:a9fe, METADATA", "::ffff:0:c0a8:101, PRIVATE",
			"::ffff:0:808:808, PUBLIC",
			"168.63.129.16, METADATA", "168.63.129.17, PUBLIC", "64:ff9b::a83f:8110, METADATA" })
	void classifiesEmbeddedAndCloudAddresses(String literal, AddressClass expected) throws Exception {
		assertThat(AddressPolicy.classify(InetAddress.getByName(literal))).isEqualTo(expected);
	}

	@ParameterizedTest(name = "{0} refused by default")
	@CsvSource({ "127.0.0.1", "10.0.0.1", "169.254.169.254", "100.64.0.1", "::1", "::ffff:127.0.0.1", "fd00:ec2::254",
			"0.0.0.0", "224.0.0.1" })
	void refusesNonPublicAddressesByDefault(String literal) throws Exception {
		var policy = new AddressPolicy(false);
		assertThatThrownBy(() -> policy.check("example.test", InetAddress.getByName(literal)))
			.isInstanceOf(UnsafeUrlException.class)
			.hasMessageContaining("not a public address");
	}

	/** The caller learns only that the name is refused, not what it resolves to inside our network. */
	@Test
	void refusalDoesNotNameTheResolvedAddressOrItsKind() throws Exception {
		var policy = new AddressPolicy(false);
		assertThatThrownBy(() -> policy.check("hooks.internal.example", InetAddress.getByName("10.20.30.40")))
			.isInstanceOf(UnsafeUrlException.class)
			.hasMessage("host hooks.internal.example is not a public address; webhooks may only target public internet addresses");
	}

	@ParameterizedTest(name = "{0} allowed with private networks: {1}")
	@CsvSource({ "127.0.0.1, true", "10.0.0.1, true", "192.168.0.10, true", "100.64.0.1, true", "fe80::1, true",
			"::1, true", "169.254.169.254, false", "fd00:ec2::254, false", "0.0.0.0, false", "224.0.0.1, false",
			"255.255.255.255, false", "168.63.129.16, false" })
	void allowsPrivateNetworksButNeverMetadataWhenConfigured(String literal, boolean allowed) throws Exception {
		var policy = new AddressPolicy(true);
		InetAddress address = InetAddress.getByName(literal);
		if (allowed) {
			assertThatCode(() -> policy.check("h", address)).doesNotThrowAnyException();
		}
		else {
			assertThatThrownBy(() -> policy.check("h", address)).isInstanceOf(UnsafeUrlException.class);
		}
	}

}
