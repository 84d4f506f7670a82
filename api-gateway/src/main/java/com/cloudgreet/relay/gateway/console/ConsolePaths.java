package com.cloudgreet.relay.gateway.console;

/** The console's paths and cookie names, named once. */
public final class ConsolePaths {

	public static final String ROOT = "/console";

	public static final String LOGIN = ROOT + "/login";

	/** Where a request without a live session is sent: a used, expired or revoked link ends here. */
	public static final String EXPIRED = ROOT + "/expired";

	public static final String LOGOUT = ROOT + "/logout";

	public static final String ENDPOINTS = ROOT + "/endpoints";

	public static final String MESSAGES = ROOT + "/messages";

	public static final String SESSION_COOKIE = "relay_console_session";

	public static final String CSRF_COOKIE = "relay_console_csrf";

	/** The form field every state-changing console request carries (double-submit of the cookie). */
	public static final String CSRF_FIELD = "_csrf";

	private ConsolePaths() {
	}

	/** Whether a request path is the console's; other paths pass the console's filters untouched. */
	public static boolean isConsole(String path) {
		return path.equals(ROOT) || path.startsWith(ROOT + "/");
	}

}
