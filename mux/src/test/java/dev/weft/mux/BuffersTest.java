package dev.weft.mux;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.util.SplittableRandom;
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
  void earlyDataIsCopiedOutOfItsMessageWithoutOverlapsAndJoinedIntoRuns() {
    ReceiveBuffer in = new ReceiveBuffer();
    ByteBuf message = bytes(0, 64);
    // One-byte pieces, each a slice of one large message, as a peer could send them.
    for (int offset = 10; offset < 20; offset++) {
      in.accept(offset, message.retainedSlice(offset, 1));
    }
    assertEquals(1, in.earlyRuns(), "contiguous pieces form one run");
    in.accept(30, message.retainedSlice(30, 4));
    in.accept(12, message.retainedSlice(12, 20)); // overlaps both runs and fills the gap between
    assertEquals(1, in.earlyRuns(), "a piece that closes a gap joins the runs");
    assertEquals(1, message.refCnt(), "nothing early still pins the message");
    in.accept(0, message.retainedSlice(0, 10));
    assertEquals(34, in.received());
    StringBuilder expected = new StringBuilder();
    for (int i = 0; i < 34; i++) {
      expected.append(i).append(',');
    }
    assertEquals(expected.toString(), drain(in));
    assertEquals(0, in.earlyRuns());
    message.release();
  }

  @Test
  void randomPiecesInAnyOrderComeOutAsTheWholeSequence() {
    SplittableRandom random = new SplittableRandom(42);
    for (int round = 0; round < 300; round++) {
      boolean large = round % 2 == 1;
      int total = 1 + random.nextInt(large ? 400_000 : 300);
      int span = large ? 40_000 : 40;
      byte[] content = new byte[total];
      random.nextBytes(content);
      ByteBuf message = Unpooled.wrappedBuffer(content);
      ReceiveBuffer in = new ReceiveBuffer();
      ByteBuf out = Unpooled.buffer(total);
      while (in.received() < total) {
        int from = (int) Math.max(0, in.received() - span / 4 + random.nextInt(span * 2));
        if (from >= total) {
          continue;
        }
        int length = 1 + random.nextInt(Math.min(span, total - from));
        in.accept(from, message.retainedSlice(from, length));
        for (ByteBuf b; (b = in.poll()) != null; b.release()) {
          out.writeBytes(b);
        }
      }
      assertEquals(message, out, "round " + round);
      assertEquals(0, in.earlyRuns());
      message.release();
      out.release();
    }
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
  void windowGrantsInBatchesAndGrowsOnlyWhenTheSenderWaitedForCredit() {
    Budget budget = new Budget(1 << 30, SharedLimit.unlimited().share(), 1);
    ReceiveWindow w = new ReceiveWindow(256 * 1024, 1024 * 1024, budget, new PathWindow(() -> 0, 0), 0);
    assertFalse(w.consume(64 * 1024, 1), "no grant for a quarter window");
    assertTrue(w.consume(64 * 1024, 2), "grant once half the window is consumed");
    Frame.Credit grant = w.grant(1);
    assertEquals(128 * 1024, grant.consumed());
    assertEquals(128 * 1024 + 256 * 1024, w.limit());
    // The sender stopped at the limit this grant replaced while the reader had taken everything:
    // it waited for credit, so the window limits the session: grow, however long that took.
    w.arrived(256 * 1024, 128 * 1024);
    w.consume(128 * 1024, TimeUnit.SECONDS.toNanos(5));
    assertEquals(512 * 1024, w.window());
    // Data ending short of any limit: the sender was held back by something else.
    w.arrived(w.limit() - 1, w.consumed());
    w.consume(512 * 1024, TimeUnit.SECONDS.toNanos(6));
    assertEquals(512 * 1024, w.window());
    // The sender reached the limit, but the reader had not taken what came before: a slow reader.
    w.grant(1);
    w.arrived(w.limit(), w.consumed() + 1);
    w.consume(512 * 1024, TimeUnit.SECONDS.toNanos(7));
    assertEquals(512 * 1024, w.window());
    // Out of credit at the current limit, reader idle: grow, up to the maximum.
    for (int i = 0; i < 3; i++) {
      w.grant(1);
      w.arrived(w.limit(), w.consumed());
      w.consume(w.window(), TimeUnit.SECONDS.toNanos(8 + i));
    }
    assertEquals(1024 * 1024, w.window(), "capped at the maximum");
    w.grant(1);
    assertEquals(w.consumed() + w.window(), w.limit());
  }

  @Test
  void windowGrowthStaysWithinTheBudget() {
    Budget budget = new Budget(300 * 1024, SharedLimit.unlimited().share(), 1);
    assertEquals(256 * 1024, budget.open(256 * 1024));
    ReceiveWindow w = new ReceiveWindow(256 * 1024, 16 << 20, budget, new PathWindow(() -> 0, 0), 0);
    w.arrived(256 * 1024, 0);
    w.consume(256 * 1024, 1);
    assertEquals(300 * 1024, w.window(), "doubling would take 512 KiB: it grows only as far as the budget holds");
    assertEquals(300 * 1024, budget.used());
    w.release();
    assertEquals(0, budget.used());
  }
}
