package com.cloudgreet.relay.webhook.ssrf;

/** Why an address is not a public unicast internet address. */
public enum AddressClass {

	/** Routable on the public internet. */
	PUBLIC(true),
	LOOPBACK(true),
	/** RFC 1918, IPv6 unique-local (fc00::/7) and deprecated site-local (fec0::/10). */
	PRIVATE(true),
	/** 169.254.0.0/16, fe80::/10. */
	LINK_LOCAL(true),
	/** RFC 6598 carrier-grade NAT, 100.64.0.0/10: inside a provider's network. */
	SHARED(true),
	/** Cloud instance metadata services: refused even when private networks are allowed. */
	METADATA(false),
	MULTICAST(false),
	/** 0.0.0.0/8 and ::, which connect to the local host on many stacks. */
	UNSPECIFIED(false),
	/** Broadcast, documentation, benchmarking and other special-purpose ranges no endpoint lives in. */
	RESERVED(false);

	private final boolean allowedWithPrivateNetworks;

	AddressClass(boolean allowedWithPrivateNetworks) {
		this.allowedWithPrivateNetworks = allowedWithPrivateNetworks;
	}

	public boolean isAllowed(boolean allowPrivateNetworks) {
		return this == PUBLIC || (allowPrivateNetworks && this.allowedWithPrivateNetworks);
	}

}
