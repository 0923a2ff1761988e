package dev.weft.link;

import java.util.concurrent.atomic.AtomicLong;

/**
 * How often a {@link Linker}'s streams changed their transport keys (REKEY, docs/protocol.md §6.1)
 * since the Linker was built, over all its streams, closed ones included.
 *
 * @param sent keys this side moved past by sending REKEY
 * @param received keys the peers moved past by sending REKEY to this side
 */
public record RekeyStats(long sent, long received) {

  /** The running counts behind a {@link RekeyStats}. */
  static final class Counters {
    private final AtomicLong sent = new AtomicLong();
    private final AtomicLong received = new AtomicLong();

    void sent() {
      sent.incrementAndGet();
    }

    void received() {
      received.incrementAndGet();
    }

    RekeyStats snapshot() {
      return new RekeyStats(sent.get(), received.get());
    }
  }
}
