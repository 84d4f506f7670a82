package com.cloudgreet.relay.webhook.ssrf;

import java.net.IDN;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.UnknownHostException;
import java.util.Locale;
import java.util.regex.Pattern;

import reactor.core.publisher.Mono;

/**
 * Vets a webhook URL at registration: http or https only, no credentials, and every address the
 * host resolves to must pass the {@link AddressPolicy} (checking only the first would let a host
 * with one public and one private record through). Delivery re-checks through
 * {@link VettingAddressResolverGroup}, which also pins the connection to the vetted address.
 */
public final class UrlGuard {

	private final AddressPolicy policy;

	private final HostResolver resolver;

	public UrlGuard(AddressPolicy policy, HostResolver resolver) {
		this.policy = policy;
		this.resolver = resolver;
	}

	/** The normalised URI, or an error of {@link UnsafeUrlException}. */
	public Mono<URI> vet(String url) {
		URI uri;
		try {
			uri = parse(url);
		}
		catch (UnsafeUrlException ex) {
			return Mono.error(ex);
		}
		String host = hostOf(uri);
		// Asynchronous and time-limited: a name server that never answers costs the caller a
		// clear refusal after the limit, not a hang and not a blocked thread.
		return this.resolver.resolveAll(host).onErrorMap(UnknownHostException.class, (ex) -> new UnsafeUrlException(
				"host " + host + (ex instanceof HostResolver.ResolutionTimeoutException
						? " did not resolve in time (" + ex.getMessage() + "); try again later" : " does not resolve")))
			.doOnNext((addresses) -> addresses.forEach((address) -> this.policy.check(host, address)))
			.thenReturn(uri);
	}

	public static URI parse(String url) {
		if (url == null || url.isBlank()) {
			throw new UnsafeUrlException("url is required");
		}
		URI uri;
		try {
			uri = new URI(url.trim());
		}
		catch (URISyntaxException ex) {
			throw new UnsafeUrlException("url is not a valid URI: " + ex.getReason());
		}
		String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
		if (!scheme.equals("http") && !scheme.equals("https")) {
			throw new UnsafeUrlException("url must use http or https, not '" + scheme + "'");
		}
		if (uri.getRawUserInfo() != null) {
			throw new UnsafeUrlException("url must not contain credentials");
		}
		if (uri.getHost() == null || uri.getHost().isBlank()) {
			throw new UnsafeUrlException("url must name a host");
		}
		if (uri.getRawFragment() != null) {
			throw new UnsafeUrlException("url must not contain a fragment");
		}
		if (isAmbiguousNumericHost(uri.getHost())) {
			// 2130706433, 0x7f000001, 017700000001: what they reach differs between resolvers (and
			// the JDK's takes them as 127.0.0.1), a classic way around address checks.
			throw new UnsafeUrlException("url host " + uri.getHost()
					+ " is a numeric address in a non-standard form; use dotted decimal or a DNS name");
		}
		return uri;
	}

	static String hostOf(URI uri) {
		String host = uri.getHost();
		if (host.startsWith("[") && host.endsWith("]")) {
			return host.substring(1, host.length() - 1);
		}
		return IDN.toASCII(host);
	}

	/** All labels numeric (decimal or 0x-hex) but not a canonical dotted quad; IPv6 literals are bracketed, never this. */
	static boolean isAmbiguousNumericHost(String host) {
		if (host.startsWith("[")) {
			return false;
		}
		String[] labels = host.split("\\.", -1);
		for (String label : labels) {
			if (!NUMERIC_LABEL.matcher(label).matches()) {
				return false;
			}
		}
		return !DOTTED_QUAD.matcher(host).matches();
	}

	private static final Pattern NUMERIC_LABEL = Pattern.compile("(?i)[0-9]+|0x[0-9a-f]*");

	private static final Pattern DOTTED_QUAD = Pattern
		.compile("((25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])\\.){3}(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])");

}
