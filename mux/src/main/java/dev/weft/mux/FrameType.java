package dev.weft.mux;

/** Frame types with their wire codes; stream-level types travel with session 0. */
public enum FrameType implements Wire.Coded {
  HELLO(0x00, false),
  QUERY(0x01, true),
  RESPONSE(0x02, true),
  DATA(0x03, true),
  CREDIT(0x04, true),
  CLOSE(0x05, true),
  RESET(0x06, true),
  PING(0x07, false),
  PONG(0x08, false),
  MIGRATE(0x09, true),
  RESUME(0x0A, true);

  /** One copy: values() makes a new array per call, and this runs per frame. */
  private static final FrameType[] VALUES = values();

  private final int code;
  private final boolean sessionLevel;

  FrameType(int code, boolean sessionLevel) {
    this.code = code;
    this.sessionLevel = sessionLevel;
  }

  @Override
  public int code() {
    return code;
  }

  /** Whether the frame names a session (else its session field must be 0). */
  public boolean sessionLevel() {
    return sessionLevel;
  }

  /** The type with this code, or null if the code is unknown. */
  public static FrameType of(int code) {
    return Wire.byCode(VALUES, code);
  }
}
