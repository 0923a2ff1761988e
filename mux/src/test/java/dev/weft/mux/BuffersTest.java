package dev.weft.mux;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The offset bookkeeping that makes migration and resume lossless, one piece at a time. */
@Timeout(10)
class BuffersTest {
  private static ByteBuf bytes(int from, int length) {
    ByteBuf b = Unpooled.buffer(length);
    for (int i = 0; i < length; i++) {
      b.writeByte(from + i);
    }
    return b;
  }

  private static String drain(ReceiveBuffer in) {
    StringBuilder s = new StringBuilder();
    for (ByteBuf b; (b = in.poll()) != null; b.release()) {
      while (b.isReadable()) {
        s.append(b.readByte()).append(',');
      }
    }
    return s.toString();
  }

  @Test
  void receiveBufferReordersAndDropsDuplicates() {
    ReceiveBuffer in = new ReceiveBuffer();
    assertEquals(0, in.accept(4, bytes(4, 4)), "early data waits");
    assertEquals(4, in.accept(0, bytes(0, 4)) - 4, "the gap closes and both become ready");
    assertEquals(8, in.received());
    assertEquals(0, in.accept(2, bytes(2, 6)), "pure duplicate is dropped");
    assertEquals(2, in.accept(6, bytes(6, 4)), "overlap keeps only the new suffix");
    assertEquals("0,1,2,3,4,5,6,7,8,9,", drain(in));
    in.accept(20, bytes(20, 2));
    in.releaseAll();
  }

  @Test
  void sendBufferRewindsToWhatThePeerReceivedAndReleasesWhatItConsumed() {
    SendBuffer out = new SendBuffer();
    out.append(bytes(0, 10));
    out.append(bytes(10, 10));
    Frame.Data first = out.next(1, 100, 8);
    assertEquals(0, first.offset());
    assertEquals(8, first.payload().readableBytes());
    first.release();
    Frame.Data second = out.next(1, 100, 8);
    assertEquals(8, second.offset());
    assertEquals(2, second.payload().readableBytes(), "chunks never span two writes");
    second.release();
    assertTrue(out.ack(5));
    assertFalse(out.rewind(4), "cannot rewind below what was consumed");
    assertTrue(out.rewind(6));
    Frame.Data again = out.next(1, 100, 100);
    assertEquals(6, again.offset());
    assertEquals(6, again.payload().readByte());
    again.release();
    assertNull(out.next(1, 10, 100), "credit limit stops sending");
    assertFalse(out.ack(21), "cannot acknowledge unwritten bytes");
    assertEquals(15, out.buffered());
    out.releaseAll();
  }

  @Test
  void windowGrantsInBatchesAndGrowsOnlyWhenTheWindowIsTheBottleneck() {
    Budget budget = new Budget(1 << 30, MemoryBudget.unlimited(), 1);
    long rtt = TimeUnit.MILLISECONDS.toNanos(60);
    ReceiveWindow w = new ReceiveWindow(256 * 1024, 1024 * 1024, budget, 0);
    assertFalse(w.consume(64 * 1024, 1, rtt), "no grant for a quarter window");
    assertTrue(w.consume(64 * 1024, 2, rtt), "grant once half the window is consumed");
    Frame.Read grant = w.grant(1);
    assertEquals(128 * 1024, grant.consumed());
    assertEquals(128 * 1024 + 256 * 1024, w.limit());
    // A full window consumed well within two RTTs: the link, not the reader, limits: grow.
    w.consume(128 * 1024, rtt / 2, rtt);
    assertEquals(512 * 1024, w.window());
    // A slow reader (a full window over many RTTs) does not grow it.
    w.consume(512 * 1024, 100 * rtt, rtt);
    assertEquals(512 * 1024, w.window());
    w.consume(512 * 1024, 100 * rtt + 1, rtt);
    w.consume(512 * 1024, 100 * rtt + 2, rtt);
    assertEquals(1024 * 1024, w.window(), "capped at the maximum");
    w.grant(1);
    assertTrue(w.limit() == w.consumed() + w.window());
  }

  @Test
  void windowGrowthStaysWithinTheBudget() {
    Budget budget = new Budget(300 * 1024, MemoryBudget.unlimited(), 1);
    assertEquals(256 * 1024, budget.open(256 * 1024));
    ReceiveWindow w = new ReceiveWindow(256 * 1024, 16 << 20, budget, 0);
    w.consume(256 * 1024, 1, 1000);
    assertEquals(256 * 1024, w.window());
    w.release();
    assertEquals(0, budget.used());
  }
}
