package dev.weft.mux;

import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;

/**
 * A snapshot of one attached stream.
 *
 * @param ready the peer's Hello arrived, so the peer has attached it too: it can carry sessions
 * @param srtt smoothed round-trip time, or null before the first Pong
 * @param minRtt lowest round-trip time seen, or null before the first Pong
 * @param sessions sessions currently sending on this stream
 */
public record StreamInfo(long id, boolean ready, Duration srtt, Duration minRtt, int sessions, Instant attached) {
  public String idText() {
    return text(id);
  }

  /** A stream id's text form: 16 lowercase hex digits. */
  public static String text(long streamId) {
    return HexFormat.of().toHexDigits(streamId);
  }
}
