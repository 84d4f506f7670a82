package com.cloudgreet.relay.testsupport;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * kcat, the librdkafka command-line client: the non-Java producer of tests that prove records
 * from other systems are handled like the gateway's. On a machine without it (a fresh Debian
 * machine of the kind Relay is developed on, where the build runs as root) it is installed from
 * the distribution's packages, so {@code ./mvnw verify} needs nothing installed by hand. If that is
 * impossible the test fails with the reason; it never skips.
 */
public final class Kcat {

	private static final Path PATH = Path.of("/usr/bin/kcat");

	private Kcat() {
	}

	/** The kcat executable, installed first if it is missing. */
	public static synchronized Path executable() {
		if (Files.isExecutable(PATH)) {
			return PATH;
		}
		String log = run(List.of("apt-get", "install", "-y", "--no-install-recommends", "kcat"));
		if (!Files.isExecutable(PATH)) {
			// A fresh machine may not have read the package lists yet.
			log += run(List.of("apt-get", "update", "-qq")) + run(List.of("apt-get", "install", "-y", "--no-install-recommends", "kcat"));
		}
		if (!Files.isExecutable(PATH)) {
			throw new IllegalStateException("kcat is not installed and could not be installed with apt-get "
					+ "(install the Debian package kcat; .ci/run does):\n" + log);
		}
		return PATH;
	}

	private static String run(List<String> command) {
		try {
			Process process = new ProcessBuilder(command).redirectErrorStream(true)
				.redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
				.start();
			process.getOutputStream().close();
			if (!process.waitFor(5, TimeUnit.MINUTES)) {
				process.destroyForcibly();
				return String.join(" ", command) + ": timed out\n";
			}
			return String.join(" ", command) + ": exit " + process.exitValue() + "\n"
					+ new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
		}
		catch (IOException ex) {
			return String.join(" ", command) + ": " + ex + "\n";
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			return String.join(" ", command) + ": interrupted\n";
		}
	}

}
