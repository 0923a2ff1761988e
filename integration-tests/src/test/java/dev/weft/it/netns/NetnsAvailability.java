package dev.weft.it.netns;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Assumptions;

/**
 * Whether this machine lets tests build {@link NamespacePair}s: Linux, root, `ip netns` permitted, a
 * TUN device and python3 for the wire. Tests call {@link #assumeAvailable()} first and are skipped,
 * with the reason, where any of it is missing.
 */
public final class NetnsAvailability {
  private static final Duration LIMIT = Duration.ofSeconds(10);
  private static Optional<String> missing;

  private NetnsAvailability() {}

  /** Skips the calling test, saying why, unless namespace pairs can be made here. */
  public static void assumeAvailable() {
    Optional<String> reason = missing();
    Assumptions.assumeTrue(reason.isEmpty(), () -> "network namespace tests skipped: " + reason.orElseThrow());
  }

  /** Empty when namespace pairs can be made; otherwise what is missing. */
  public static synchronized Optional<String> missing() {
    if (missing == null) {
      missing = probe();
    }
    return missing;
  }

  private static Optional<String> probe() {
    if (!System.getProperty("os.name").startsWith("Linux")) {
      return Optional.of("network namespaces exist only on Linux");
    }
    if (!Files.exists(Path.of("/dev/net/tun"))) {
      return Optional.of("no /dev/net/tun (TUN devices carry the emulated wire)");
    }
    if (Wire.script().isEmpty()) {
      return Optional.of("bench/tools/wire.py is not in this checkout");
    }
    try {
      if (!Command.of("id", "-u").check(LIMIT).equals("0")) {
        return Optional.of("creating namespaces needs root");
      }
      if (!Command.of("python3", "--version").run(LIMIT).ok()) {
        return Optional.of("python3 is missing (it runs the wire)");
      }
      String probe = NamespacePair.PREFIX + ProcessHandle.current().pid() + "-0-a";
      Command.Result added = Command.of("ip", "netns", "add", probe).run(LIMIT);
      if (!added.ok()) {
        return Optional.of("`ip netns add` is not permitted here: " + added.output());
      }
      Command.of("ip", "netns", "del", probe).check(LIMIT);
      return Optional.empty();
    } catch (IOException e) {
      return Optional.of("probing failed: " + e.getMessage());
    }
  }
}
