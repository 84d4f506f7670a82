package com.cloudgreet.relay.webhook.ssrf;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import reactor.core.scheduler.Schedulers;
import reactor.test.StepVerifier;

class UrlGuardTest {

	private final UrlGuard strict = new UrlGuard(new AddressPolicy(false), Schedulers.boundedElastic());

	private final UrlGuard permissive = new UrlGuard(new AddressPolicy(true), Schedulers.boundedElastic());

	@ParameterizedTest(name = "{0}: {1}")
	@CsvSource(delimiter = '|', value = { "ftp://example.com/hook | http or https",
			"file:///etc/passwd | http or https", "gopher://127.0.0.1:6379/_INFO | http or https",
			"javascript:alert(1) | http or https", "https://user:pw@example.com/ | credentials",
			"http:///nohost | host", "https://example.com/a#frag | fragment",
			"http://localhost:8080/hook | loopback", "http://127.0.0.1/hook | loopback",
			"http://[::1]/hook | loopback", "http://[::ffff:127.0.0.1]/hook | loopback",
			"http://0x7f000001/hook | does not resolve", "http://127.1/hook | must name a host", "http://2130706433/hook | loopback",
			"http://10.1.2.3/hook | private", "http://192.168.0.1/hook | private",
			"http://169.254.169.254/latest/meta-data/ | metadata", "http://[fd00:ec2::254]/ | metadata",
			"http://100.64.1.1/ | shared", "http://0.0.0.0:8080/ | unspecified", "http://[::]/ | unspecified",
			"http://224.0.0.1/ | multicast", "http://[fe80::1]/ | link-local",
			"http://[64:ff9b::a9fe:a9fe]/ | metadata", "http://[2002:7f00:1::]/ | loopback",
			"http://does-not-exist.invalid/ | does not resolve" })
	void refusesUnsafeUrl(String url, String reason) {
		StepVerifier.create(this.strict.vet(url))
			.expectErrorSatisfies((ex) -> org.assertj.core.api.Assertions.assertThat(ex)
				.isInstanceOf(UnsafeUrlException.class)
				.hasMessageContaining(reason))
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

}
