package dev.weft.mux;

import static dev.weft.mux.Fixture.await;
import static dev.weft.mux.SessionState.CLOSED;
import static dev.weft.mux.SessionState.FAILING_OVER;
import static dev.weft.mux.SessionState.HALF_CLOSED_LOCAL;
import static dev.weft.mux.SessionState.HALF_CLOSED_REMOTE;
import static dev.weft.mux.SessionState.MIGRATING;
import static dev.weft.mux.SessionState.OPEN;
import static dev.weft.mux.SessionState.OPENING;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.EnumSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The session state machine: every pair of states is either an allowed transition or refused. */
@Timeout(30)
class SessionStateTest {
  /** docs/architecture.md's table, written out again: a change to either must be made to both. */
  private static final Map<SessionState, Set<SessionState>> ALLOWED = Map.of(
      OPENING, EnumSet.of(OPEN, CLOSED),
      OPEN, EnumSet.of(HALF_CLOSED_LOCAL, HALF_CLOSED_REMOTE, MIGRATING, FAILING_OVER, CLOSED),
      HALF_CLOSED_LOCAL, EnumSet.of(MIGRATING, FAILING_OVER, CLOSED),
      HALF_CLOSED_REMOTE, EnumSet.of(MIGRATING, FAILING_OVER, CLOSED),
      MIGRATING, EnumSet.of(OPEN, HALF_CLOSED_LOCAL, HALF_CLOSED_REMOTE, CLOSED),
      FAILING_OVER, EnumSet.of(OPEN, HALF_CLOSED_LOCAL, HALF_CLOSED_REMOTE, CLOSED),
      CLOSED, EnumSet.noneOf(SessionState.class));

  @Test
  void everyPairOfStatesIsAllowedOrRefusedAsTheTableSays() {
    assertEquals(EnumSet.allOf(SessionState.class), ALLOWED.keySet());
    for (SessionState from : SessionState.values()) {
      for (SessionState to : SessionState.values()) {
        assertEquals(ALLOWED.get(from).contains(to), from.canMoveTo(to), from + " -> " + to);
      }
    }
  }

  @Test
  void onlyOpenAndHalfClosedAreSteady() {
    for (SessionState s : SessionState.values()) {
      assertEquals(EnumSet.of(OPEN, HALF_CLOSED_LOCAL, HALF_CLOSED_REMOTE).contains(s), s.steady(), s.name());
    }
  }

  @Test
  void aMoveSettlesIntoWhatTheDirectionsSay() {
    assertEquals(OPEN, SessionState.settled(false, false));
    assertEquals(HALF_CLOSED_LOCAL, SessionState.settled(true, false));
    assertEquals(HALF_CLOSED_REMOTE, SessionState.settled(false, true));
  }

  @Test
  void aLiveSessionRefusesEveryForbiddenTransition() throws Exception {
    try (Fixture f = new Fixture(MuxConfig.defaults(), new Services())) {
      f.link();
      Session s = await(f.a.open("echo", new byte[0]));
      for (SessionState to : EnumSet.complementOf(EnumSet.copyOf(ALLOWED.get(OPEN)))) {
        ExecutionException refused = assertThrows(ExecutionException.class,
            () -> s.executor().submit(() -> s.moveTo(to)).get());
        assertInstanceOf(IllegalStateException.class, refused.getCause(), to.name());
        assertEquals(OPEN, s.state());
      }
    }
  }
}
