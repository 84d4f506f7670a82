package com.cloudgreet.relay.gateway;

import java.net.InetSocketAddress;
import java.util.List;

import com.cloudgreet.relay.gateway.config.GatewayProperties;
import com.cloudgreet.relay.gateway.web.ClientIpResolver;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.springframework.mock.http.server.reactive.MockServerHttpRequest;

import static org.assertj.core.api.Assertions.assertThat;

class ClientIpResolverTest {

	private final ClientIpResolver resolver = new ClientIpResolver(properties(List.of("10.0.0.0/8", "192.168.1.1")));

	@ParameterizedTest(name = "peer {0}, X-Forwarded-For \"{1}\" -> {2}")
	@CsvSource(delimiter = '|', nullValues = "none", value = {
			// untrusted peers: the header is the client's own words and is ignored
			"203.0.113.9 | 1.2.3.4                 | 203.0.113.9",
			"203.0.113.9 | none                    | 203.0.113.9",
			// a trusted proxy: the rightmost untrusted hop is the client, spoofed hops left of it are ignored
			"10.1.2.3    | 1.2.3.4                 | 1.2.3.4",
			"10.1.2.3    | 6.6.6.6, 1.2.3.4        | 1.2.3.4",
			"10.1.2.3    | 6.6.6.6, 1.2.3.4, 10.9.9.9 | 1.2.3.4",
			"192.168.1.1 | 1.2.3.4, 192.168.1.1    | 1.2.3.4",
			// only the exact configured address is trusted
			"192.168.1.2 | 1.2.3.4                 | 192.168.1.2",
			// garbage or host names in the chain: stop at the last verifiable hop, never resolve DNS
			"10.1.2.3    | evil.example.com        | 10.1.2.3",
			"10.1.2.3    | 1.2.3.4, not-an-ip      | 10.1.2.3",
			// every hop trusted: the leftmost one is the best we know
			"10.1.2.3    | 10.4.4.4                | 10.4.4.4",
			// IPv6 clients share a bucket per /64
			"10.1.2.3    | 2001:db8:1:2:3:4:5:6    | 2001:db8:1:2::/64",
			"10.1.2.3    | [2001:db8:1:2::99]      | 2001:db8:1:2::/64" })
	void resolvesTheClientAddress(String peer, String forwardedFor, String expected) {
		MockServerHttpRequest.BaseBuilder<?> request = MockServerHttpRequest.get("/v1/x")
			.remoteAddress(new InetSocketAddress(peer, 40000));
		if (forwardedFor != null) {
			request.header("X-Forwarded-For", forwardedFor);
		}
		assertThat(this.resolver.resolve(request.build())).isEqualTo(expected);
	}

	static GatewayProperties properties(List<String> trustedProxies) {
		return new GatewayProperties(null, "t",
				new GatewayProperties.Gateway(null, null, null, null, null, null, null, null, trustedProxies, null, null));
	}

}
