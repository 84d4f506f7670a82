package com.cloudgreet.relay.testsupport;

import java.nio.file.Path;

/**
 * kcat, the librdkafka command-line client: the non-Java producer of tests that prove records
 * from other systems are handled like the gateway's. Installed when missing ({@link DebianPackages}).
 */
public final class Kcat {

	private Kcat() {
	}

	/** The kcat executable, installed first if it is missing. */
	public static Path executable() {
		return DebianPackages.executable("kcat", Path.of("/usr/bin/kcat"));
	}

}
