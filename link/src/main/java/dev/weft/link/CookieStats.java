package dev.weft.link;

import java.util.concurrent.atomic.AtomicLongArray;

/**
 * What a {@link Linker}'s KCP listeners did with datagrams from sources without a conversation
 * (docs/protocol.md §2.3), since the Linker was built.
 *
 * @param unverified datagrams that would start a conversation without a cookie
 * @param replies cookie replies sent
 * @param replyBytes bytes of those replies (UDP payload)
 * @param answeredBytes bytes of the datagrams they answered: never less than {@code replyBytes}
 * @param started conversations let in (each then costs a handshake), with a cookie or without
 * @param verified of those, the ones let in with a valid cookie
 * @param refused datagrams that started nothing and got no reply: over their source's handshake
 *     rate with a valid cookie, a stale cookie on a live conversation, malformed, too short to
 *     answer, or arriving while the socket was too far behind to take a reply
 */
public record CookieStats(long unverified, long replies, long replyBytes, long answeredBytes, long started,
    long verified, long refused) {

  /** The running counts behind a {@link CookieStats}. */
  static final class Counters {
    private static final int UNVERIFIED = 0;
    private static final int REPLIES = 1;
    private static final int REPLY_BYTES = 2;
    private static final int ANSWERED_BYTES = 3;
    private static final int STARTED = 4;
    private static final int VERIFIED = 5;
    private static final int REFUSED = 6;
    private final AtomicLongArray counts = new AtomicLongArray(7);

    void unverified() {
      counts.incrementAndGet(UNVERIFIED);
    }

    void replied(int replyBytes, int answeredBytes) {
      counts.incrementAndGet(REPLIES);
      counts.addAndGet(REPLY_BYTES, replyBytes);
      counts.addAndGet(ANSWERED_BYTES, answeredBytes);
    }

    void started(boolean verified) {
      counts.incrementAndGet(STARTED);
      if (verified) {
        counts.incrementAndGet(VERIFIED);
      }
    }

    void refused() {
      counts.incrementAndGet(REFUSED);
    }

    CookieStats snapshot() {
      return new CookieStats(counts.get(UNVERIFIED), counts.get(REPLIES), counts.get(REPLY_BYTES),
          counts.get(ANSWERED_BYTES), counts.get(STARTED), counts.get(VERIFIED), counts.get(REFUSED));
    }
  }
}
