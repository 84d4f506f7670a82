package com.cloudgreet.relay.webhook.ssrf;

import java.net.IDN;
import java.net.InetAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.UnknownHostException;
import java.util.Locale;

import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;

/**
 * Vets a webhook URL at registration: http or https only, no credentials, and every address the
 * host resolves to must pass the {@link AddressPolicy} (checking only the first would let a host
 * with one public and one private record through). Delivery re-checks through
 * {@link VettingAddressResolverGroup}, which also pins the connection to the vetted address.
 */
public final class UrlGuard {

	private final AddressPolicy policy;

	private final Scheduler dnsScheduler;

	public UrlGuard(AddressPolicy policy, Scheduler dnsScheduler) {
		this.policy = policy;
		this.dnsScheduler = dnsScheduler;
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
		// The JDK resolver blocks: run it on the bounded DNS scheduler, never on an event loop.
		return Mono.fromCallable(() -> resolveAndCheck(host)).subscribeOn(this.dnsScheduler).thenReturn(uri);
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
		return uri;
	}

	static String hostOf(URI uri) {
		String host = uri.getHost();
		if (host.startsWith("[") && host.endsWith("]")) {
			return host.substring(1, host.length() - 1);
		}
		return IDN.toASCII(host);
	}

	private InetAddress[] resolveAndCheck(String host) {
		InetAddress[] addresses;
		try {
			addresses = InetAddress.getAllByName(host);
		}
		catch (UnknownHostException ex) {
			throw new UnsafeUrlException("host " + host + " does not resolve");
		}
		for (InetAddress address : addresses) {
			this.policy.check(host, address);
		}
		return addresses;
	}

}
