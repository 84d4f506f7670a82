package com.cloudgreet.relay.webhook.ssrf;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.List;

import reactor.core.publisher.Mono;

/**
 * Which addresses a host name resolves to, without blocking the caller and within a time limit.
 * Fails with {@link UnknownHostException}, or {@link ResolutionTimeoutException} when no answer
 * came in time. Every address is returned: the caller vets all of them.
 */
public interface HostResolver {

	Mono<List<InetAddress>> resolveAll(String host);

	/** No DNS answer within the limit: the name may be fine, but we will not wait for it. */
	final class ResolutionTimeoutException extends UnknownHostException {

		public ResolutionTimeoutException(String host, java.time.Duration limit) {
			super("no DNS answer for " + host + " within " + limit.toMillis() + " ms");
		}

	}

}
