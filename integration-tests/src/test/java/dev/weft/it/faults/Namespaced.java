package dev.weft.it.faults;

import dev.weft.it.netns.NetnsAvailability;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;

/** A test between hosts in network namespaces (root only: skipped with the reason elsewhere). */
abstract class Namespaced {
  /** Where the nodes keep their data. */
  @TempDir
  Path dir;

  @BeforeEach
  void needsNamespaces() {
    NetnsAvailability.assumeAvailable();
  }
}
