package dev.weft.identity;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Arrays;
import java.util.Map;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The parsers that read operator input and files from disk: identities, alias names, the aliases
 * file and the key file. Malformed input must give the documented exception with a message, and
 * whatever parses must print back to the same value.
 */
@Timeout(30)
class IdentityFuzzTest {
  private static final NodeKey KEY = NodeKey.fromSeed(new byte[NodeKey.SEED_LENGTH]);

  @TempDir
  static Path dir;

  @FuzzTest(maxDuration = "2m")
  void identityText(FuzzedDataProvider data) {
    String text = data.consumeRemainingAsString();
    Identity identity;
    try {
      identity = Identity.parse(text);
    } catch (IllegalArgumentException e) {
      assertMessage(e);
      return;
    }
    assertEquals(identity, Identity.parse(identity.toString()));
  }

  /** Any 32 bytes are accepted as an identity, so verifying must cope with keys that are no curve point. */
  @FuzzTest(maxDuration = "2m")
  void signatureCheck(FuzzedDataProvider data) {
    Identity identity = data.consumeBoolean() ? KEY.identity()
        : Identity.of(padded(data.consumeBytes(Identity.LENGTH), Identity.LENGTH));
    byte[] signature = data.consumeBytes(Identity.SIGNATURE_LENGTH + 1);
    byte[] message = data.consumeRemainingAsBytes();
    if (identity.verify(message, signature)) {
      assertEquals(KEY.identity(), identity, "a signature verified under a key nobody holds");
    }
  }

  @FuzzTest(maxDuration = "2m")
  void aliasName(FuzzedDataProvider data) throws IOException {
    String text = data.consumeRemainingAsString();
    Aliases aliases = Aliases.load(dir.resolve("none"));
    try {
      Aliases.checkName(text);
    } catch (IllegalArgumentException e) {
      assertMessage(e);
      try {
        assertEquals(Identity.parse(text), aliases.resolve(text));
      } catch (IllegalArgumentException notEither) {
        assertMessage(notEither);
      }
      return;
    }
    assertFalse(text.contains("/") || text.contains("\\") || text.equals("..") || text.startsWith("."),
        "alias name that reads as a path: " + text);
    try {
      aliases.resolve(text);
      throw new AssertionError("an unset alias resolved: " + text);
    } catch (UnknownAliasException e) {
      assertMessage(e);
    }
  }

  @FuzzTest(maxDuration = "2m")
  void aliasesFile(FuzzedDataProvider data) throws IOException {
    byte[] content = data.consumeRemainingAsBytes();
    Path dataDir = privateFile(Aliases.FILE_NAME, content);
    Aliases aliases;
    try {
      aliases = Aliases.load(dataDir);
    } catch (AliasFileException e) {
      assertMessage(e);
      return;
    }
    for (Map.Entry<String, Identity> alias : aliases.all().entrySet()) {
      Aliases.checkName(alias.getKey());
      assertEquals(alias.getValue(), aliases.resolve(alias.getKey()));
    }
  }

  @FuzzTest(maxDuration = "2m")
  void keyFile(FuzzedDataProvider data) throws IOException {
    byte[] content = data.consumeRemainingAsBytes();
    Path dataDir = privateFile(KeyFile.FILE_NAME, content);
    try {
      NodeKey key = KeyFile.load(dataDir);
      assertTrue(new String(content, StandardCharsets.US_ASCII).contains(key.identity().toString()),
          "a key file loaded whose identity line does not name its key");
    } catch (KeyFileException e) {
      assertEquals(KeyFileException.Problem.CORRUPT, e.problem(), e.getMessage());
      assertMessage(e);
    }
  }

  private static Path privateFile(String name, byte[] content) throws IOException {
    Path data = dir.resolve("data");
    Files.createDirectories(data);
    Path file = data.resolve(name);
    Files.write(file, content);
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
    return data;
  }

  private static byte[] padded(byte[] bytes, int length) {
    return Arrays.copyOf(bytes, length);
  }

  private static void assertMessage(Exception e) {
    assertFalse(e.getMessage() == null || e.getMessage().isBlank(), "no message in " + e);
  }
}
