package dev.weft.identity;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;

/**
 * Crash-safe file writes: a reader sees either the old content or the new, never a mix.
 *
 * <p>Each write goes to a temporary file in the target's directory, which is fsynced, then moved
 * into place, then the directory is fsynced so the rename itself survives a crash. Requires a POSIX
 * file system (permissions are set exactly, regardless of the umask).
 */
public final class AtomicFile {
  /** rw------- : secrets and anything private to the node. */
  public static final Set<PosixFilePermission> OWNER_ONLY = PosixFilePermissions.fromString("rw-------");
  /** rwx------ : the node's data directory. */
  public static final Set<PosixFilePermission> PRIVATE_DIRECTORY = PosixFilePermissions.fromString("rwx------");

  private AtomicFile() {}

  /** Writes {@code content} to {@code target}, replacing any existing file. */
  public static void write(Path target, byte[] content, Set<PosixFilePermission> permissions)
      throws IOException {
    Path temp = writeTemp(target, content, permissions);
    try {
      Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } finally {
      Files.deleteIfExists(temp);
    }
    syncDirectory(parentOf(target));
  }

  /**
   * Writes {@code content} to a new file {@code target}; throws {@link FileAlreadyExistsException}
   * and leaves the existing file untouched if there is one (checked atomically, via a hard link).
   */
  public static void create(Path target, byte[] content, Set<PosixFilePermission> permissions)
      throws IOException {
    Path temp = writeTemp(target, content, permissions);
    try {
      Files.createLink(target, temp);
    } finally {
      Files.delete(temp);
    }
    syncDirectory(parentOf(target));
  }

  /** Creates {@code dir} (and missing parents) with mode 0700 if it does not exist yet. */
  public static void createPrivateDirectory(Path dir) throws IOException {
    if (!Files.isDirectory(dir)) {
      Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(PRIVATE_DIRECTORY));
      Files.setPosixFilePermissions(dir, PRIVATE_DIRECTORY);
    }
  }

  private static Path writeTemp(Path target, byte[] content, Set<PosixFilePermission> permissions)
      throws IOException {
    Path dir = parentOf(target);
    Path temp = Files.createTempFile(dir, "." + target.getFileName() + ".", ".tmp",
        PosixFilePermissions.asFileAttribute(permissions));
    try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.WRITE)) {
      Files.setPosixFilePermissions(temp, permissions);
      ByteBuffer buffer = ByteBuffer.wrap(content);
      while (buffer.hasRemaining()) {
        channel.write(buffer);
      }
      channel.force(true);
    } catch (IOException | RuntimeException e) {
      Files.deleteIfExists(temp);
      throw e;
    }
    return temp;
  }

  private static Path parentOf(Path target) {
    Path parent = target.toAbsolutePath().getParent();
    if (parent == null) {
      throw new IllegalArgumentException("not a file path: " + target);
    }
    return parent;
  }

  private static void syncDirectory(Path dir) throws IOException {
    try (FileChannel channel = FileChannel.open(dir, StandardOpenOption.READ)) {
      channel.force(true);
    }
  }
}
