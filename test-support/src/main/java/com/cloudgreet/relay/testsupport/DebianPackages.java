package com.cloudgreet.relay.testsupport;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Real non-Java tools some tests use (kcat, Prometheus). On a machine without one (a fresh Debian
 * machine of the kind Relay is developed on, where the build runs as root) it is installed from
 * the distribution's packages, so {@code ./mvnw verify} needs nothing installed by hand. If that is
 * impossible the test fails with the reason; it never skips.
 */
public final class DebianPackages {

	private DebianPackages() {
	}

	/** {@code executable}, installing Debian package {@code pkg} first if it is missing. */
	public static synchronized Path executable(String pkg, Path executable) {
		if (Files.isExecutable(executable)) {
			return executable;
		}
		String log = run(List.of("apt-get", "install", "-y", "--no-install-recommends", pkg));
		if (!Files.isExecutable(executable)) {
			// A fresh machine may not have read the package lists yet.
			log += run(List.of("apt-get", "update", "-qq"))
					+ run(List.of("apt-get", "install", "-y", "--no-install-recommends", pkg));
		}
		if (!Files.isExecutable(executable)) {
			throw new IllegalStateException(executable + " is not installed and could not be installed with apt-get "
					+ "(install the Debian package " + pkg + "; .ci/run does):\n" + log);
		}
		return executable;
	}

	private static String run(List<String> command) {
		try {
			Process process = new ProcessBuilder(command).redirectErrorStream(true)
				.redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
				.start();
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
