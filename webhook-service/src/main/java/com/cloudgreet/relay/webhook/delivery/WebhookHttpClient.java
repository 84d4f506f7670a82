package com.cloudgreet.relay.webhook.delivery;

import java.time.Duration;

import com.cloudgreet.relay.webhook.ssrf.AddressPolicy;
import com.cloudgreet.relay.webhook.ssrf.HostResolver;
import com.cloudgreet.relay.webhook.ssrf.VettingAddressResolverGroup;
import io.netty.channel.ChannelOption;
import org.springframework.http.client.reactive.ReactorClientHttpConnector;
import org.springframework.web.reactive.function.client.WebClient;
import reactor.netty.http.client.HttpClient;
import reactor.netty.resources.ConnectionProvider;

/** The HTTP client deliveries go through, with every safety setting in one place. */
public final class WebhookHttpClient {

	private WebhookHttpClient() {
	}

	public static WebClient create(WebClient.Builder builder, ConnectionProvider connections, AddressPolicy policy,
			HostResolver resolver, Duration connectTimeout, Duration timeout) {
		HttpClient http = HttpClient.create(connections)
			.option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) connectTimeout.toMillis())
			.responseTimeout(timeout)
			// A redirect could lead anywhere, including past the SSRF check: 3xx is a failed attempt.
			.followRedirect(false)
			// Resolution and SSRF vetting in one step; the connection uses exactly the vetted address.
			.resolver(new VettingAddressResolverGroup(policy, resolver));
		return builder.clientConnector(new ReactorClientHttpConnector(http)).build();
	}

}
