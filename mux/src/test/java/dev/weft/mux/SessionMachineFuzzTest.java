package dev.weft.mux;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.weft.mux.SessionMachine.Flow;
import dev.weft.mux.SessionMachine.Link;
import dev.weft.mux.SessionMachine.Side;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.Timeout;

/**
 * The session state machine of two peers, driven by a fuzzed sequence of operations on both
 * sides: open, write pattern bytes, pause and resume reading, half-close, reset, migrate, kill a
 * stream (failover), make one lose everything in flight first, connect another, and frames forged
 * "from the peer" into either end.
 * After every step: no byte delivered out of order or twice, nothing held beyond what the windows
 * and queues allow, nothing logged as a bug of ours. At the end, once everything in flight has
 * arrived: every byte written on a session that neither side reset and no forged frame touched
 * arrived exactly once; callers saw only the documented exceptions; every buffer was released.
 *
 * <p>Everything runs on one event loop and is drained after each step (see {@link SessionMachine}),
 * so a finding replays. Seeds: SessionMachineFuzzTestInputs/keepsEveryByteOnce/.
 */
@Timeout(30)
class SessionMachineFuzzTest {
  private static final int MAX_STEPS = 64;

  @FuzzTest(maxDuration = "5m")
  void keepsEveryByteOnce(FuzzedDataProvider data) throws Exception {
    long errorsBefore = BugLog.count();
    try (SessionMachine m = new SessionMachine()) { // closing checks that every buffer was released
      m.connect();
      for (int step = 0; step < MAX_STEPS && data.remainingBytes() > 0; step++) {
        act(m, data);
        checkSteady(m);
      }
      m.settle();
      checkSteady(m);
      checkComplete(m);
    }
    assertEquals(errorsBefore, BugLog.count(), "the mux logged an unexpected failure (see stderr)");
  }

  private static void act(SessionMachine m, FuzzedDataProvider data) throws Exception {
    Side side = data.consumeBoolean() ? m.a : m.b;
    int op = data.consumeInt(0, 10);
    Session s = pick(side, data);
    switch (op) {
      case 0 -> m.run(() -> m.watch(side.table.open("svc", new byte[0]).thenAccept(side::adopt)));
      case 1 -> write(m, side, s, data.consumeInt(1, SessionMachine.MAX_WRITE));
      case 2, 3 -> {
        if (s != null) {
          m.run(() -> {
            if (op == 2) {
              s.pause();
              side.paused.add(s.id().value());
            } else {
              s.resume();
              side.paused.remove(s.id().value());
            }
          });
        }
      }
      case 4 -> {
        if (s != null) {
          m.run(() -> m.watch(s.close()));
        }
      }
      case 5 -> {
        if (s != null) {
          m.run(() -> s.reset("fuzzed reset"));
        }
      }
      case 6 -> {
        Link to = pickLink(m.openLinks(), data);
        if (s != null && to != null) {
          m.run(() -> m.watch(side.table.migrate(s.id(), to.id())));
        }
      }
      case 7 -> {
        Link l = pickLink(m.openLinks(), data);
        if (l != null) {
          m.run(l::kill);
        }
      }
      case 9 -> {
        Link l = pickLink(m.openLinks(), data);
        if (l != null) {
          m.run(l::blackhole);
        }
      }
      case 8 -> {
        if (m.openLinks().size() < SessionMachine.MAX_STREAMS) {
          m.connect();
        }
      }
      default -> forge(m, side, data);
    }
  }

  private static void write(SessionMachine m, Side side, Session s, int length) throws Exception {
    if (s == null) {
      return;
    }
    m.run(() -> {
      Flow out = m.flow(side.high, s.id().value());
      ByteBuf buf = m.alloc.buffer(length);
      for (int i = 0; i < length; i++) {
        buf.writeByte(SessionMachine.pattern(side.high, s.id().value(), out.written + i));
      }
      CompletableFuture<Void> done = s.write(buf);
      // On the loop the write is taken or refused at once: only taken bytes are owed to the peer.
      if (!done.isCompletedExceptionally()) {
        out.written += length;
      }
      m.watch(done);
    });
  }

  /** A frame (or bytes) arriving at {@code side} on one of its streams as if the peer sent it. */
  private static void forge(SessionMachine m, Side side, FuzzedDataProvider data) throws Exception {
    Link l = pickLink(m.openLinks(), data);
    if (l == null) {
      return;
    }
    long session = data.consumeBoolean() && !side.sessions.isEmpty()
        ? new ArrayList<>(side.sessions.keySet()).get(data.consumeInt(0, side.sessions.size() - 1))
        : data.consumeLong();
    ByteBuf frame = m.alloc.buffer();
    int kind = data.consumeInt(0, 11);
    if (kind == 11) {
      frame.writeBytes(data.consumeBytes(data.consumeInt(0, 64)));
      m.forgedAll = true;
    } else {
      Frame f = FrameForge.frame(kind, session, data);
      if (f.session() != 0) {
        m.forged.add(f.session());
      }
      FrameForge.encode(f, frame);
    }
    Channel end = l.end(side.high);
    m.run(() -> {
      if (end.isActive()) {
        end.pipeline().fireChannelRead(frame).fireChannelReadComplete();
      } else {
        frame.release();
      }
    });
  }

  private static Session pick(Side side, FuzzedDataProvider data) {
    List<Session> all = new ArrayList<>(side.sessions.values());
    return all.isEmpty() ? null : all.get(data.consumeInt(0, all.size() - 1));
  }

  private static Link pickLink(List<Link> links, FuzzedDataProvider data) {
    return links.isEmpty() ? null : links.get(data.consumeInt(0, links.size() - 1));
  }

  /** After every step: no untouched byte out of place, nothing held beyond the bound. */
  private static void checkSteady(SessionMachine m) throws Exception {
    m.run(() -> m.flows.forEach((key, flow) -> {
      if (untouched(m, (Long) key.get(1))) {
        assertNull(flow.violation, () -> "session " + key + ": " + flow.violation);
        assertTrue(flow.delivered <= flow.written,
            () -> "session " + key + ": " + flow.delivered + " bytes delivered of " + flow.written + " written");
      }
    }));
    long bound = m.memoryBound();
    long held = m.call(m.alloc::liveBytes);
    assertTrue(held <= bound, () -> "the pair holds " + held + " bytes, more than its bound of " + bound);
  }

  /**
   * Once settled (a stream is live, nothing in flight): each untouched session is steady at both
   * ends or ended at both, every byte written on one steady at both ends arrived, and callers saw
   * only documented failures.
   */
  private static void checkComplete(SessionMachine m) throws Exception {
    m.run(() -> {
      Set<Long> ids = new HashSet<>(m.a.sessions.keySet());
      ids.addAll(m.b.sessions.keySet());
      for (long id : ids) {
        if (!untouched(m, id)) {
          continue;
        }
        SessionState atA = state(m.a, id);
        SessionState atB = state(m.b, id);
        assertTrue(atA.steady() && atB.steady() || atA == SessionState.CLOSED && atB == SessionState.CLOSED,
            () -> "session " + new SessionId(id) + " is " + atA + " at A but " + atB + " at B once settled");
        for (boolean high : new boolean[] {true, false}) {
          Flow flow = m.flow(high, id);
          if (atA.steady()) {
            assertEquals(flow.written, flow.delivered, () -> "session " + new SessionId(id) + " from "
                + (high ? "A" : "B") + ": bytes lost (" + atA + " / " + atB + ")");
          }
        }
      }
      for (Throwable e : m.failures) {
        Throwable cause = e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
        assertTrue(documented(cause), () -> "undocumented failure " + cause);
      }
    });
  }

  /** The state of session {@code id} in {@code side}'s table (CLOSED once the table forgot it). */
  private static SessionState state(Side side, long id) {
    Session s = side.table.session(id);
    return s == null ? SessionState.CLOSED : s.state();
  }

  private static boolean untouched(SessionMachine m, long session) {
    return !m.forgedAll && !m.forged.contains(session);
  }

  private static boolean documented(Throwable e) {
    return e instanceof SessionResetException || e instanceof SessionRejectedException
        || e instanceof MigrationException || e instanceof IllegalStateException
        || e instanceof IllegalArgumentException;
  }
}
