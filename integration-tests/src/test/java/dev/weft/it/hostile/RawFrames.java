package dev.weft.it.hostile;

import java.nio.ByteBuffer;

/** Hand-made mux frames, for the malformed ones the real encoder refuses to write. */
final class RawFrames {
  /** A valid mux Hello: version 1, max payload 64 KiB. */
  static final byte[] HELLO = frame(0x00, 0, bytes(0, 1, 0, 1, 0, 0));

  private RawFrames() {}

  /** type u8, session u64, length u32 as declared, then {@code body} (which may disagree). */
  static byte[] frame(int type, long session, long declaredLength, byte[] body) {
    return ByteBuffer.allocate(13 + body.length).put((byte) type).putLong(session)
        .putInt((int) declaredLength).put(body).array();
  }

  static byte[] frame(int type, long session, byte[] body) {
    return frame(type, session, body.length, body);
  }

  static byte[] bytes(int... values) {
    byte[] out = new byte[values.length];
    for (int i = 0; i < values.length; i++) {
      out[i] = (byte) values[i];
    }
    return out;
  }

  static byte[] concat(byte[]... parts) {
    int size = 0;
    for (byte[] p : parts) {
      size += p.length;
    }
    ByteBuffer out = ByteBuffer.allocate(size);
    for (byte[] p : parts) {
      out.put(p);
    }
    return out.array();
  }

  static byte[] longs(long... values) {
    ByteBuffer out = ByteBuffer.allocate(8 * values.length);
    for (long v : values) {
      out.putLong(v);
    }
    return out.array();
  }
}
