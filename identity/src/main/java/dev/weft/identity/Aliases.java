package dev.weft.identity;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * Local names for identities, kept in {@code <dataDir>/aliases} (mode 0600).
 *
 * <p>File format: UTF-8 lines {@code <name> <identity>} sorted by name; blank lines and lines
 * starting with {@code #} are ignored. Every change rewrites the file atomically. Thread-safe.
 */
public final class Aliases {
  /** Name of the aliases file inside the data directory. */
  public static final String FILE_NAME = "aliases";
  /** Lowercase letters and digits, then also '.', '_', '-'; at most 64 characters; never a path. */
  private static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9._-]{0,63}");
  private static final Pattern IDENTITY_LIKE = Pattern.compile("[0-9a-fA-F]{" + 2 * Identity.LENGTH + "}");

  private final Path file;
  private final SortedMap<String, Identity> names;

  private Aliases(Path file, SortedMap<String, Identity> names) {
    this.file = file;
    this.names = names;
  }

  /** Loads the aliases of a data directory; a missing file means no aliases yet. */
  public static Aliases load(Path dataDir) throws IOException {
    Path file = dataDir.resolve(FILE_NAME);
    SortedMap<String, Identity> names = new TreeMap<>();
    List<String> lines;
    try {
      lines = Files.readAllLines(file, StandardCharsets.UTF_8);
    } catch (NoSuchFileException e) {
      return new Aliases(file, names);
    } catch (CharacterCodingException e) {
      throw new AliasFileException(file, firstNonUtf8Line(Files.readAllBytes(file)), "not valid UTF-8");
    }
    for (int i = 0; i < lines.size(); i++) {
      String line = lines.get(i).strip();
      if (line.isEmpty() || line.startsWith("#")) {
        continue;
      }
      String[] parts = line.split("\\s+");
      if (parts.length != 2) {
        throw new AliasFileException(file, i + 1, "expected '<name> <identity>'");
      }
      try {
        checkName(parts[0]);
        if (names.put(parts[0], Identity.parse(parts[1])) != null) {
          throw new IllegalArgumentException("alias '" + parts[0] + "' appears twice");
        }
      } catch (IllegalArgumentException e) {
        throw new AliasFileException(file, i + 1, e.getMessage());
      }
    }
    return new Aliases(file, names);
  }

  private static int firstNonUtf8Line(byte[] content) {
    int line = 1;
    int start = 0;
    for (int i = 0; i <= content.length; i++) {
      if (i == content.length || content[i] == '\n') {
        try {
          StandardCharsets.UTF_8.newDecoder().decode(ByteBuffer.wrap(content, start, i - start));
        } catch (CharacterCodingException e) {
          return line;
        }
        line++;
        start = i + 1;
      }
    }
    return line;
  }

  /** Throws {@link IllegalArgumentException} saying why {@code name} cannot be an alias. */
  public static void checkName(String name) {
    if (name == null || !NAME.matcher(name).matches()) {
      throw new IllegalArgumentException("invalid alias '" + name + "': use 1-64 characters of a-z, 0-9,"
          + " '.', '_', '-', starting with a letter or digit");
    }
    if (IDENTITY_LIKE.matcher(name).matches()) {
      throw new IllegalArgumentException("invalid alias '" + name + "': it would read as an identity");
    }
  }

  /** Sets or replaces an alias and persists the change. */
  public synchronized void set(String name, Identity identity) throws IOException {
    checkName(name);
    SortedMap<String, Identity> next = new TreeMap<>(names);
    next.put(name, identity);
    save(next);
  }

  /** Removes an alias; returns false if it was not set. */
  public synchronized boolean remove(String name) throws IOException {
    if (!names.containsKey(name)) {
      return false;
    }
    SortedMap<String, Identity> next = new TreeMap<>(names);
    next.remove(name);
    save(next);
    return true;
  }

  /** The first alias (by name) of {@code identity}, for display. */
  public synchronized Optional<String> nameOf(Identity identity) {
    return names.entrySet().stream().filter(e -> e.getValue().equals(identity)).map(Map.Entry::getKey)
        .findFirst();
  }

  /** All aliases, sorted by name (a snapshot). */
  public synchronized SortedMap<String, Identity> all() {
    return Collections.unmodifiableSortedMap(new TreeMap<>(names));
  }

  /**
   * The identity named by {@code text}: either an identity in canonical form or a known alias.
   *
   * @throws UnknownAliasException if {@code text} is a valid alias name that is not set
   * @throws IllegalArgumentException if {@code text} is neither (the message says what is wrong)
   */
  public synchronized Identity resolve(String text) {
    if (text != null && NAME.matcher(text).matches() && !IDENTITY_LIKE.matcher(text).matches()) {
      Identity identity = names.get(text);
      if (identity == null) {
        throw new UnknownAliasException(text);
      }
      return identity;
    }
    return Identity.parse(text);
  }

  private void save(SortedMap<String, Identity> next) throws IOException {
    StringBuilder text = new StringBuilder("# weft aliases: <name> <identity>\n");
    next.forEach((name, identity) -> text.append(name).append(' ').append(identity).append('\n'));
    AtomicFile.createPrivateDirectory(file.toAbsolutePath().getParent());
    AtomicFile.write(file, text.toString().getBytes(StandardCharsets.UTF_8), AtomicFile.OWNER_ONLY);
    names.clear();
    names.putAll(next);
  }
}
