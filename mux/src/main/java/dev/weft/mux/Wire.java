package dev.weft.mux;

/**
 * The mux's wire constants in one place (docs/protocol.md, part 2). The codes of frame types,
 * reasons and migrate kinds are explicit in their enums ({@link FrameType}, {@link Reason},
 * {@link Frame.Migrate.Kind}), never taken from declaration order.
 */
public final class Wire {
  /** Mux protocol version this implementation speaks (sent in Hello). */
  public static final int VERSION = 1;
  /** type u8, session u64, body length u32. */
  public static final int HEADER = 13;
  /** Every implementation accepts Data payloads of at least this size. */
  public static final int MIN_PAYLOAD = 1024;
  /** Longest Query service name, in UTF-8 bytes (its length travels in one byte). */
  public static final int MAX_SERVICE = 255;
  /** Longest Query arguments. */
  public static final int MAX_ARGS = 1024;
  /**
   * Disjoint runs of out-of-order data a receiver holds per session; more resets the session
   * (an honest sender leaves at most one gap per stream the session has used).
   */
  public static final int MAX_EARLY_RUNS = 64;
  /** Reset messages are diagnostics: longer ones are cut when encoded. */
  public static final int MAX_MESSAGE = 512;

  private Wire() {}

  /** What travels as a one-byte code: frame types, reasons, migrate kinds. */
  public interface Coded {
    int code();
  }

  /** The constant among {@code values} with this wire code, or null if the code is unknown. */
  static <T extends Coded> T byCode(T[] values, int code) {
    for (T value : values) {
      if (value.code() == code) {
        return value;
      }
    }
    return null;
  }
}
