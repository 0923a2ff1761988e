package dev.weft.identity;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class IdTextTest {
  @Test
  void writesLowercaseAndReadsEitherCase() {
    long id = 0x8A01_0F3A_DEAD_BEEFL;
    assertEquals("8a010f3adeadbeef", IdText.of(id));
    assertEquals(id, IdText.parse("8a010f3adeadbeef", "session"));
    assertEquals(id, IdText.parse("8A010F3ADEADBEEF", "session"));
    assertEquals("0000000000000001", IdText.of(1));
  }

  @Test
  void refusesAnythingButSixteenAsciiHexDigitsNamingTheId() {
    for (String bad : new String[] {"xyz", "8a010f3adeadbee", "8a010f3adeadbeef0", "8a010f3adeadbeeg",
        "８a010f3adeadbeef", "+a010f3adeadbeef", ""}) {
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
          () -> IdText.parse(bad, "stream"), bad);
      assertTrue(e.getMessage().contains("not a stream id"), e.getMessage());
    }
    assertThrows(IllegalArgumentException.class, () -> IdText.parse(null, "session"));
  }
}
