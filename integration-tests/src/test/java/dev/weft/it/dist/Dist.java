package dev.weft.it.dist;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;

/**
 * The packages {@code mvn -Pdist} built in cli/target. Without the profile the tests that need them
 * are skipped; with it, a missing package fails them.
 */
final class Dist {
  private static final Path DIR = Path.of(System.getProperty("weft.dist.dir", "../cli/target"));
  private static final String VERSION = System.getProperty("weft.version", "");

  record Output(int code, String out, String err) {}

  private Dist() {}

  static Path archive() {
    return built("weft-" + VERSION + "-linux-x86_64.tar.gz");
  }

  static Path deb() {
    return built("weft_" + VERSION.replace('-', '~') + "_amd64.deb");
  }

  private static Path built(String name) {
    Assumptions.assumeTrue(Boolean.getBoolean("weft.dist"), "the dist profile is off (mvn -Pdist)");
    Path file = DIR.resolve(name);
    assertTrue(Files.isRegularFile(file), "the dist profile is on but " + file.toAbsolutePath()
        + " was not built");
    return file;
  }

  /** Runs a command to completion (at most a minute) with exactly {@code environment}. */
  static Output run(Map<String, String> environment, List<String> command) throws Exception {
    ProcessBuilder builder = new ProcessBuilder(command);
    builder.environment().clear();
    builder.environment().putAll(environment);
    Process process = builder.start();
    process.getOutputStream().close();
    CompletableFuture<String> out = drain(process.getInputStream());
    CompletableFuture<String> err = drain(process.getErrorStream());
    if (!process.waitFor(60, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      throw new AssertionError(command + " did not finish within a minute");
    }
    return new Output(process.exitValue(), out.get(10, TimeUnit.SECONDS), err.get(10, TimeUnit.SECONDS));
  }

  static Output ok(Output output) {
    assertEquals(0, output.code(), "stdout: " + output.out() + "\nstderr: " + output.err());
    return output;
  }

  private static CompletableFuture<String> drain(java.io.InputStream stream) {
    return CompletableFuture.supplyAsync(() -> {
      try {
        return new String(stream.readAllBytes(), StandardCharsets.UTF_8);
      } catch (IOException e) {
        return "";
      }
    });
  }
}
