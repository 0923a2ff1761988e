package dev.weft.identity;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(10)
class KeyFileTest {
  @TempDir Path tmp;

  @Test
  void createdKeyLoadsBackWithPrivateModes() throws IOException {
    Path data = tmp.resolve("node");
    assertFalse(KeyFile.exists(data));
    NodeKey created = KeyFile.create(data);
    assertTrue(KeyFile.exists(data));
    assertEquals(created.identity(), KeyFile.load(data).identity());
    assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(KeyFile.path(data))));
    assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(data)));
    byte[] message = {7};
    assertTrue(created.identity().verify(message, KeyFile.load(data).sign(message)));
  }

  @Test
  void neverOverwritesAnExistingKey() throws IOException {
    NodeKey first = KeyFile.create(tmp);
    byte[] before = Files.readAllBytes(KeyFile.path(tmp));
    KeyFileException e = assertThrows(KeyFileException.class, () -> KeyFile.create(tmp));
    assertEquals(KeyFileException.Problem.EXISTS, e.problem());
    assertTrue(e.getMessage().contains(KeyFile.path(tmp).toString()), e.getMessage());
    assertArrayEquals(before, Files.readAllBytes(KeyFile.path(tmp)));
    assertEquals(first.identity(), KeyFile.load(tmp).identity());
  }

  @Test
  void refusesAKeyOthersCanRead() throws IOException {
    KeyFile.create(tmp);
    Files.setPosixFilePermissions(KeyFile.path(tmp), PosixFilePermissions.fromString("rw-r--r--"));
    KeyFileException e = assertThrows(KeyFileException.class, () -> KeyFile.load(tmp));
    assertEquals(KeyFileException.Problem.INSECURE_PERMISSIONS, e.problem());
    assertTrue(e.getMessage().contains(KeyFile.path(tmp).toString()), e.getMessage());
    assertTrue(e.getMessage().contains("rw-r--r--"), e.getMessage());
  }

  @Test
  void missingKeyIsReportedAsMissing() {
    KeyFileException e = assertThrows(KeyFileException.class, () -> KeyFile.load(tmp));
    assertEquals(KeyFileException.Problem.MISSING, e.problem());
  }

  @Test
  void truncatedKeyIsCorruptAndNamesTheFile() throws IOException {
    KeyFile.create(tmp);
    byte[] full = Files.readAllBytes(KeyFile.path(tmp));
    for (int length : new int[] {0, 10, full.length / 2, full.length - 1}) {
      rewrite(Arrays.copyOf(full, length));
      KeyFileException e = assertThrows(KeyFileException.class, () -> KeyFile.load(tmp), "length " + length);
      assertEquals(KeyFileException.Problem.CORRUPT, e.problem(), e.getMessage());
      assertTrue(e.getMessage().contains(KeyFile.path(tmp).toString()), e.getMessage());
    }
  }

  @Test
  void damagedSeedIsDetected() throws IOException {
    KeyFile.create(tmp);
    String text = Files.readString(KeyFile.path(tmp));
    int seedDigit = text.indexOf("seed ") + 5;
    char flipped = text.charAt(seedDigit) == '0' ? '1' : '0';
    rewrite((text.substring(0, seedDigit) + flipped + text.substring(seedDigit + 1)).getBytes(StandardCharsets.US_ASCII));
    KeyFileException e = assertThrows(KeyFileException.class, () -> KeyFile.load(tmp));
    assertEquals(KeyFileException.Problem.CORRUPT, e.problem());
    assertTrue(e.getMessage().contains("does not match"), e.getMessage());
  }

  @Test
  void garbageIsCorrupt() throws IOException {
    KeyFile.create(tmp);
    rewrite("hello\n".getBytes(StandardCharsets.US_ASCII));
    KeyFileException e = assertThrows(KeyFileException.class, () -> KeyFile.load(tmp));
    assertEquals(KeyFileException.Problem.CORRUPT, e.problem());
    assertTrue(e.getMessage().contains("first line"), e.getMessage());
  }

  private void rewrite(byte[] content) throws IOException {
    AtomicFile.write(KeyFile.path(tmp), content, AtomicFile.OWNER_ONLY);
  }
}
