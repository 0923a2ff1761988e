package dev.weft.mux;

import static dev.weft.mux.Fixture.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Pings only as liveness needs them: none while sessions' frames flow both ways on a stream (the
 * peer plainly answers, and a Ping would queue behind the data), one per interval once it is idle.
 */
@Timeout(60)
class BusyStreamPingTest {
  /** Long enough that a loaded machine's scheduling stalls do not look like a pause in the traffic. */
  private static final Duration INTERVAL = Duration.ofMillis(400);

  @Test
  void aStreamCarryingTrafficBothWaysIsNotPingedAndAnIdleOneIs() throws Exception {
    try (Fixture f = new Fixture(MuxConfig.defaults().withPing(INTERVAL, Duration.ofSeconds(5)), new Services())) {
      Fixture.Link link = f.link();
      Flow flow = Flow.start(f, 11);
      await(flow.reader().reached(200_000));
      Thread.sleep(2 * INTERVAL.toMillis()); // the Ping of the interval the flow started in
      long pingedBefore = lastPing(f.a, link.id());
      long received = flow.reader().received();
      Thread.sleep(8 * INTERVAL.toMillis());
      assertTrue(flow.reader().received() > received, "the flow kept going");
      assertEquals(pingedBefore, lastPing(f.a, link.id()), "pinged during 8 intervals of traffic both ways");
      flow.finish();
      Thread.sleep(3 * INTERVAL.toMillis());
      assertTrue(lastPing(f.a, link.id()) > pingedBefore, "an idle stream is pinged again");
    }
  }

  private static long lastPing(SessionTable table, long streamId) throws Exception {
    return await(CompletableFuture.supplyAsync(() -> table.stream(streamId).lastPing(), table.executor()));
  }
}
