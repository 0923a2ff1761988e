package dev.weft.it.hostile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.identity.Aliases;
import dev.weft.identity.NodeKey;
import dev.weft.node.Access;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.function.Executable;

/**
 * Names that end up in the data directory (aliases, service names) and try to climb out of it
 * or hide in it: each is refused with a reason and no file appears anywhere.
 */
@Timeout(120)
class NameTraversalTest extends AgainstVictim {
  private static final List<String> HOSTILE_NAMES = List.of("../../evil", "..", ".", "a/../../b",
      "/etc/passwd", ".hidden", "x\u0000y", "C:\\evil", "a\nb", "%2e%2e%2fevil", "-rf");

  /** Names are checked before anything touches the disk, so all of them share one victim run. */
  @Test
  void aliasNamesThatClimbOrHideAreRefused() throws Exception {
    victim.survives(v -> {
      Aliases aliases = Aliases.load(v.dataDir());
      for (String name : HOSTILE_NAMES) {
        refusedWithoutAFile(v, name, "invalid alias", () -> aliases.set(name, NodeKey.generate().identity()));
      }
    });
  }

  @Test
  void serviceNamesThatClimbOrHideAreRefused() throws Exception {
    victim.survives(v -> {
      for (String name : HOSTILE_NAMES) {
        refusedWithoutAFile(v, name, "invalid service name",
            () -> v.node.expose(name, (session, peer) -> session.reset("no"), Access.anyone()));
      }
    });
  }

  private static void refusedWithoutAFile(Victim v, String name, String reason, Executable attempt)
      throws Exception {
    List<Path> before = files(v);
    boolean existed = exists(v, name);
    IllegalArgumentException refused = assertThrows(IllegalArgumentException.class, attempt, name);
    assertTrue(refused.getMessage().contains(reason), refused.getMessage());
    assertEquals(before, files(v), name);
    assertEquals(existed, exists(v, name), "nothing is created where '" + name + "' points");
  }

  /** Every file of the victim's data directory. */
  private static List<Path> files(Victim v) throws Exception {
    try (Stream<Path> all = Files.walk(v.dataDir())) {
      return all.sorted().toList();
    }
  }

  /** Whether the name, taken as a path from the data directory, points at something. */
  private static boolean exists(Victim v, String name) {
    try {
      return Files.exists(v.dataDir().resolve(name).normalize());
    } catch (InvalidPathException notAPath) {
      return false;
    }
  }
}
