package dev.weft.node.admin;

import com.fasterxml.jackson.core.JsonProcessingException;
import dev.weft.identity.AtomicFile;
import dev.weft.node.Json;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.Optional;

/**
 * How to reach a running node's admin API: written by the node to {@code admin.json} in its data
 * directory (owner-only), read by the CLI. Its presence does not prove the node still runs.
 */
public record AdminAccess(String host, int port, String token) {
  public static final String FILE_NAME = "admin.json";
  /** A fresh 256-bit token. */
  public static String newToken() {
    byte[] bytes = new byte[32];
    // Made here, not in a static field: the CLI reads this record and should not seed a generator.
    new SecureRandom().nextBytes(bytes);
    return HexFormat.of().formatHex(bytes);
  }

  public static Path path(Path dataDir) {
    return dataDir.resolve(FILE_NAME);
  }

  /** Empty when no node has written the file (none runs, or it stopped cleanly). */
  public static Optional<AdminAccess> read(Path dataDir) throws IOException {
    try {
      return Optional.of(Json.mapper().readValue(Files.readAllBytes(path(dataDir)), AdminAccess.class));
    } catch (NoSuchFileException e) {
      return Optional.empty();
    } catch (JsonProcessingException e) {
      throw new IOException(path(dataDir) + " is corrupt: " + e.getOriginalMessage(), e);
    }
  }

  public void write(Path dataDir) throws IOException {
    AtomicFile.write(path(dataDir), Json.mapper().writeValueAsBytes(this), AtomicFile.OWNER_ONLY);
  }

  public static void delete(Path dataDir) throws IOException {
    Files.deleteIfExists(path(dataDir));
  }

  /** The API's base URI, e.g. {@code http://127.0.0.1:7412}. */
  public String baseUri() {
    return "http://" + (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
  }
}
