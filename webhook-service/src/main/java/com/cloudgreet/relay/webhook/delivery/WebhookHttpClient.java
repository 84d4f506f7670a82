package com.cloudgreet.relay.webhook.delivery;

import java.time.Duration;

import com.cloudgreet.relay.webhook.ssrf.AddressPolicy;
import com.cloudgreet.relay.webhook.ssrf.HostResolver;
import com.cloudgreet.relay.webhook.ssrf.VettingAddressResolverGroup;
import io.netty.channel.ChannelOption;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import reactor.netty.http.client.HttpClient;
import reactor.netty.resources.ConnectionProvider;

/**
 * The HTTP client deliveries go through, with every safety setting in one place. Reactor Netty's
 * {@link HttpClient} itself, not Spring's WebClient over it: a delivery needs one POST of bytes
 * it already has and a status, a header and a bounded excerpt back, and WebClient's request
 * building, codecs and response wrapping cost more CPU per delivery than the POST itself.
 */
public final class WebhookHttpClient {

	/** The {@code User-Agent} of every delivery. */
	public static final String USER_AGENT = "CloudGreet-Relay-Webhooks/1.0";

	private WebhookHttpClient() {
	}

	public static HttpClient create(ConnectionProvider connections, AddressPolicy policy, HostResolver resolver,
			Duration connectTimeout, Duration timeout) {
		return HttpClient.create(connections)
			.option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) connectTimeout.toMillis())
			.responseTimeout(timeout)
			// A redirect could lead anywhere, including past the SSRF check: 3xx is a failed attempt.
			.followRedirect(false)
			// Resolution and SSRF vetting in one step; the connection uses exactly the vetted address.
			.resolver(new VettingAddressResolverGroup(policy, resolver))
			// The same on every delivery, so set once here rather than per request.
			.headers((headers) -> headers.set(HttpHeaderNames.USER_AGENT, USER_AGENT)
				.set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.APPLICATION_JSON));
	}

}
