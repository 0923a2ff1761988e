package dev.weft.node;

import java.time.Duration;
import java.util.Objects;

/**
 * What a relay lets other peers make it hold, after go-libp2p's circuit relay v2 (reservations
 * with a lifetime, a cap on circuits per peer, bytes and duration per circuit) and Tailscale's DERP.
 * docs/security.md explains each default.
 *
 * @param reservations peers holding a live reservation at once
 * @param streamsPerPeer relayed streams one peer may be an end of at once (as the dialler or the
 *     reserving peer)
 * @param streams relayed streams through this relay at once
 * @param bytesPerStream bytes a relayed stream may carry, both ways together, before the relay
 *     closes it
 * @param streamDuration how long a relayed stream may last before the relay closes it
 * @param reservationLifetime how long a reservation lasts unless renewed (peers renew at half)
 * @param reservers who may reserve
 */
public record RelayLimits(int reservations, int streamsPerPeer, int streams, long bytesPerStream,
    Duration streamDuration, Duration reservationLifetime, Access reservers) {

  public RelayLimits {
    positive("reservations", reservations);
    positive("streamsPerPeer", streamsPerPeer);
    positive("streams", streams);
    positive("bytesPerStream", bytesPerStream);
    positive("streamDuration", streamDuration.toMillis());
    if (reservationLifetime.toSeconds() < 2 || reservationLifetime.toSeconds() > 0xFFFF_FFFFL) {
      throw new IllegalArgumentException("reservation lifetime must be 2 s to 2^32-1 s, got " + reservationLifetime);
    }
    Objects.requireNonNull(reservers, "reservers");
  }

  /**
   * For a small public node: 128 reservations, 4 relayed streams per peer and 64 in all, each at
   * most 1 GiB and 1 hour; reservations last 1 hour (go-libp2p's); anyone may reserve.
   */
  public static RelayLimits defaults() {
    return new RelayLimits(128, 4, 64, 1L << 30, Duration.ofHours(1), Duration.ofHours(1), Access.anyone());
  }

  public RelayLimits withReservations(int max, Duration lifetime, Access who) {
    return new RelayLimits(max, streamsPerPeer, streams, bytesPerStream, streamDuration, lifetime, who);
  }

  public RelayLimits withStreams(int perPeer, int total, long bytes, Duration duration) {
    return new RelayLimits(reservations, perPeer, total, bytes, duration, reservationLifetime, reservers);
  }

  private static void positive(String name, long value) {
    if (value <= 0) {
      throw new IllegalArgumentException("relay " + name + " must be positive, got " + value);
    }
  }
}
