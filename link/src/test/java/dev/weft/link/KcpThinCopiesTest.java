package dev.weft.link;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jpower.kcp.netty.Kcp;
import io.jpower.kcp.netty.KcpOutput;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.PriorityQueue;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Which datagrams a thin conversation sends twice, and what that does to round trips under loss:
 * two of kcp-netty's own conversations on a simulated clock, 50 ms apart, losing 5 % each way.
 */
class KcpThinCopiesTest {
  private long nanos;

  private static ByteBuf segment(int cmd, int length) {
    ByteBuf header = Unpooled.buffer(24 + length);
    header.writeIntLE(7).writeByte(cmd).writeByte(0).writeShortLE(128).writeIntLE(0).writeIntLE(0).writeIntLE(0);
    return header.writeIntLE(length).writeZero(length);
  }

  @Test
  void onlyDatagramsCarryingDataCount() {
    ByteBuf acks = Unpooled.wrappedBuffer(segment(82, 0), segment(82, 0));
    ByteBuf ackThenData = Unpooled.wrappedBuffer(segment(82, 0), segment(81, 100));
    assertFalse(KcpThinCopies.carriesData(acks));
    assertTrue(KcpThinCopies.carriesData(ackThenData));
    assertFalse(KcpThinCopies.carriesData(segment(83, 0)), "a window probe");
    acks.release();
    ackThenData.release();
  }

  @Test
  void aThinConversationsDataGoesTwiceAndBulkOnce() {
    List<ByteBuf> sent = new ArrayList<>();
    Kcp kcp = conversation(new KcpThinCopies((datagram, k) -> sent.add(datagram), () -> nanos));
    kcp.send(Unpooled.wrappedBuffer(new byte[100]));
    kcp.update(10);
    assertEquals(2, sent.size(), "a lone request, twice");
    assertEquals(sent.get(0), sent.get(1), "the same bytes");
    sent.forEach(ByteBuf::release);
    sent.clear();
    kcp.send(Unpooled.wrappedBuffer(new byte[64 * 1024]));
    kcp.update(20);
    assertTrue(sent.size() >= 48, sent.size() + " datagrams");
    assertEquals(sent.size(), sent.stream().distinct().count(), "bulk, once each");
    sent.forEach(ByteBuf::release);
  }

  @Test
  void copiesStayWithinTheirBudget() {
    List<ByteBuf> sent = new ArrayList<>();
    KcpThinCopies copies = new KcpThinCopies((datagram, k) -> sent.add(datagram), () -> nanos);
    Kcp kcp = conversation(null);
    for (int i = 0; i < 100; i++) {
      copies.out(segment(81, 1000), kcp);
    }
    long copied = sent.size() - 100;
    assertEquals(KcpThinCopies.BURST_BYTES / 1024, copied, "a burst's worth at once");
    nanos += 1_000_000_000L;
    sent.forEach(ByteBuf::release);
    sent.clear();
    copies.out(segment(81, 1000), kcp);
    assertEquals(2, sent.size(), "and more as time passes");
    sent.forEach(ByteBuf::release);
  }

  @Test
  void roundTripsUnderLossStayNearThePathsRtt() {
    long[] plain = roundTrips(false);
    long[] copied = roundTrips(true);
    // Each round trip sends two datagrams, and 5 % loss each way drops one of them one time in ten:
    // a lost one waits for its RTO (about the RTT again), a second loss for a longer one. The
    // 10 ms update clock adds up to 20 ms to every round trip.
    assertTrue(percentile(plain, 99) >= 110, "without copies p99 " + percentile(plain, 99) + " ms");
    assertTrue(percentile(copied, 99) <= 80, "with copies p99 " + percentile(copied, 99) + " ms");
    assertTrue(percentile(copied, 50) <= percentile(plain, 50), "and no slower in the middle");
  }

  private static long percentile(long[] sorted, int p) {
    return sorted[(int) Math.ceil(p / 100.0 * sorted.length) - 1];
  }

  private Kcp conversation(KcpOutput output) {
    Kcp kcp = new Kcp(7, output);
    kcp.nodelay(true, KcpSettings.INTERVAL_MILLIS, 2, true);
    kcp.wndsize(1024, 1024);
    kcp.setMtu(KcpSettings.MTU);
    return kcp;
  }

  /** 1,000 round trips of a 100-byte request and its echo, one after the other, in ms, sorted. */
  private long[] roundTrips(boolean copies) {
    record Datagram(long due, long order, Kcp to, ByteBuf bytes) {}
    PriorityQueue<Datagram> wire = new PriorityQueue<>(
        (a, b) -> a.due != b.due ? Long.compare(a.due, b.due) : Long.compare(a.order, b.order));
    Random loss = new Random(14);
    long[] now = {0};
    long[] order = {0};
    Kcp[] ends = new Kcp[2];
    for (int i = 0; i < 2; i++) {
      int to = 1 - i;
      KcpOutput path = (datagram, k) -> {
        if (loss.nextDouble() < 0.05) {
          datagram.release();
        } else {
          wire.add(new Datagram(now[0] + 25, order[0]++, ends[to], datagram));
        }
      };
      ends[i] = conversation(copies ? new KcpThinCopies(path, () -> now[0] * 1_000_000L) : path);
    }
    Kcp client = ends[0];
    Kcp server = ends[1];
    long[] took = new long[1000];
    ByteBuf into = Unpooled.buffer();
    for (int trip = 0; trip < took.length; trip++) {
      long start = now[0];
      client.send(Unpooled.wrappedBuffer(new byte[100]));
      for (boolean answered = false; !answered; now[0]++) {
        for (Datagram d; (d = wire.peek()) != null && d.due <= now[0]; ) {
          wire.poll();
          d.to.input(d.bytes);
          d.bytes.release();
        }
        while (server.canRecv()) {
          into.clear();
          server.recv(into);
          server.send(Unpooled.copiedBuffer(into));
        }
        while (client.canRecv()) {
          into.clear();
          client.recv(into);
          answered = true;
          took[trip] = now[0] - start;
        }
        if (now[0] % KcpSettings.INTERVAL_MILLIS == 0) {
          client.update((int) now[0]);
          server.update((int) now[0]);
        }
      }
    }
    into.release();
    wire.forEach(d -> d.bytes.release());
    Arrays.sort(took);
    return took;
  }
}
