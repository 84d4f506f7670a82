package com.cloudgreet.relay.webhook.ssrf;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Executor;

import io.netty.resolver.AbstractAddressResolver;
import io.netty.resolver.AddressResolver;
import io.netty.resolver.AddressResolverGroup;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.Promise;

/**
 * The only resolver of the delivery HTTP client. Resolution and vetting happen in one step, and
 * the channel connects to exactly the address this resolver returns, so there is no window for
 * DNS rebinding between the check and the connect (as Hook0 does; a check before the request
 * followed by the client's own lookup would leave one). Literal IP hosts are vetted too.
 */
public final class VettingAddressResolverGroup extends AddressResolverGroup<InetSocketAddress> {

	private final AddressPolicy policy;

	private final Executor dnsExecutor;

	/** {@code dnsExecutor} runs the blocking JDK lookups off the event loop. */
	public VettingAddressResolverGroup(AddressPolicy policy, Executor dnsExecutor) {
		this.policy = policy;
		this.dnsExecutor = dnsExecutor;
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
			VettingAddressResolverGroup.this.dnsExecutor.execute(() -> {
				try {
					String host = unresolved.getHostString();
					InetAddress[] addresses = unresolved.isUnresolved() ? InetAddress.getAllByName(host)
							: new InetAddress[] { unresolved.getAddress() };
					for (InetAddress address : addresses) {
						VettingAddressResolverGroup.this.policy.check(host, address);
					}
					List<InetSocketAddress> vetted = Arrays.stream(addresses)
						.map((address) -> new InetSocketAddress(address, unresolved.getPort()))
						.toList();
					if (first) {
						((Promise<InetSocketAddress>) promise).trySuccess(vetted.get(0));
					}
					else {
						((Promise<List<InetSocketAddress>>) promise).trySuccess(vetted);
					}
				}
				catch (UnknownHostException ex) {
					promise.tryFailure(ex);
				}
				catch (RuntimeException ex) {
					promise.tryFailure(ex);
				}
			});
		}

	}

}
