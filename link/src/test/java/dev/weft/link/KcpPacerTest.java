package dev.weft.link;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The pacer's token bucket on a clock the test moves. */
class KcpPacerTest {
  private static final int DATAGRAM = KcpSettings.MTU;
  private final List<ByteBuf> sent = new ArrayList<>();
  private final List<Runnable> timers = new ArrayList<>();
  private long nanos = 1_000_000_000L;
  private final KcpPacer pacer = new KcpPacer((bytes, kcp) -> sent.add(bytes), () -> nanos, timers::add);

  @AfterEach
  void release() {
    sent.forEach(ByteBuf::release);
  }

  private void out(int datagrams) {
    for (int i = 0; i < datagrams; i++) {
      pacer.out(Unpooled.buffer(DATAGRAM).writeZero(DATAGRAM), null);
    }
  }

  /** Moves the clock by {@code millis}, running the drain the pacer asked for each millisecond. */
  private void advance(int millis) {
    for (int i = 0; i < millis; i++) {
      nanos += 1_000_000;
      List<Runnable> due = List.copyOf(timers);
      timers.clear();
      due.forEach(Runnable::run);
    }
  }

  @Test
  void unpacedEverythingLeavesAtOnce() {
    out(1000);
    assertEquals(1000, sent.size());
    assertEquals(0, timers.size(), "no timer without a rate");
  }

  @Test
  void pacedABurstLeavesAtTheRateInOrder() {
    long rate = 100L * DATAGRAM * 1000; // 100 datagrams a millisecond
    pacer.rate(rate);
    advance(10); // a full bucket: 2 ms of the rate
    out(1000);
    assertEquals(200, sent.size(), "the bucket's 2 ms leave back to back");
    advance(3);
    assertEquals(500, sent.size(), "then 100 a millisecond");
    advance(10);
    assertEquals(1000, sent.size());
    assertEquals(0, timers.size(), "no timer once nothing waits");
  }

  @Test
  void noRateSendsWhatWaitsAndStopsPacing() {
    pacer.rate(10L * DATAGRAM * 1000);
    out(100);
    pacer.rate(0);
    assertEquals(100, sent.size());
    ByteBuf first = sent.get(0);
    out(1);
    assertEquals(101, sent.size());
    assertEquals(first, sent.get(0), "in order");
  }
}
