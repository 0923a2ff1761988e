package dev.weft.it.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.File;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;

/**
 * Prometheus's own linter, {@code promtool check metrics} (Debian's {@code prometheus} package).
 * Like the package tests, a missing promtool skips the check unless the build asks for it: with
 * {@code -Pdist} (README's and CI's test command) it fails instead.
 */
final class Promtool {
  private static final boolean REQUIRED = Boolean.getBoolean("weft.promtool.required");

  private Promtool() {}

  /** Fails unless promtool accepts {@code text} without a single complaint. */
  static void check(String text) throws IOException, InterruptedException {
    Optional<Path> promtool = find();
    if (!REQUIRED) {
      Assumptions.assumeTrue(promtool.isPresent(), "promtool is not installed (apt-get install prometheus)");
    }
    Path binary = promtool.orElseThrow(() -> new AssertionError(
        "promtool is required by this build (-Pdist) but not on the PATH: apt-get install prometheus"));
    Process process = new ProcessBuilder(binary.toString(), "check", "metrics")
        .redirectErrorStream(true).start();
    try (OutputStream in = process.getOutputStream()) {
      in.write(text.getBytes(StandardCharsets.UTF_8));
    }
    String said = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!process.waitFor(30, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      throw new AssertionError("promtool check metrics did not finish within 30 s");
    }
    assertEquals(0, process.exitValue(), "promtool check metrics: " + said);
    assertEquals("", said.trim(), "promtool check metrics complained");
  }

  private static Optional<Path> find() {
    String path = System.getenv().getOrDefault("PATH", "/usr/bin:/bin");
    for (String dir : path.split(File.pathSeparator)) {
      Path candidate = Path.of(dir, "promtool");
      if (Files.isExecutable(candidate)) {
        return Optional.of(candidate);
      }
    }
    return Optional.empty();
  }
}
