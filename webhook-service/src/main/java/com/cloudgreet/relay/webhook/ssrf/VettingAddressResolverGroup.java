package com.cloudgreet.relay.webhook.ssrf;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.List;

import io.netty.resolver.AbstractAddressResolver;
import io.netty.resolver.AddressResolver;
import io.netty.resolver.AddressResolverGroup;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.Promise;
import reactor.core.publisher.Mono;

/**
 * The only resolver of the delivery HTTP client. Resolution and vetting happen in one step, and
 * the channel connects to exactly the address this resolver returns, so there is no window for
 * DNS rebinding between the check and the connect (as Hook0 does; a check before the request
 * followed by the client's own lookup would leave one). Literal IP hosts are vetted too. Lookups
 * go through the asynchronous, time-limited {@link HostResolver}; no event loop waits on DNS.
 */
public final class VettingAddressResolverGroup extends AddressResolverGroup<InetSocketAddress> {

	private final AddressPolicy policy;

	private final HostResolver resolver;

	public VettingAddressResolverGroup(AddressPolicy policy, HostResolver resolver) {
		this.policy = policy;
		this.resolver = resolver;
	}

	@Override
	protected AddressResolver<InetSocketAddress> newResolver(EventExecutor executor) {
		return new VettingResolver(executor);
	}

	private final class VettingResolver extends AbstractAddressResolver<InetSocketAddress> {

		VettingResolver(EventExecutor executor) {
			super(executor, InetSocketAddress.class);
		}

		@Override
		protected boolean doIsResolved(InetSocketAddress address) {
			// Never short-circuit: an already-resolved literal address must be vetted as well.
			return false;
		}

		@Override
		protected void doResolve(InetSocketAddress unresolved, Promise<InetSocketAddress> promise) {
			resolveAll(unresolved, promise, true);
		}

		@Override
		protected void doResolveAll(InetSocketAddress unresolved, Promise<List<InetSocketAddress>> promise) {
			resolveAll(unresolved, promise, false);
		}

		@SuppressWarnings("unchecked")
		private void resolveAll(InetSocketAddress unresolved, Promise<?> promise, boolean first) {
			String host = unresolved.getHostString();
			if (unresolved.isUnresolved() && UrlGuard.isAmbiguousNumericHost(host)) {
				promise.tryFailure(new UnsafeUrlException("host " + host + " is a numeric address in a non-standard form"));
				return;
			}
			Mono<List<InetAddress>> addresses = unresolved.isUnresolved()
					? VettingAddressResolverGroup.this.resolver.resolveAll(host)
					: Mono.just(List.of(unresolved.getAddress()));
			addresses.map((resolved) -> {
				for (InetAddress address : resolved) {
					VettingAddressResolverGroup.this.policy.check(host, address);
				}
				return resolved.stream().map((address) -> new InetSocketAddress(address, unresolved.getPort())).toList();
			}).subscribe((vetted) -> {
				if (first) {
					((Promise<InetSocketAddress>) promise).trySuccess(vetted.get(0));
				}
				else {
					((Promise<List<InetSocketAddress>>) promise).trySuccess(vetted);
				}
			}, promise::tryFailure);
		}

	}

}
