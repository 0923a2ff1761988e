package dev.weft.it.hostile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.link.Transport;
import dev.weft.mux.Frame;
import dev.weft.mux.Reason;
import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Authenticated peers that flood the victim with legal frames: it answers each one and refuses
 * beyond its limits.
 */
@Timeout(300)
class FloodTest extends AgainstVictim {
  /** Mux default: sessions per stream; the node's memory budget may refuse sooner. */
  private static final int SESSIONS_PER_STREAM = 2048;
  private static final Duration ANSWER = Duration.ofSeconds(30);

  @ParameterizedTest
  @EnumSource(value = Transport.class, names = {"TCP", "KCP"})
  void aQueryFloodIsAnsweredUpToTheSessionLimitThenRefused(Transport transport) throws Exception {
    int queries = SESSIONS_PER_STREAM + 500;
    victim.survives(v -> {
      try (RawLink link = RawLink.greeted(v, transport)) {
        for (int i = 0; i < queries; i++) {
          link.send(new Frame.Query(link.sessionId(false), 64 * 1024, Victim.DROP, new byte[0]));
        }
        Map<Reason, Integer> refused = new EnumMap<>(Reason.class);
        int accepted = 0;
        for (int i = 0; i < queries; i++) {
          Frame.Response r = link.expect(Frame.Response.class, x -> true, ANSWER);
          if (r.accepted()) {
            accepted++;
          } else {
            refused.merge(r.reason(), 1, Integer::sum);
          }
        }
        assertTrue(accepted > 0 && accepted <= SESSIONS_PER_STREAM, accepted + " accepted");
        assertEquals(Map.of(Reason.LIMIT_REACHED, queries - accepted), refused);
      }
    });
  }

  @ParameterizedTest
  @EnumSource(value = Transport.class, names = {"TCP", "KCP"})
  void aQueryFloodForAMissingServiceIsRefusedOneByOne(Transport transport) throws Exception {
    int queries = 5_000;
    victim.survives(v -> {
      try (RawLink link = RawLink.greeted(v, transport)) {
        for (int i = 0; i < queries; i++) {
          link.send(new Frame.Query(link.sessionId(false), 64 * 1024, "nothing", new byte[0]));
        }
        for (int i = 0; i < queries; i++) {
          assertEquals(Reason.NO_SUCH_SERVICE, link.expect(Frame.Response.class, x -> true, ANSWER).reason());
        }
      }
    });
  }

  @ParameterizedTest
  @EnumSource(value = Transport.class, names = {"TCP", "KCP"})
  void aPingFloodIsAnswered(Transport transport) throws Exception {
    int pings = 20_000;
    victim.survives(v -> {
      try (RawLink link = RawLink.greeted(v, transport)) {
        for (int i = 1; i <= pings; i++) {
          link.send(new Frame.Ping(i));
        }
        link.expect(Frame.Pong.class, p -> p.id() == pings, ANSWER);
      }
    });
  }
}
