package dev.weft.identity;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.List;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(10)
class IdentityTest {
  // RFC 8032 section 7.1, test 1.
  private static final String RFC_SEED = "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60";
  private static final String RFC_PUBLIC = "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a";
  private static final String RFC_SIGNATURE = "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555"
      + "fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b";

  @Test
  void textRoundTripsAndIsCanonical() {
    Identity id = Identity.parse(RFC_PUBLIC);
    assertEquals(RFC_PUBLIC, id.toString());
    assertEquals("d75a9801", id.shortText());
    assertEquals(id, Identity.of(HexFormat.of().parseHex(RFC_PUBLIC)));
    assertEquals(id.hashCode(), Identity.parse(RFC_PUBLIC).hashCode());
  }

  @Test
  void malformedTextSaysWhatIsWrong() {
    var shortText = assertThrows(IllegalArgumentException.class, () -> Identity.parse("abc"));
    assertTrue(shortText.getMessage().contains("64 hex digits"), shortText.getMessage());
    assertTrue(shortText.getMessage().contains("got 3"), shortText.getMessage());

    String badAt10 = RFC_PUBLIC.substring(0, 9) + "x" + RFC_PUBLIC.substring(10);
    var badChar = assertThrows(IllegalArgumentException.class, () -> Identity.parse(badAt10));
    assertTrue(badChar.getMessage().contains("'x' at position 10"), badChar.getMessage());

    var upper = assertThrows(IllegalArgumentException.class, () -> Identity.parse(RFC_PUBLIC.toUpperCase()));
    assertTrue(upper.getMessage().contains("position 1"), upper.getMessage());

    assertThrows(IllegalArgumentException.class, () -> Identity.parse(null));
    assertThrows(IllegalArgumentException.class, () -> Identity.of(new byte[31]));
  }

  @Test
  void bytesAreDefensiveCopies() {
    byte[] raw = HexFormat.of().parseHex(RFC_PUBLIC);
    Identity id = Identity.of(raw);
    raw[0] ^= 1;
    id.bytes()[1] ^= 1;
    assertEquals(RFC_PUBLIC, id.toString());
    assertArrayEquals(HexFormat.of().parseHex(RFC_PUBLIC), id.bytes());
  }

  @Test
  void ordersByUnsignedBytes() {
    Identity low = Identity.of(new byte[32]);
    byte[] high = new byte[32];
    high[0] = (byte) 0x80;
    Identity hi = Identity.of(high);
    assertTrue(low.compareTo(hi) < 0);
    assertEquals(List.of(low, hi), List.copyOf(new TreeSet<>(List.of(hi, low))));
    assertNotEquals(low, hi);
  }

  @Test
  void signsLikeRfc8032AndVerifies() {
    NodeKey key = NodeKey.fromSeed(HexFormat.of().parseHex(RFC_SEED));
    assertEquals(RFC_PUBLIC, key.identity().toString());
    byte[] signature = key.sign(new byte[0]);
    assertEquals(RFC_SIGNATURE, HexFormat.of().formatHex(signature));
    assertTrue(key.identity().verify(new byte[0], signature));
  }

  @Test
  void verifyRejectsTamperedMessageSignatureAndWrongKey() {
    NodeKey key = NodeKey.generate();
    byte[] message = "weft".getBytes(StandardCharsets.UTF_8);
    byte[] signature = key.sign(message);
    assertTrue(key.identity().verify(message, signature));
    assertFalse(key.identity().verify("weFt".getBytes(StandardCharsets.UTF_8), signature));
    signature[5] ^= 1;
    assertFalse(key.identity().verify(message, signature));
    assertFalse(key.identity().verify(message, new byte[10]));
    assertFalse(NodeKey.generate().identity().verify(message, key.sign(message)));
  }

  @Test
  void generatedKeysDiffer() {
    assertNotEquals(NodeKey.generate().identity(), NodeKey.generate().identity());
  }
}
