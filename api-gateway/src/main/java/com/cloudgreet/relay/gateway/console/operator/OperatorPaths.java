package com.cloudgreet.relay.gateway.console.operator;

/** The operator console's paths and its session cookie, named once. */
public final class OperatorPaths {

	public static final String ROOT = "/console/operator";

	/** Where the operator pastes the admin token; also where a request without a live operator session is sent. */
	public static final String LOGIN = ROOT + "/login";

	public static final String LOGOUT = ROOT + "/logout";

	public static final String TENANTS = ROOT + "/tenants";

	public static final String DEAD_LETTERS = ROOT + "/dead-letters";

	public static final String CHANNELS = ROOT + "/channels";

	public static final String ENDPOINTS = ROOT + "/endpoints";

	public static final String LAG = ROOT + "/lag";

	public static final String REPLAY = ROOT + "/replay";

	/** Ends every operator session at once (admin token). */
	public static final String REVOKE = "/admin/v1/operator-sessions/revoke";

	/**
	 * Apart from the tenant console's cookie and scoped to {@link #ROOT}: the browser never sends it
	 * to a tenant's pages, and the tenant's cookie never authenticates here.
	 */
	public static final String SESSION_COOKIE = "relay_operator_session";

	private OperatorPaths() {
	}

}
