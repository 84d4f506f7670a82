package com.cloudgreet.relay.gateway.tenant;

/**
 * What an API key resolves to: its tenant and that tenant's own limit, if it has one (both
 * {@code null} means the gateway default applies).
 */
public record TenantKey(String tenantId, String keyId, Double requestsPerSecond, Long burst) {

	public boolean hasOwnLimit() {
		return this.requestsPerSecond != null && this.burst != null;
	}

	String encode() {
		return this.tenantId + "|" + this.keyId + "|" + (hasOwnLimit() ? this.requestsPerSecond + "|" + this.burst : "|");
	}

	static TenantKey decode(String value) {
		String[] parts = value.split("\\|", -1);
		if (parts.length != 4) {
			return null;
		}
		boolean own = !parts[2].isEmpty() && !parts[3].isEmpty();
		return new TenantKey(parts[0], parts[1], own ? Double.valueOf(parts[2]) : null, own ? Long.valueOf(parts[3]) : null);
	}

}
