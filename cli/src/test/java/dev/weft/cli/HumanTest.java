package dev.weft.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class HumanTest {
  @Test
  void sizes() {
    assertEquals("0 B", Human.bytes(0));
    assertEquals("1023 B", Human.bytes(1023));
    assertEquals("1.5 KiB", Human.bytes(1536));
    assertEquals("64.0 MiB", Human.bytes(64L << 20));
  }

  @Test
  void durations() {
    assertEquals("-", Human.micros(-1));
    assertEquals("850µs", Human.micros(850));
    assertEquals("1.25ms", Human.micros(1250));
    assertEquals("42s", Human.duration(Duration.ofSeconds(42)));
    assertEquals("3m05s", Human.duration(Duration.ofSeconds(185)));
    assertEquals("2h07m", Human.duration(Duration.ofMinutes(127)));
    assertEquals("1d01h", Human.duration(Duration.ofHours(25)));
  }

  @Test
  void tablesAlignColumns() {
    StringWriter text = new StringWriter();
    new Table("A", "LONGER").row("wide cell", 1).row("x", 22).print(new PrintWriter(text, true));
    assertEquals("A          LONGER\nwide cell  1\nx          22\n", text.toString());
  }
}
