package dev.weft.mux;

/** Why a session was rejected or reset; the code is what travels in Response and Reset frames. */
public enum Reason implements Wire.Coded {
  NO_SUCH_SERVICE(1),
  ACCESS_DENIED(2),
  LIMIT_REACHED(3),
  SHUTTING_DOWN(4),
  PROTOCOL_ERROR(5),
  /** The application reset the session. */
  APPLICATION(6),
  /** The session's stream died and no other stream took it over within the grace period. */
  STREAM_LOST(7),
  /** An open, or an idle session, ran out of time. */
  TIMEOUT(8);

  private final int code;

  Reason(int code) {
    this.code = code;
  }

  @Override
  public int code() {
    return code;
  }

  /** The reason with this wire code, or null if the code is unknown. */
  public static Reason of(int code) {
    return Wire.byCode(values(), code);
  }
}
