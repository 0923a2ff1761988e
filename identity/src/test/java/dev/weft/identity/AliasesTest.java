package dev.weft.identity;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(10)
class AliasesTest {
  @TempDir Path data;
  private final Identity alice = NodeKey.generate().identity();
  private final Identity bob = NodeKey.generate().identity();

  @Test
  void setPersistsSortedAndReloads() throws IOException {
    Aliases aliases = Aliases.load(data);
    assertTrue(aliases.all().isEmpty());
    aliases.set("laptop", bob);
    aliases.set("desk.1", alice);
    assertEquals(List.of("desk.1", "laptop"), List.copyOf(aliases.all().keySet()));
    Aliases reloaded = Aliases.load(data);
    assertEquals(aliases.all(), reloaded.all());
    assertEquals(Optional.of("laptop"), reloaded.nameOf(bob));
    assertEquals(AtomicFile.OWNER_ONLY, Files.getPosixFilePermissions(data.resolve(Aliases.FILE_NAME)));
  }

  @Test
  void removeForgetsAndPersists() throws IOException {
    Aliases aliases = Aliases.load(data);
    aliases.set("a", alice);
    assertTrue(aliases.remove("a"));
    assertFalse(aliases.remove("a"));
    assertTrue(Aliases.load(data).all().isEmpty());
  }

  @Test
  void resolveTakesAnIdentityOrAnAlias() throws IOException {
    Aliases aliases = Aliases.load(data);
    aliases.set("alice", alice);
    assertEquals(alice, aliases.resolve("alice"));
    assertEquals(bob, aliases.resolve(bob.toString()));
    UnknownAliasException unknown = assertThrows(UnknownAliasException.class, () -> aliases.resolve("carol"));
    assertTrue(unknown.getMessage().contains("'carol'"), unknown.getMessage());
    IllegalArgumentException malformed = assertThrows(IllegalArgumentException.class,
        () -> aliases.resolve("X" + alice.toString().substring(1)));
    assertTrue(malformed.getMessage().contains("'X' at position 1"), malformed.getMessage());
  }

  @Test
  void rejectsPathLikeAndAmbiguousNames() throws IOException {
    Aliases aliases = Aliases.load(data);
    for (String bad : List.of("", "../x", "a/b", "Alice", ".hidden", "-x", "a b", "x".repeat(65), bob.toString())) {
      assertThrows(IllegalArgumentException.class, () -> aliases.set(bad, alice), bad);
    }
    assertTrue(aliases.all().isEmpty());
  }

  @Test
  void damagedFileNamesFileAndLine() throws IOException {
    Files.writeString(data.resolve(Aliases.FILE_NAME), "# c\nok " + alice + "\nbad zzz\n");
    AliasFileException e = assertThrows(AliasFileException.class, () -> Aliases.load(data));
    assertTrue(e.getMessage().contains(data.resolve(Aliases.FILE_NAME) + " line 3"), e.getMessage());
  }
}
