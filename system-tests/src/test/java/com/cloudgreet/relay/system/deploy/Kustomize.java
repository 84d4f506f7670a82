package com.cloudgreet.relay.system.deploy;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Renders a kustomization the way an operator's {@code kubectl apply -k} does, with the
 * kustomize built into kubectl. No Java library renders kustomizations (patches, generators,
 * transformers), so the real tool is required: a machine without it fails these tests with the
 * reason instead of skipping them, since a skipped check would pass any overlay.
 */
final class Kustomize {

	static final Path ROOT = Path.of(System.getProperty("relay.root", "..")).toAbsolutePath().normalize();

	static final Path K8S = ROOT.resolve("k8s");

	private Kustomize() {
	}

	/** The rendered multi-document YAML of the kustomization in {@code directory}. */
	static String render(Path directory) {
		Path kubectl = kubectl().orElseThrow(() -> new AssertionError("kubectl is not on the PATH (" + System.getenv("PATH")
				+ "): the k8s/ overlays are rendered with `kubectl kustomize`. Install kubectl (machines of this kind ship "
				+ "it as the Debian package `kubectl` from Google Cloud's apt repository) and run again."));
		try {
			Process process = new ProcessBuilder(kubectl.toString(), "kustomize", directory.toString())
				.redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
				.start();
			CompletableFuture<String> errors = CompletableFuture
				.supplyAsync(() -> read(process.getErrorStream()));
			String output = read(process.getInputStream());
			if (!process.waitFor(60, TimeUnit.SECONDS)) {
				process.destroyForcibly();
				throw new AssertionError("kubectl kustomize " + directory + " did not finish within 60 s");
			}
			if (process.exitValue() != 0) {
				throw new AssertionError("kubectl kustomize " + directory + " failed (exit " + process.exitValue() + "):\n"
						+ errors.join());
			}
			return output;
		}
		catch (IOException ex) {
			throw new AssertionError("could not run " + kubectl + ": " + ex.getMessage(), ex);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new AssertionError("interrupted while rendering " + directory, ex);
		}
	}

	private static Optional<Path> kubectl() {
		String path = System.getenv().getOrDefault("PATH", "");
		return Stream.of(path.split(File.pathSeparator))
			.filter((dir) -> !dir.isBlank())
			.map((dir) -> Path.of(dir, "kubectl"))
			.filter(Files::isExecutable)
			.findFirst();
	}

	private static String read(java.io.InputStream stream) {
		try (stream) {
			return new String(stream.readAllBytes(), StandardCharsets.UTF_8);
		}
		catch (IOException ex) {
			throw new IllegalStateException(ex);
		}
	}

}
