package dev.weft.identity;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(10)
class AtomicFileTest {
  @TempDir Path dir;

  @Test
  void writeReplacesContentWithExactModeAndLeavesNoTempFiles() throws IOException {
    Path file = dir.resolve("endpoints");
    AtomicFile.write(file, new byte[] {1, 2, 3}, PosixFilePermissions.fromString("rw-r-----"));
    AtomicFile.write(file, new byte[] {4}, AtomicFile.OWNER_ONLY);
    assertArrayEquals(new byte[] {4}, Files.readAllBytes(file));
    assertEquals(AtomicFile.OWNER_ONLY, Files.getPosixFilePermissions(file));
    assertEquals(List.of(file), list(dir));
  }

  @Test
  void createRefusesAnExistingFileAndKeepsIt() throws IOException {
    Path file = dir.resolve("token");
    AtomicFile.create(file, new byte[] {1}, AtomicFile.OWNER_ONLY);
    assertThrows(FileAlreadyExistsException.class,
        () -> AtomicFile.create(file, new byte[] {2}, AtomicFile.OWNER_ONLY));
    assertArrayEquals(new byte[] {1}, Files.readAllBytes(file));
    assertEquals(List.of(file), list(dir));
  }

  @Test
  void privateDirectoryIsOwnerOnly() throws IOException {
    Path data = dir.resolve("a/b");
    AtomicFile.createPrivateDirectory(data);
    assertEquals(AtomicFile.PRIVATE_DIRECTORY, Files.getPosixFilePermissions(data));
  }

  private static List<Path> list(Path dir) throws IOException {
    try (Stream<Path> files = Files.list(dir)) {
      return files.toList();
    }
  }
}
