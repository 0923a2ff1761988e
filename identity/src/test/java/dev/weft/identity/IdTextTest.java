package dev.weft.identity;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class IdTextTest {
  @Test
  void writesSixteenLowercaseDigitsAndReadsEitherCase() {
    assertEquals("00000000000000ab", IdText.of(0xab));
    assertEquals("ffffffffffffffff", IdText.of(-1));
    assertEquals(0xabcdef0123456789L, IdText.parse("ABCDEF0123456789", "stream"));
    assertEquals(0xabcdef0123456789L, IdText.parse("abcdef0123456789", "stream"));
    assertEquals(-1, IdText.parse("FfFfFfFfFfFfFfFf", "session"));
  }

  @Test
  void anythingElseIsRefusedNamingTheId() {
    for (String bad : new String[] {"", "abc", "0123456789abcdef0", "0123456789abcdeg", "+123456789abcdef", " 123456789abcdef", "\u0663123456789abcdef"}) {
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> IdText.parse(bad, "session"));
      assertTrue(e.getMessage().contains("not a session id"), e.getMessage());
    }
    assertThrows(IllegalArgumentException.class, () -> IdText.parse(null, "stream"));
  }
}
