package dev.weft.link;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jpower.kcp.netty.DefaultUkcpClientChannelConfig;
import io.jpower.kcp.netty.Ukcp;
import io.jpower.kcp.netty.UkcpClientChannel;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import java.lang.reflect.Method;
import java.net.DatagramSocket;
import java.util.ArrayList;
import java.util.List;
import java.util.PriorityQueue;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** kcp-netty's own state machine under weft's settings, on a simulated clock. */
@Timeout(10)
class KcpSettingsTest {
  @Test
  void aSegmentNeverAcknowledgedForAMinuteLeavesTheConversationToTheIdleTimeout() throws Exception {
    AtomicInteger datagrams = new AtomicInteger();
    Ukcp ukcp = new Ukcp(1, (datagram, kcp) -> {
      datagrams.incrementAndGet();
      datagram.release();
    });
    UkcpClientChannel channel = new UkcpClientChannel();
    try (DatagramSocket unbound = new DatagramSocket(null)) {
      new DefaultUkcpClientChannelConfig(channel, ukcp, unbound).setOptions(KcpSettings.DEFAULTS.options());
      ukcp.send(Unpooled.wrappedBuffer(new byte[100]));
      // A minute without a single ACK, as from a peer starved of CPU (at the 30 ms minimum RTO,
      // kcp-netty's default dead-link count gave up after about 3 s).
      for (int now = 0; now <= 60_000; now += KcpSettings.INTERVAL_MILLIS) {
        ukcp.update(now);
      }
      assertEquals(0, ukcp.getState(), "KCP declared the link dead after " + datagrams.get() + " datagrams");
      assertTrue(datagrams.get() > 20, "only " + datagrams.get() + " datagrams were sent");
    } finally {
      close(ukcp, channel);
    }
  }

  @Test
  void aLostRequestCostsAboutOneMoreRoundTripAndALostResendHalfAsMuchAgain() throws Exception {
    try (RequestReply path = new RequestReply(25)) {
      for (int i = 0; i < 20; i++) {
        path.roundTrip();
      }
      // Two datagrams a round trip: the reply carries the request's ACK, the next request the reply's.
      assertEquals(40, path.datagrams, "datagrams for 20 round trips");

      path.dropNext(1);
      int once = path.roundTrip();
      path.dropNext(2);
      int twice = path.roundTrip();

      // The resend waits srtt + the 10 ms interval, where TCP waits at least its 200 ms minimum
      // RTO; a second resend 1.5 times that (nodelay's backoff, where the default doubles it).
      int rtt = 2 * path.delay;
      int rto = once - rtt;
      assertTrue(rto >= rtt - KcpSettings.INTERVAL_MILLIS && rto <= rtt + 2 * KcpSettings.INTERVAL_MILLIS,
          "a lost request cost " + rto + " ms more at " + rtt + " ms RTT");
      int secondRto = twice - once;
      assertTrue(secondRto <= rto * 3 / 2 + KcpSettings.INTERVAL_MILLIS,
          "a lost resend cost " + secondRto + " ms more, after " + rto + " ms for the first");
    }
  }

  /**
   * A client and an echo server, {@code delay} ms apart each way, driven as kcp-netty's channels
   * drive them: a write is flushed at once, anything else waits for the update that {@code check}
   * schedules (an arriving datagram only marks the conversation for it).
   */
  private static final class RequestReply implements AutoCloseable {
    private record Datagram(int due, long order, Ukcp to, ByteBuf bytes) {}

    final int delay;
    int datagrams;
    private int now;
    private int lostFromClient;
    private long order;
    private final PriorityQueue<Datagram> inFlight = new PriorityQueue<>(
        (a, b) -> a.due != b.due ? Integer.compare(a.due, b.due) : Long.compare(a.order, b.order));
    private final Ukcp client = new Ukcp(1, (bytes, kcp) -> send(this.server, bytes));
    private final Ukcp server = new Ukcp(1, (bytes, kcp) -> send(this.client, bytes));
    private final List<UkcpClientChannel> channels = new ArrayList<>();
    private int clientUpdate;
    private int serverUpdate;

    RequestReply(int delay) throws Exception {
      this.delay = delay;
      for (Ukcp ukcp : List.of(client, server)) {
        UkcpClientChannel channel = new UkcpClientChannel();
        channels.add(channel);
        try (DatagramSocket unbound = new DatagramSocket(null)) {
          new DefaultUkcpClientChannelConfig(channel, ukcp, unbound).setOptions(KcpSettings.DEFAULTS.options());
        }
      }
    }

    /** The client's next {@code count} datagrams are lost. */
    void dropNext(int count) {
      lostFromClient = count;
    }

    private void send(Ukcp to, ByteBuf bytes) {
      datagrams++;
      if (to == server && lostFromClient > 0) {
        lostFromClient--;
        bytes.release();
        return;
      }
      inFlight.add(new Datagram(now + delay, order++, to, bytes));
    }

    /** One 64-byte request until its reply is back; how long that took, in ms. */
    int roundTrip() throws Exception {
      int start = now;
      clientUpdate = write(client);
      for (; now < start + 10_000; now++) {
        for (Datagram d; (d = inFlight.peek()) != null && d.due <= now; ) {
          inFlight.poll();
          d.to.input(d.bytes);
          d.bytes.release();
        }
        if (server.canRecv()) {
          drain(server);
          serverUpdate = write(server); // the echo answers at once
        }
        if (client.canRecv()) {
          drain(client);
          return now - start;
        }
        if (now >= clientUpdate) {
          clientUpdate = client.update(now);
        }
        if (now >= serverUpdate) {
          serverUpdate = server.update(now);
        }
      }
      throw new AssertionError("no reply within 10 s");
    }

    /** Sends 64 bytes and flushes, as a write does; returns when the next update is due. */
    private int write(Ukcp from) throws Exception {
      from.send(Unpooled.wrappedBuffer(new byte[64]));
      return from.update(now);
    }

    private static void drain(Ukcp ukcp) throws Exception {
      ByteBuf into = Unpooled.buffer();
      try {
        while (ukcp.canRecv()) {
          ukcp.receive(into);
        }
      } finally {
        into.release();
      }
    }

    @Override
    public void close() throws Exception {
      inFlight.forEach(d -> d.bytes.release());
      KcpSettingsTest.close(client, channels.get(0));
      KcpSettingsTest.close(server, channels.get(1));
    }
  }

  private static void close(Ukcp ukcp, UkcpClientChannel channel) throws Exception {
    Method close = Ukcp.class.getDeclaredMethod("setKcpClosed");
    close.setAccessible(true);
    close.invoke(ukcp);
    ((Channel) channel).unsafe().closeForcibly(); // never registered: only its socket to close
  }
}
