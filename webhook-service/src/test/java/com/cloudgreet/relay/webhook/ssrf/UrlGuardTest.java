package com.cloudgreet.relay.webhook.ssrf;

import java.time.Duration;
import java.util.List;

import com.cloudgreet.relay.webhook.testing.DnsBlackHole;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import reactor.test.StepVerifier;

import static org.assertj.core.api.Assertions.assertThat;

class UrlGuardTest {

	/** The system's name servers, as in production. */
	private static final DnsHostResolver SYSTEM_DNS = new DnsHostResolver(List.of(), Duration.ofSeconds(3));

	private final UrlGuard strict = new UrlGuard(new AddressPolicy(false), SYSTEM_DNS);

	private final UrlGuard permissive = new UrlGuard(new AddressPolicy(true), SYSTEM_DNS);

	@AfterAll
	static void closeResolver() {
		SYSTEM_DNS.close();
	}

	@ParameterizedTest(name = "{0}: {1}")
	@CsvSource(delimiter = '|', value = { "ftp://example.com/hook | http or https",
			"file:///etc/passwd | http or https", "gopher://127.0.0.1:6379/_INFO | http or https",
			"javascript:alert(1) | http or https", "https://user:pw@example.com/ | credentials",
			"http:///nohost | host", "https://example.com/a#frag | fragment",
			"http://localhost:8080/hook | not a public address", "http://127.0.0.1/hook | not a public address",
			"http://[::1]/hook | not a public address", "http://[::ffff:127.0.0.1]/hook | not a public address",
			"http://0x7f000001/hook | numeric", "http://127.1/hook | must name a host", "http://2130706433/hook | numeric",
			"http://0177.0.0.1/hook | numeric", "http://10.1.2.3/hook | not a public address",
			"http://192.168.0.1/hook | not a public address",
			"http://169.254.169.254/latest/meta-data/ | not a public address",
			"http://[fd00:ec2::254]/ | not a public address", "http://100.64.1.1/ | not a public address",
			"http://0.0.0.0:8080/ | not a public address", "http://[::]/ | not a public address",
			"http://224.0.0.1/ | not a public address", "http://[fe80::1]/ | not a public address",
			"http://[64:ff9b::a9fe:a9fe]/ | not a public address", "http://[2002:7f00:1::]/ | not a public address",
			"http://does-not-exist.invalid/ | does not resolve" })
	void refusesUnsafeUrl(String url, String reason) {
		StepVerifier.create(this.strict.vet(url))
			.expectErrorSatisfies((ex) -> assertThat(ex).isInstanceOf(UnsafeUrlException.class).hasMessageContaining(reason))
			.verify();
	}

	/** A name that resolves inside our network: the refusal must not tell the caller where. */
	@Test
	void refusesANameThatResolvesToAnInternalAddressWithoutNamingTheAddress() {
		StepVerifier.create(this.strict.vet("http://localhost:8080/hook"))
			.expectErrorSatisfies((ex) -> assertThat(ex).isInstanceOf(UnsafeUrlException.class)
				.hasMessageContaining("host localhost is not a public address")
				.message()
				.doesNotContain("127.0.0.1")
				.doesNotContain("loopback"))
			.verify();
	}

	@Test
	void allowsLoopbackOnlyWhenPrivateNetworksAreAllowed() {
		StepVerifier.create(this.permissive.vet("http://localhost:8080/hook"))
			.expectNextMatches((uri) -> uri.getPort() == 8080)
			.verifyComplete();
	}

	@Test
	void refusesMetadataEvenWhenPrivateNetworksAreAllowed() {
		StepVerifier.create(this.permissive.vet("http://169.254.169.254/latest/meta-data/"))
			.expectError(UnsafeUrlException.class)
			.verify();
	}

	@Test
	void refusesANameThatDoesNotResolveInTimeInsteadOfHanging() {
		try (DnsBlackHole blackHole = new DnsBlackHole();
				DnsHostResolver hanging = new DnsHostResolver(List.of(blackHole.address()), Duration.ofMillis(500))) {
			var guard = new UrlGuard(new AddressPolicy(false), hanging);
			long started = System.nanoTime();

			StepVerifier.create(guard.vet("https://hooks.example.com/in"))
				.expectErrorSatisfies((ex) -> assertThat(ex).isInstanceOf(UnsafeUrlException.class)
					.hasMessageContaining("did not resolve in time"))
				.verify(Duration.ofSeconds(5));
			assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(3));
		}
	}

	@ParameterizedTest(name = "{0}")
	@CsvSource({ "2130706433, true", "0x7f000001, true", "0177.0.0.1, true", "127.1, true", "1.2.3.4, false",
			"255.255.255.255, false", "01.2.3.4, true", "1e100.net, false", "example.com, false", "[::1], false" })
	void tellsAmbiguousNumericHosts(String host, boolean ambiguous) {
		assertThat(UrlGuard.isAmbiguousNumericHost(host)).isEqualTo(ambiguous);
	}

}
