package dev.weft.mux;

import io.netty.buffer.ByteBuf;
import io.netty.util.concurrent.EventExecutor;
import java.io.InputStream;
import java.io.OutputStream;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One logical, bidirectional byte flow to a peer, carried by whichever of the peer's streams is
 * current and keeping its id when it moves. Public methods may be called from any thread; the
 * state is confined to the peer's executor, and getters read volatile snapshots.
 *
 * <p>Each direction is a byte sequence addressed by absolute offset. Outgoing bytes are kept
 * until the peer reports them consumed, so after a stream dies they can be sent again from the
 * offset the peer says it has received.
 */
public final class Session {
  private static final Logger log = LoggerFactory.getLogger(Session.class);

  private record PendingWrite(long end, CompletableFuture<Void> done) {}

  /** A migration this side started and the peer has not answered yet. */
  static final class Migration {
    final MuxStream from;
    final MuxStream to;
    final CompletableFuture<Duration> done;
    final long started = System.nanoTime();
    ScheduledFuture<?> timer;

    Migration(MuxStream from, MuxStream to, CompletableFuture<Duration> done) {
      this.from = from;
      this.to = to;
      this.done = done;
    }
  }

  /** The session's stream died: waiting for another stream, then for the peer's Resume. */
  static final class Failover {
    final long started = System.nanoTime();
    final ScheduledFuture<?> deadline;
    boolean resumeSent;

    Failover(ScheduledFuture<?> deadline) {
      this.deadline = deadline;
    }
  }

  private final SessionTable table;
  private final SessionId id;
  private final String service;
  private final byte[] args;
  private final Direction direction;
  private final long createdMillis = System.currentTimeMillis();
  private final SendBuffer out = new SendBuffer();
  /** Writes whose futures wait for room; null while there are none (idle sessions stay small). */
  private ArrayDeque<PendingWrite> writes;
  private final ReceiveBuffer in = new ReceiveBuffer();
  private final ReceiveWindow window;
  private final CompletableFuture<Void> closeDone = new CompletableFuture<>();
  private final CompletableFuture<Void> ended = new CompletableFuture<>();

  private volatile SessionState state = SessionState.OPENING;
  private volatile MuxStream stream;
  private volatile long lastActivity = System.currentTimeMillis();
  private volatile long bytesIn;
  private volatile long bytesOut;
  private volatile int migrations;

  private long peerLimit;
  private int peerWindow;
  private boolean closing;
  private boolean closeSent;
  private long remoteFinal = -1;
  private boolean endDelivered;
  private SessionHandler handler;
  private boolean paused;
  private SessionResetException resetCause;

  /** Stream whose round-robin currently holds this session (see MuxStream#wake). */
  MuxStream queuedOn;
  Migration migration;
  Failover failover;
  /** Set while an outbound open awaits the peer's Response. */
  CompletableFuture<Session> opening;

  Session(SessionTable table, SessionId id, String service, byte[] args, Direction direction, ReceiveWindow window) {
    this.table = table;
    this.id = id;
    this.service = service;
    this.args = args;
    this.direction = direction;
    this.window = window;
  }

  public SessionId id() {
    return id;
  }

  public String service() {
    return service;
  }

  public byte[] args() {
    return args.clone();
  }

  public Direction direction() {
    return direction;
  }

  /** The executor the session's state and handler run on (the peer's). */
  public EventExecutor executor() {
    return table.executor();
  }

  public SessionState state() {
    return state;
  }

  /** Id of the stream this side sends on, or 0 while between streams. */
  public long streamId() {
    MuxStream s = stream;
    return s == null ? 0 : s.id();
  }

  public Instant created() {
    return Instant.ofEpochMilli(createdMillis);
  }

  public Instant lastActivity() {
    return Instant.ofEpochMilli(lastActivity);
  }

  /** Bytes received in order. */
  public long bytesIn() {
    return bytesIn;
  }

  /** Bytes sent at least once. */
  public long bytesOut() {
    return bytesOut;
  }

  /** How often the session moved to another stream (migrations and failovers). */
  public int migrations() {
    return migrations;
  }

  /** Completes when the session ends: normally when both sides closed, exceptionally on reset. */
  public CompletableFuture<Void> closeFuture() {
    return ended;
  }

  /**
   * Sets the handler that receives data; data that arrived before is delivered to it now, and
   * a reset that came before is reported to it now.
   * Use either a handler or {@link #inputStream()}, not both.
   */
  public void handler(SessionHandler handler) {
    table.run(() -> {
      this.handler = handler;
      if (state == SessionState.CLOSED && resetCause != null) {
        // Reset before the handler came: it still hears of it, as if it had been there.
        handler.onReset(this, resetCause);
        return;
      }
      deliver();
    });
  }

  /** A blocking view of the incoming bytes; installs its own handler. */
  public InputStream inputStream() {
    SessionInputStream stream = new SessionInputStream(this, window.window());
    handler(stream);
    return stream;
  }

  /** A blocking view for writing; close() half-closes the session. */
  public OutputStream outputStream() {
    return new SessionOutputStream(this);
  }

  /**
   * Queues {@code data} (ownership passes to the session). The future completes once the data
   * fits in the session's send buffer, which is as large as the peer's receive window: waiting
   * for it is the backpressure. Writes beyond that plus {@code maxQueuedWrites} fail at once.
   */
  public CompletableFuture<Void> write(ByteBuf data) {
    CompletableFuture<Void> done = new CompletableFuture<>();
    table.post(() -> doWrite(data, done), () -> {
      data.release();
      done.completeExceptionally(new IllegalStateException("peer executor is shut down"));
    });
    return done;
  }

  /**
   * Half-closes: after the data written so far, tells the peer this direction is finished. The
   * future completes when the peer has consumed every byte.
   */
  public CompletableFuture<Void> close() {
    table.run(() -> {
      if (state == SessionState.CLOSED) {
        closeDone.completeExceptionally(endCause());
        return;
      }
      closing = true;
      wakeStream();
    });
    return closeDone;
  }

  /** Aborts both directions and tells the peer. */
  public void reset(String message) {
    table.run(() -> terminate(Reason.APPLICATION, message, true));
  }

  /** Stops delivering data (so no credit is granted) until {@link #resume()}. */
  public void pause() {
    table.run(() -> paused = true);
  }

  public void resume() {
    table.run(() -> {
      paused = false;
      deliver();
    });
  }

  @Override
  public String toString() {
    return "Session[" + id + " " + service + " " + direction + " " + state + "]";
  }

  // ---- everything below runs on the peer's executor ----

  /** The single place a session changes state. */
  void moveTo(SessionState next) {
    if (!state.canMoveTo(next)) {
      throw new IllegalStateException("session " + id + " cannot go from " + state + " to " + next);
    }
    state = next;
  }

  MuxStream stream() {
    return stream;
  }

  /** Switches the stream this side sends on (null while between streams). */
  void sendOn(MuxStream next) {
    if (stream != null) {
      stream.sessionsChanged(-1);
    }
    stream = next;
    if (next != null) {
      next.sessionsChanged(1);
    }
  }

  void moved() {
    migrations++;
  }

  /** The peer accepted: data may flow, up to its initial window. */
  void opened(int peerInitialWindow) {
    peerLimit = peerInitialWindow;
    peerWindow = peerInitialWindow;
    moveTo(SessionState.OPEN);
    wakeStream();
  }

  int receiveWindow() {
    return window.window();
  }

  private void doWrite(ByteBuf data, CompletableFuture<Void> done) {
    String refusal = state == SessionState.CLOSED ? "session " + id + " has ended"
        : closing ? "session " + id + " is closed for writing"
        : out.buffered() + data.readableBytes() > acceptLimit() + table.config().maxQueuedWrites()
            ? "write queue of session " + id + " is full: wait for earlier writes to complete" : null;
    if (refusal != null) {
      data.release();
      done.completeExceptionally(state == SessionState.CLOSED ? endCause() : new IllegalStateException(refusal));
      return;
    }
    out.append(data);
    touch();
    if (writes == null) {
      writes = new ArrayDeque<>(4);
    }
    writes.add(new PendingWrite(out.written(), done));
    completeWrites();
    wakeStream();
  }

  private long acceptLimit() {
    return Math.max(peerWindow, table.config().initialWindow());
  }

  private void completeWrites() {
    while (writes != null && !writes.isEmpty() && writes.peek().end() - out.acked() <= acceptLimit()) {
      writes.poll().done().complete(null);
    }
    if (writes != null && writes.isEmpty()) {
      writes = null;
    }
  }

  void wakeStream() {
    MuxStream s = stream;
    if (s != null && state == SessionState.OPEN && (out.sendable(peerLimit) || closeDue())) {
      s.wake(this);
    }
  }

  private boolean closeDue() {
    return closing && !closeSent && out.sent() == out.written();
  }

  /** The scheduler's turn: the next chunk (or the Close) to write on {@code on}, or null. */
  Frame nextFrame(MuxStream on) {
    if (state != SessionState.OPEN || on != stream) {
      return null;
    }
    Frame.Data data = out.next(id.value(), peerLimit, on.chunkSize());
    if (data != null) {
      bytesOut = Math.max(bytesOut, out.sent());
      touch();
      return data;
    }
    if (closeDue()) {
      closeSent = true;
      table.later(this::maybeFinish); // everything may be acknowledged already
      return new Frame.Close(id.value(), out.written());
    }
    return null;
  }

  void onData(Frame.Data data) {
    if (state == SessionState.OPENING) {
      data.release();
      protocolError("data before the session was accepted");
    } else if (data.end() > window.limit()) {
      data.release();
      protocolError("credit overrun: data up to " + data.end() + " but credit ends at " + window.limit());
    } else if (remoteFinal >= 0 && data.end() > remoteFinal) {
      data.release();
      protocolError("data up to " + data.end() + " after the peer closed at " + remoteFinal);
    } else {
      window.arrived(data.end(), in.received());
      long fresh = in.accept(data.offset(), data.payload());
      if (fresh > 0) {
        bytesIn += fresh;
        touch();
        deliver();
      }
    }
  }

  void onCredit(Frame.Credit read) {
    if (!out.ack(read.consumed())) {
      protocolError("peer reports " + read.consumed() + " bytes consumed, only " + out.written() + " written");
      return;
    }
    credit(read.consumed(), read.window());
    maybeFinish();
  }

  private void credit(long consumed, int window) {
    peerLimit = Math.max(peerLimit, consumed + window);
    peerWindow = window;
    completeWrites();
    wakeStream();
  }

  void onClose(Frame.Close close) {
    long end = close.finalOffset();
    if (end < in.received() || (remoteFinal >= 0 && remoteFinal != end) || end > window.limit()) {
      protocolError("Close at " + end + " contradicts " + in.received() + " bytes received");
      return;
    }
    remoteFinal = end;
    deliver();
  }

  private void deliver() {
    boolean grantDue = false;
    while (handler != null && !paused && state != SessionState.CLOSED && in.hasReady()) {
      ByteBuf buf = in.poll();
      grantDue |= window.consume(buf.readableBytes(), System.nanoTime());
      try {
        handler.onData(this, buf);
      } catch (RuntimeException e) {
        log.warn("session {}: handler failed", id, e);
        terminate(Reason.APPLICATION, "handler failed: " + e, true);
      }
    }
    if (state == SessionState.CLOSED) {
      return;
    }
    boolean endNow = !endDelivered && handler != null && remoteFinal >= 0
        && in.received() == remoteFinal && !in.hasReady();
    if (grantDue || endNow) {
      // At the end, the final grant tells the sender everything was consumed.
      sendControl(window.grant(id.value()));
    }
    if (endNow) {
      endDelivered = true;
      try {
        handler.onEnd(this);
      } catch (RuntimeException e) {
        log.warn("session {}: handler failed at end of input", id, e);
      }
      maybeFinish();
    }
  }

  /** Bytes written and not yet reported consumed by the peer: what a resume could need again. */
  long unacknowledged() {
    return out.buffered();
  }

  /**
   * Grants what was consumed since the last grant, if anything (the peer's idle sweep): a session
   * that took less than half a window and went quiet would otherwise never tell its peer, which
   * then holds those bytes for a resume for as long as the session lives. A session quiet for
   * a while also stops counting as busy for the window shares.
   */
  void grantOwed() {
    window.sweep(System.nanoTime());
    if (state == SessionState.OPEN && window.owed()) {
      sendControl(window.grant(id.value()));
    }
  }

  private void maybeFinish() {
    if (closeSent && out.acked() == out.written()) {
      closeDone.complete(null);
      if (endDelivered && state != SessionState.CLOSED) {
        end(null);
      }
    }
  }

  void sendControl(Frame frame) {
    MuxStream s = stream;
    if (s != null && !s.closed()) {
      s.send(frame);
    }
  }

  /** What this side restates when the session restarts on a new stream; also a fresh grant. */
  Frame.Resume resumeState() {
    Frame.Credit grant = window.grant(id.value());
    return new Frame.Resume(id.value(), in.received(), grant.consumed(), grant.window());
  }

  /** Applies the peer's Resume: re-send from what it has received. False if it makes no sense. */
  boolean resumeFrom(Frame.Resume resume) {
    if (resume.consumed() > resume.received() || !out.ack(resume.consumed()) || !out.rewind(resume.received())) {
      protocolError("Resume at " + resume.received() + "/" + resume.consumed() + " is outside "
          + out.acked() + ".." + out.written());
      return false;
    }
    closeSent = false;
    credit(resume.consumed(), resume.window());
    return true;
  }

  void protocolError(String message) {
    log.warn("session {}: protocol error: {}", id, message);
    terminate(Reason.PROTOCOL_ERROR, message, true);
  }

  /** Ends the session abnormally; {@code tellPeer} sends a Reset (false when the peer reset it). */
  void terminate(Reason reason, String message, boolean tellPeer) {
    if (state == SessionState.CLOSED) {
      return;
    }
    if (tellPeer) {
      sendControl(new Frame.Reset(id.value(), reason, message));
    }
    end(new SessionResetException(id, reason, message, !tellPeer));
  }

  private void end(SessionResetException cause) {
    moveTo(SessionState.CLOSED);
    resetCause = cause;
    sendOn(null);
    out.releaseAll();
    in.releaseAll();
    window.release();
    if (migration != null) {
      migration.timer.cancel(false);
      migration.done.completeExceptionally(new MigrationException("session " + id + " ended"));
      migration = null;
    }
    if (failover != null) {
      failover.deadline.cancel(false);
      failover = null;
    }
    Throwable failure = endCause();
    if (writes != null) {
      writes.forEach(w -> w.done().completeExceptionally(failure));
      writes.clear();
    }
    closeDone.completeExceptionally(failure);
    table.ended(this, cause);
    if (cause == null) {
      ended.complete(null);
    } else {
      if (handler != null) {
        try {
          handler.onReset(this, cause);
        } catch (RuntimeException e) {
          log.warn("session {}: handler failed on reset", id, e);
        }
      }
      ended.completeExceptionally(cause);
    }
  }

  private Throwable endCause() {
    return resetCause != null ? resetCause : new IllegalStateException("session " + id + " has ended");
  }

  private void touch() {
    lastActivity = System.currentTimeMillis();
  }
}
