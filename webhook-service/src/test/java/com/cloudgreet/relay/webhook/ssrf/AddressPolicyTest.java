package com.cloudgreet.relay.webhook.ssrf;

import java.net.InetAddress;

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

	@ParameterizedTest(name = "{0} refused by default")
	@CsvSource({ "127.0.0.1", "10.0.0.1", "169.254.169.254", "100.64.0.1", "::1", "::ffff:127.0.0.1", "fd00:ec2::254",
			"0.0.0.0", "224.0.0.1" })
	void refusesNonPublicAddressesByDefault(String literal) throws Exception {
		var policy = new AddressPolicy(false);
		assertThatThrownBy(() -> policy.check("example.test", InetAddress.getByName(literal)))
			.isInstanceOf(UnsafeUrlException.class)
			.hasMessageContaining(InetAddress.getByName(literal).getHostAddress())
			.hasMessageContaining("public internet");
	}

	@ParameterizedTest(name = "{0} allowed with private networks: {1}")
	@CsvSource({ "127.0.0.1, true", "10.0.0.1, true", "192.168.0.10, true", "100.64.0.1, true", "fe80::1, true",
			"::1, true", "169.254.169.254, false", "fd00:ec2::254, false", "0.0.0.0, false", "224.0.0.1, false",
			"255.255.255.255, false" })
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
