package dev.weft.mux;

import io.netty.buffer.ByteBuf;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A session's receiving direction: bytes put back in offset order, delivered to the handler
 * while it is not paused, and the credit granted as it consumes them. Confined to the table's
 * executor, except {@link #bytesIn()}.
 */
final class ReceiveHalf {
  private static final Logger log = LoggerFactory.getLogger(ReceiveHalf.class);

  private final Session session;
  private final ReceiveBuffer in = new ReceiveBuffer();
  private final ReceiveWindow window;
  /** The table's clock, in nanoseconds. */
  private final LongSupplier clock;
  /** The offset the peer's Close ended its direction at, or -1 before its Close. */
  private long remoteFinal = -1;
  private boolean endDelivered;
  private SessionHandler handler;
  private boolean paused;
  private volatile long bytesIn;

  ReceiveHalf(Session session, ReceiveWindow window, LongSupplier clock) {
    this.session = session;
    this.window = window;
    this.clock = clock;
  }

  /** Takes {@code data} (owned from now on); returns how it breaks the protocol, or null. */
  String accept(Frame.Data data) {
    String violation = data.end() > window.limit()
        ? "credit overrun: data up to " + data.end() + " but credit ends at " + window.limit()
        : remoteFinal >= 0 && data.end() > remoteFinal
        ? "data up to " + data.end() + " after the peer closed at " + remoteFinal : null;
    if (violation != null) {
      data.release();
      return violation;
    }
    window.arrived(data.end(), in.received());
    bytesIn += in.accept(data.offset(), data.payload());
    return in.earlyRuns() > Wire.MAX_EARLY_RUNS
        ? "more than " + Wire.MAX_EARLY_RUNS + " gaps in the data received out of order" : null;
  }

  /** The peer's Close at {@code end}; returns how it breaks the protocol, or null. */
  String close(long end) {
    if (end < in.received() || (remoteFinal >= 0 && remoteFinal != end) || end > window.limit()) {
      return "Close at " + end + " contradicts " + in.received() + " bytes received";
    }
    remoteFinal = end;
    return null;
  }

  void handler(SessionHandler handler) {
    this.handler = handler;
  }

  SessionHandler handler() {
    return handler;
  }

  void paused(boolean paused) {
    this.paused = paused;
  }

  /**
   * Hands the handler what is ready, grants the credit that frees, and reports the end once
   * everything before the peer's Close was delivered. Stops if the session ends meanwhile (a
   * handler may reset it).
   */
  void deliver() {
    boolean grantDue = false;
    while (handler != null && !paused && session.state() != SessionState.CLOSED && in.hasReady()) {
      ByteBuf buf = in.poll();
      grantDue |= window.consume(buf.readableBytes(), clock.getAsLong());
      try {
        handler.onData(session, buf);
      } catch (RuntimeException e) {
        log.warn("session {}: handler failed", session.id(), e);
        session.terminate(Reason.APPLICATION, "handler failed: " + e, true);
      }
    }
    if (session.state() == SessionState.CLOSED) {
      return;
    }
    boolean endNow = !endDelivered && handler != null && remoteFinal >= 0
        && in.received() == remoteFinal && !in.hasReady();
    if (grantDue || endNow) {
      // At the end, the final grant tells the sender everything was consumed.
      session.sendControl(window.grant(session.id().value()));
    }
    if (endNow) {
      endDelivered = true;
      session.halfClosed(); // the handler hears of the end in the state that follows it
      try {
        handler.onEnd(session);
      } catch (RuntimeException e) {
        log.warn("session {}: handler failed at end of input", session.id(), e);
      }
      session.directionFinished();
    }
  }

  /** This direction finished: the peer's Close arrived and every byte before it was delivered. */
  boolean finished() {
    return endDelivered;
  }

  /**
   * The table's once-a-second sweep: a session quiet for a while stops counting as busy for the
   * window shares, and, if {@code grant}, the grant owed since the last one is returned (else
   * null). A session that took less than half a window and went quiet would otherwise never tell
   * its peer, which then holds those bytes for a resume for as long as the session lives.
   */
  Frame.Credit sweep(boolean grant) {
    window.sweep(clock.getAsLong());
    return grant && window.owed() ? window.grant(session.id().value()) : null;
  }

  /** What this side restates when the session restarts on a new stream; also a fresh grant. */
  Frame.Resume resumeState() {
    Frame.Credit grant = window.grant(session.id().value());
    return new Frame.Resume(session.id().value(), in.received(), grant.consumed(), grant.window());
  }

  int window() {
    return window.window();
  }

  /** Bytes received in order. */
  long bytesIn() {
    return bytesIn;
  }

  /** The session ended: drop what is held and give the window back to the budget. */
  void release() {
    in.releaseAll();
    window.release();
  }
}
