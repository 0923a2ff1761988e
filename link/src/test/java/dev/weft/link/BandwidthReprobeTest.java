package dev.weft.link;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.netty.channel.Channel;
import io.netty.channel.epoll.Epoll;
import org.junit.jupiter.api.Test;

/** When a TCP link's congestion control is made to measure the path afresh, and that it stays the same one. */
class BandwidthReprobeTest {
  private static final long MS = 1_000_000;
  private long now = 5_000 * MS;
  private final BandwidthReprobe reprobe = new BandwidthReprobe(() -> now);

  /** Writes of {@code bytes} every {@code everyMs} for {@code forMs}: how many started a burst. */
  private int write(int bytes, long everyMs, long forMs) {
    int bursts = 0;
    for (long t = 0; t < forMs; t += everyMs) {
      bursts += reprobe.burstStarts(bytes) ? 1 : 0;
      now += everyMs * MS;
    }
    return bursts;
  }

  @Test
  void aBurstAfterAQuietSpellStartsOnceAndLightTrafficNever() {
    assertEquals(0, write(16 * 1024, 10, 3_000), "bulk within a second of the connection's start: it is starting up anyway");
    assertEquals(0, write(200, 50, 10_000), "pings, credits and a session's opening for 10 s");
    assertEquals(1, write(16 * 1024, 10, 3_000), "the next bulk, once, at its start");
    now += 900 * MS;
    assertEquals(0, write(16 * 1024, 10, 1_000), "bulk again after 900 ms: not quiet long enough");
    now += 1_000 * MS;
    assertEquals(0, write(40 * 1024, 150, 1_000), "40 KiB per 100 ms bucket is light");
    assertEquals(1, write(40 * 1024, 60, 1_000), "80 KiB in one is busy");
  }

  @Test
  void reprobingLeavesTheSocketOnItsCongestionControl() throws Exception {
    assumeTrue(Epoll.isAvailable(), "native epoll");
    try (EpollConnection connection = new EpollConnection()) {
      Channel client = connection.client();
      String initial = congestion(client);
      assertTrue(BandwidthReprobe.reprobe(client));
      assertEquals(initial, congestion(client));
      client.config().setOption(BandwidthReprobe.CONGESTION, BandwidthReprobe.value("reno"));
      assertTrue(BandwidthReprobe.reprobe(client), "reno goes through cubic and back");
      assertEquals("reno", congestion(client));
      client.close().sync();
      assertFalse(BandwidthReprobe.reprobe(client), "a closed socket refuses");
    }
  }

  private static String congestion(Channel channel) {
    return BandwidthReprobe.name(channel.config().getOption(BandwidthReprobe.CONGESTION));
  }
}
