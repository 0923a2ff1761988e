package dev.weft.identity;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.EnumSet;
import java.util.Set;

/**
 * The node's key in its data directory: {@code <dataDir>/node.key}, mode 0600, directory 0700.
 *
 * <p>Format (UTF-8 text, three lines, each ending in LF):
 * <pre>
 * weft-node-key 1
 * seed &lt;64 lowercase hex: the RFC 8032 Ed25519 secret key&gt;
 * identity &lt;64 lowercase hex: its public key&gt;
 * </pre>
 * The identity line is redundant on purpose: it is recomputed from the seed on load, so a damaged
 * seed is detected instead of silently becoming another identity.
 */
public final class KeyFile {
  /** Name of the key file inside the data directory. */
  public static final String FILE_NAME = "node.key";
  private static final String HEADER = "weft-node-key 1";
  private static final int MAX_SIZE = 1024;
  private static final Set<PosixFilePermission> FOREIGN_ACCESS = EnumSet.of(
      PosixFilePermission.GROUP_READ, PosixFilePermission.GROUP_WRITE, PosixFilePermission.GROUP_EXECUTE,
      PosixFilePermission.OTHERS_READ, PosixFilePermission.OTHERS_WRITE, PosixFilePermission.OTHERS_EXECUTE);

  private KeyFile() {}

  public static Path path(Path dataDir) {
    return dataDir.resolve(FILE_NAME);
  }

  public static boolean exists(Path dataDir) {
    return Files.exists(path(dataDir), LinkOption.NOFOLLOW_LINKS);
  }

  /** Generates a new key and stores it; refuses if the data directory already has one. */
  public static NodeKey create(Path dataDir) throws KeyFileException {
    NodeKey key = NodeKey.generate();
    create(dataDir, key);
    return key;
  }

  /** Stores {@code key}; refuses if the data directory already has a key. */
  public static void create(Path dataDir, NodeKey key) throws KeyFileException {
    Path file = path(dataDir);
    String text = HEADER + "\nseed " + Hex.encode(key.seed()) + "\nidentity " + key.identity() + "\n";
    try {
      AtomicFile.createPrivateDirectory(dataDir);
      AtomicFile.create(file, text.getBytes(StandardCharsets.US_ASCII), AtomicFile.OWNER_ONLY);
    } catch (FileAlreadyExistsException e) {
      throw new KeyFileException(KeyFileException.Problem.EXISTS, file,
          "already exists; refusing to overwrite a node key", e);
    } catch (IOException e) {
      throw new KeyFileException(KeyFileException.Problem.IO, file, "cannot write: " + e, e);
    }
  }

  /** Loads the key, refusing files that group or others may access, and damaged files. */
  public static NodeKey load(Path dataDir) throws KeyFileException {
    Path file = path(dataDir);
    byte[] content;
    try {
      Set<PosixFilePermission> mode = Files.getPosixFilePermissions(file, LinkOption.NOFOLLOW_LINKS);
      if (mode.stream().anyMatch(FOREIGN_ACCESS::contains)) {
        throw new KeyFileException(KeyFileException.Problem.INSECURE_PERMISSIONS, file,
            "mode " + PosixFilePermissions.toString(mode)
                + " lets group or others access it; refusing to use it (chmod 600 it)");
      }
      if (Files.size(file) > MAX_SIZE) {
        throw corrupt(file, "larger than " + MAX_SIZE + " bytes, not a weft key file");
      }
      content = Files.readAllBytes(file);
    } catch (NoSuchFileException e) {
      throw new KeyFileException(KeyFileException.Problem.MISSING, file, "does not exist", e);
    } catch (KeyFileException e) {
      throw e;
    } catch (IOException e) {
      throw new KeyFileException(KeyFileException.Problem.IO, file, "cannot read: " + e, e);
    }
    return parse(file, new String(content, StandardCharsets.US_ASCII));
  }

  private static NodeKey parse(Path file, String text) throws KeyFileException {
    if (!text.endsWith("\n")) {
      throw corrupt(file, "truncated (no final newline)");
    }
    String[] lines = text.split("\n", -1);
    if (!lines[0].equals(HEADER)) {
      throw corrupt(file, "first line is not '" + HEADER + "'");
    }
    if (lines.length != 4) {
      throw corrupt(file, "expected 3 lines, found " + (lines.length - 1));
    }
    try {
      NodeKey key = NodeKey.fromSeed(Hex.decode(field(file, lines[1], "seed"), NodeKey.SEED_LENGTH, "seed"));
      Identity stored = Identity.parse(field(file, lines[2], "identity"));
      if (!stored.equals(key.identity())) {
        throw corrupt(file, "the seed does not match the stored identity " + stored.shortText()
            + " (damaged file)");
      }
      return key;
    } catch (IllegalArgumentException e) {
      throw corrupt(file, e.getMessage());
    }
  }

  private static String field(Path file, String line, String name) throws KeyFileException {
    if (!line.startsWith(name + " ")) {
      throw corrupt(file, "expected a '" + name + "' line");
    }
    return line.substring(name.length() + 1);
  }

  private static KeyFileException corrupt(Path file, String message) {
    return new KeyFileException(KeyFileException.Problem.CORRUPT, file, message);
  }
}
