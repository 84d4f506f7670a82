package com.cloudgreet.relay.webhook.ssrf;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.List;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioDatagramChannel;
import io.netty.resolver.dns.DnsNameResolver;
import io.netty.resolver.dns.DnsNameResolverBuilder;
import io.netty.resolver.dns.DnsServerAddressStreamProvider;
import io.netty.resolver.dns.DnsServerAddressStreamProviders;
import io.netty.resolver.dns.SequentialDnsServerAddressStreamProvider;
import io.netty.util.concurrent.Future;
import reactor.core.publisher.Mono;

/**
 * Netty's asynchronous DNS resolver (UDP, answers cached by their TTL, /etc/hosts first) on one
 * event loop of its own: no lookup ever holds a thread, so neither a request's event loop nor a
 * pool can be exhausted by slow name servers. Each resolution has an overall time limit on top
 * of Netty's per-query one, since search domains and retries multiply the queries.
 */
public final class DnsHostResolver implements HostResolver, AutoCloseable {

	private final EventLoopGroup loop = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());

	private final DnsNameResolver resolver;

	private final Duration timeout;

	/** {@code servers} empty = the system's name servers (/etc/resolv.conf). */
	public DnsHostResolver(List<InetSocketAddress> servers, Duration timeout) {
		this.timeout = timeout;
		DnsServerAddressStreamProvider nameServers = servers.isEmpty() ? DnsServerAddressStreamProviders.platformDefault()
				: new SequentialDnsServerAddressStreamProvider(servers.toArray(InetSocketAddress[]::new));
		this.resolver = new DnsNameResolverBuilder(this.loop.next()).datagramChannelType(NioDatagramChannel.class)
			.queryTimeoutMillis(timeout.toMillis())
			.nameServerProvider(nameServers)
			.build();
	}

	@Override
	public Mono<List<InetAddress>> resolveAll(String host) {
		return Mono.<List<InetAddress>>create((sink) -> {
			Future<List<InetAddress>> lookup = this.resolver.resolveAll(host);
			lookup.addListener((done) -> {
				if (done.isSuccess()) {
					sink.success(lookup.getNow());
				}
				else {
					sink.error(failure(host, done.cause()));
				}
			});
			sink.onCancel(() -> lookup.cancel(false));
		}).timeout(this.timeout, Mono.error(() -> new ResolutionTimeoutException(host, this.timeout)));
	}

	private Throwable failure(String host, Throwable cause) {
		for (Throwable t = cause; t != null; t = t.getCause() == t ? null : t.getCause()) {
			if (t instanceof io.netty.resolver.dns.DnsNameResolverTimeoutException) {
				return new ResolutionTimeoutException(host, this.timeout);
			}
		}
		if (cause instanceof UnknownHostException) {
			return cause;
		}
		UnknownHostException unknown = new UnknownHostException(host + " does not resolve");
		unknown.initCause(cause);
		return unknown;
	}

	@Override
	public void close() {
		this.resolver.close();
		this.loop.shutdownGracefully(0, 1, java.util.concurrent.TimeUnit.SECONDS);
	}

}
