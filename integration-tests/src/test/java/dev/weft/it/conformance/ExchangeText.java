package dev.weft.it.conformance;

import dev.weft.link.RecordedLink;
import io.netty.buffer.ByteBufUtil;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;

/**
 * Writes a recorded exchange as the text of docs/conformance/exchange.txt: the keys, what follows
 * from them, then every message in the order sent, with its plaintext and the mux frames in it.
 */
final class ExchangeText {
  private static final HexFormat HEX = HexFormat.of();
  /** Bytes per line of hex: long messages continue on indented lines. */
  private static final int BYTES_PER_LINE = 32;
  private static final String[] LINK_TYPES = {"DATA", "ACCEPT", "CLOSE", "KEEPALIVE", "REKEY"};
  private static final String[] MUX_TYPES = {"Hello", "Query", "Response", "Data", "Credit", "Close", "Reset",
      "Ping", "Pong", "Migrate", "Resume"};

  private final StringBuilder text = new StringBuilder();

  ExchangeText header(String... lines) {
    for (String line : lines) {
      text.append(line.isEmpty() ? "#" : "# " + line).append('\n');
    }
    text.append('\n');
    return this;
  }

  ExchangeText value(String name, byte[] bytes) {
    return value(name, HEX.formatHex(bytes));
  }

  ExchangeText value(String name, String value) {
    text.append(String.format("%-32s %s\n", name, value));
    return this;
  }

  ExchangeText blank() {
    text.append('\n');
    return this;
  }

  ExchangeText messages(List<RecordedLink.Message> messages) {
    int number = 1;
    for (RecordedLink.Message m : messages) {
      text.append(number++).append(' ').append(m.fromDialer() ? "D>L " : "L>D ").append(describe(m)).append('\n');
      hex("wire", m.wire());
      if (m.plaintext().length > 0) {
        hex("plain", m.plaintext());
      }
      if (m.nextKey().length > 0) {
        hex("next key", m.nextKey());
      }
      if (m.kind().equals("transport") && m.plaintext()[0] == 0) {
        frames(Arrays.copyOfRange(m.plaintext(), 1, m.plaintext().length));
      }
      text.append('\n');
    }
    return this;
  }

  private static String describe(RecordedLink.Message m) {
    if (!m.kind().equals("transport")) {
      return m.kind();
    }
    int type = m.plaintext()[0];
    return type < LINK_TYPES.length ? LINK_TYPES[type] : "type " + type;
  }

  /** Each mux frame in a DATA body, its header fields apart: type, session, length, body. */
  private void frames(byte[] body) {
    ByteBuffer in = ByteBuffer.wrap(body);
    while (in.remaining() >= 13) {
      int start = in.position();
      int type = in.get(start);
      int end = start + 13 + in.getInt(start + 9);
      String name = type < MUX_TYPES.length ? MUX_TYPES[type] : "type " + type;
      text.append(String.format("  %-15s %s %s %s %s\n", "frame " + name, HEX.toHexDigits((byte) type),
          HEX.toHexDigits(in.getLong(start + 1)), HEX.toHexDigits(in.getInt(start + 9)),
          HEX.formatHex(body, start + 13, end)));
      in.position(end);
    }
  }

  private void hex(String label, byte[] bytes) {
    for (int at = 0; at < bytes.length || at == 0; at += BYTES_PER_LINE) {
      byte[] line = Arrays.copyOfRange(bytes, at, Math.min(bytes.length, at + BYTES_PER_LINE));
      text.append(String.format("  %-15s %s\n", at == 0 ? label : "", ByteBufUtil.hexDump(line)));
    }
  }

  @Override
  public String toString() {
    return text.toString();
  }
}
