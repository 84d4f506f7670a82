package com.cloudgreet.relay.system;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

import static org.awaitility.Awaitility.await;

/**
 * One Relay service run from its executable jar as a separate JVM, exactly as ./dev/up and the
 * container image run it. Its output goes to {@code target/system-test-logs/<name>.log}.
 */
final class ServiceProcess {

	static final Path ROOT = Path.of(System.getProperty("relay.root", "..")).toAbsolutePath().normalize();

	private static final HttpClient HTTP = HttpClient.newHttpClient();

	private final String name;

	final int port = freePort();

	final int managementPort = freePort();

	private final Path log;

	private Process process;

	private Map<String, String> properties;

	ServiceProcess(String name) {
		this(name, name);
	}

	/** A second instance of module {@code name}, logging to {@code <instance>.log}. */
	ServiceProcess(String name, String instance) {
		this.name = name;
		this.log = ROOT.resolve("system-tests/target/system-test-logs/" + instance + ".log");
	}

	void start(Map<String, String> properties) {
		this.properties = Map.copyOf(properties);
		File[] jars = ROOT.resolve(this.name + "/target").toFile().listFiles((dir, file) -> file.endsWith("-exec.jar"));
		if (jars == null || jars.length != 1) {
			throw new IllegalStateException("No executable jar of " + this.name + "; run ./mvnw verify from the root");
		}
		List<String> command = new ArrayList<>(List.of(javaExecutable(), "-Xmx256m", "-XX:+UseSerialGC",
				"-XX:TieredStopAtLevel=1", "-jar", jars[0].getAbsolutePath(), "--server.port=" + this.port,
				"--management.server.port=" + this.managementPort));
		properties.forEach((key, value) -> command.add("--" + key + "=" + value));
		try {
			Files.createDirectories(this.log.getParent());
			// A restarted instance appends, so the log still shows how the previous one ended.
			ProcessBuilder.Redirect output = (this.process != null) ? ProcessBuilder.Redirect.appendTo(this.log.toFile())
					: ProcessBuilder.Redirect.to(this.log.toFile());
			this.process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(output).start();
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	void awaitHealthy() {
		await(this.name + " healthy (log: " + this.log + ")").atMost(Duration.ofMinutes(3))
			.pollInterval(Duration.ofMillis(500))
			.failFast(() -> !this.process.isAlive())
			.until(this::healthy);
	}

	private boolean healthy() {
		try {
			HttpRequest request = HttpRequest
				.newBuilder(URI.create("http://127.0.0.1:" + this.managementPort + "/actuator/health"))
				.timeout(Duration.ofSeconds(5))
				.build();
			return HTTP.send(request, HttpResponse.BodyHandlers.discarding()).statusCode() == 200;
		}
		catch (IOException ex) {
			return false;
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			return false;
		}
	}

	/**
	 * Kills the instance with SIGKILL ({@link Process#destroyForcibly()} on Linux), as the kernel's
	 * OOM killer or a lost node would: no shutdown hook, no draining, leases left as they were.
	 * Returns the exit code, 137 (128 + 9) for a JVM that really died of the signal.
	 */
	int kill() {
		ProcessHandle handle = this.process.toHandle();
		this.process.destroyForcibly();
		try {
			if (!this.process.waitFor(30, TimeUnit.SECONDS)) {
				throw new IllegalStateException(this.name + " (pid " + handle.pid() + ") still alive after SIGKILL");
			}
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException(ex);
		}
		return this.process.exitValue();
	}

	/** Starts the instance again on the same ports with the same settings; the caller awaits health. */
	void restart() {
		if (this.process.isAlive()) {
			throw new IllegalStateException(this.name + " is still running");
		}
		start(this.properties);
	}

	Path log() {
		return this.log;
	}

	/** A setting this instance was started with, or {@code fallback} (its application.yml default). */
	String setting(String key, String fallback) {
		return this.properties.getOrDefault(key, fallback);
	}

	String name() {
		return this.name;
	}

	String url() {
		return "http://127.0.0.1:" + this.port;
	}

	void stop() {
		if (this.process != null) {
			this.process.destroy();
			try {
				if (!this.process.waitFor(Duration.ofSeconds(20).toMillis(), TimeUnit.MILLISECONDS)) {
					this.process.destroyForcibly();
				}
			}
			catch (InterruptedException ex) {
				this.process.destroyForcibly();
				Thread.currentThread().interrupt();
			}
		}
	}

	private static String javaExecutable() {
		return Path.of(System.getProperty("java.home"), "bin", "java").toString();
	}

	/** Ports handed out in this JVM, so two services never get the same one. */
	private static final Set<Integer> TAKEN = ConcurrentHashMap.newKeySet();

	/**
	 * A free port below Linux's ephemeral range (32768-60999). A port from {@code new
	 * ServerSocket(0)} comes from that range, where the embedded broker (which binds port 0 after
	 * the services' ports are picked) or an outgoing connection may take it before the service binds it.
	 */
	private static int freePort() {
		ThreadLocalRandom random = ThreadLocalRandom.current();
		for (int i = 0; i < 200; i++) {
			int candidate = random.nextInt(20_000, 32_000);
			if (!TAKEN.contains(candidate) && isFree(candidate) && TAKEN.add(candidate)) {
				return candidate;
			}
		}
		throw new IllegalStateException("no free port between 20000 and 32000");
	}

	private static boolean isFree(int port) {
		try (ServerSocket socket = new ServerSocket(port)) {
			return true;
		}
		catch (IOException ex) {
			return false;
		}
	}

}
