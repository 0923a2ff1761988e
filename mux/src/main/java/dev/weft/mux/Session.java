package dev.weft.mux;

import io.netty.buffer.ByteBuf;
import io.netty.util.concurrent.EventExecutor;
import java.io.InputStream;
import java.io.OutputStream;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One logical, bidirectional byte flow to a peer, carried by whichever of the peer's streams is
 * current and keeping its id when it moves. It ties a {@link SendHalf} and a {@link ReceiveHalf}
 * to an id, a stream and a {@link SessionState}. Public methods may be called from any thread;
 * the state is confined to the table's executor, and getters read volatile snapshots.
 */
public final class Session {
  private static final Logger log = LoggerFactory.getLogger(Session.class);

  private final SessionTable table;
  private final SessionId id;
  private final String service;
  private final byte[] args;
  private final Direction direction;
  private final long createdMillis = System.currentTimeMillis();
  private final SendHalf send;
  private final ReceiveHalf receive;
  private final CompletableFuture<Void> ended = new CompletableFuture<>();

  private volatile SessionState state = SessionState.OPENING;
  private volatile MuxStream stream;
  private volatile long lastActivity = System.currentTimeMillis();
  private volatile int migrations;
  private SessionResetException resetCause;

  /** Stream whose round-robin currently holds this session (see MuxStream#wake). */
  MuxStream queuedOn;
  /** The move under way, if any: owned by {@link Migrations}. */
  Move move;
  /** The stream the peer's latest rewinding Resume came on (owned by {@link Migrations}). */
  MuxStream resumedOn;
  /**
   * The streams this side's own Resumes went out on, each until the peer's Resume comes back on
   * it (its answer, or the two crossed there) or it closes; null while none (owned by
   * {@link Migrations}).
   */
  List<MuxStream> ownResumesOn;
  /** Set while an outbound open awaits the peer's Response. */
  CompletableFuture<Session> opening;

  Session(SessionTable table, SessionId id, String service, byte[] args, Direction direction, ReceiveWindow window) {
    this.table = table;
    this.id = id;
    this.service = service;
    this.args = args;
    this.direction = direction;
    this.send = new SendHalf(table.config(), table.sendBudget());
    this.receive = new ReceiveHalf(this, window, table::nanoTime);
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

  /** The executor the session's state and handler run on (the table's). */
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
    return receive.bytesIn();
  }

  /** Bytes sent at least once. */
  public long bytesOut() {
    return send.bytesOut();
  }

  /**
   * Bytes this side holds for the peer: written and not yet consumed by it. A writer that waits
   * for {@link #write}'s future keeps this within the peer's window plus one write.
   */
  public long queuedBytes() {
    return send.queued();
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
    table.run(() -> install(handler));
  }

  private void install(SessionHandler handler) {
    receive.handler(handler);
    if (state == SessionState.CLOSED && resetCause != null) {
      // Reset before the handler came: it still hears of it, as if it had been there.
      handler.onReset(this, resetCause);
      return;
    }
    receive.deliver();
  }

  /** A blocking view of the incoming bytes; installs its own handler. */
  public InputStream inputStream() {
    SessionInputStream in = new SessionInputStream(this);
    table.run(() -> {
      in.highWater(receive.window());
      install(in);
    });
    return in;
  }

  /** A blocking view for writing; close() half-closes the session. */
  public OutputStream outputStream() {
    return new SessionOutputStream(this);
  }

  /**
   * Queues {@code data} (ownership passes to the session). The future completes once the bytes
   * not yet consumed by the peer, up to the end of this write, fit in the peer's latest window
   * (at least the initial window) and are charged to the peer's send budget: waiting for it is the
   * backpressure. A write that would hold more than that plus {@code maxQueuedWrites} fails at once.
   */
  public CompletableFuture<Void> write(ByteBuf data) {
    CompletableFuture<Void> done = new CompletableFuture<>();
    table.post(() -> doWrite(data, done), () -> {
      data.release();
      done.completeExceptionally(new IllegalStateException("peer executor is shut down"));
    });
    return done;
  }

  private void doWrite(ByteBuf data, CompletableFuture<Void> done) {
    String refusal = state == SessionState.CLOSED ? null : send.refusal(data.readableBytes());
    if (state == SessionState.CLOSED || refusal != null) {
      data.release();
      done.completeExceptionally(refusal == null ? endCause()
          : new IllegalStateException("session " + id + ": " + refusal));
      return;
    }
    send.write(data, done);
    touch();
    wakeStream();
  }

  /**
   * Half-closes: after the data written so far, tells the peer this direction is finished. The
   * future completes when the peer has consumed every byte.
   */
  public CompletableFuture<Void> close() {
    table.run(() -> {
      if (state != SessionState.CLOSED) {
        send.close();
        wakeStream();
      }
    });
    return send.finishedFuture();
  }

  /** Aborts both directions and tells the peer. */
  public void reset(String message) {
    table.run(() -> terminate(Reason.APPLICATION, message, true));
  }

  /** Stops delivering data (so no credit is granted) until {@link #resume()}. */
  public void pause() {
    table.run(() -> receive.paused(true));
  }

  public void resume() {
    table.run(() -> {
      receive.paused(false);
      receive.deliver();
    });
  }

  @Override
  public String toString() {
    return "Session[" + id + " " + service + " " + direction + " " + state + "]";
  }

  // ---- everything below runs on the table's executor ----

  /** The single place a session changes state. */
  void moveTo(SessionState next) {
    assert table.inExecutor();
    if (!state.canMoveTo(next)) {
      throw new IllegalStateException("session " + id + " cannot go from " + state + " to " + next);
    }
    state = next;
  }

  /** A move ended: back to the steady state the two directions say, and on with sending. */
  void settle() {
    moveTo(SessionState.settled(send.finished(), receive.finished()));
    wakeStream();
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

  /** The peer accepted (or we accepted the peer's Query): data may flow, up to its initial window. */
  void opened(int peerInitialWindow) {
    send.opened(peerInitialWindow);
    moveTo(SessionState.OPEN);
    wakeStream();
  }

  int receiveWindow() {
    return receive.window();
  }

  void wakeStream() {
    MuxStream s = stream;
    if (s != null && state.steady() && send.hasWork()) {
      s.wake(this);
    }
  }

  /** The scheduler's turn: the next chunk (or the Close) to write on {@code on}, or null. */
  Frame nextFrame(MuxStream on) {
    assert table.inExecutor();
    if (!state.steady() || on != stream) {
      return null;
    }
    Frame frame = send.next(id.value(), on.chunkSize());
    if (frame instanceof Frame.Close) {
      table.later(this::directionFinished); // everything may be acknowledged already
    }
    if (frame instanceof Frame.Data) {
      touch();
    }
    return frame;
  }

  void onData(Frame.Data data) {
    assert table.inExecutor();
    if (state == SessionState.OPENING) {
      data.release();
      protocolError("data before the session was accepted");
      return;
    }
    long before = receive.bytesIn();
    String violation = receive.accept(data);
    if (violation != null) {
      protocolError(violation);
    } else if (receive.bytesIn() > before) {
      touch();
      receive.deliver();
    }
  }

  void onCredit(Frame.Credit credit) {
    assert table.inExecutor();
    if (!send.credit(credit.consumed(), credit.window())) {
      protocolError("peer reports " + credit.consumed() + " bytes consumed, only " + send.bytesOut() + " sent");
      return;
    }
    wakeStream();
    directionFinished();
  }

  void onClose(Frame.Close close) {
    assert table.inExecutor();
    String violation = receive.close(close.finalOffset());
    if (violation != null) {
      protocolError(violation);
      return;
    }
    receive.deliver();
  }

  /**
   * One direction may have just finished: moves to the half-closed state, then completes the
   * half-close (so whoever waits on it sees the state), and ends the session when both have.
   */
  void directionFinished() {
    halfClosed();
    if (state != SessionState.CLOSED && send.finished() && send.closeOnWire() && receive.finished()) {
      end(null);
    }
  }

  /** Like {@link #directionFinished()}, but never ends the session. */
  void halfClosed() {
    if (state == SessionState.CLOSED) {
      return;
    }
    boolean local = send.finished();
    boolean remote = receive.finished();
    if (!(local && remote) && state.steady() && state != SessionState.settled(local, remote)) {
      moveTo(SessionState.settled(local, remote));
    }
    send.completeIfFinished();
  }

  /** The table's idle sweep: grants what was consumed since the last grant, if anything. */
  void grantOwed() {
    Frame.Credit owed = receive.sweep(state.steady());
    if (owed != null) {
      sendControl(owed);
    }
  }

  void sendControl(Frame frame) {
    MuxStream s = stream;
    if (s != null && !s.closed()) {
      s.send(frame);
    }
  }

  Frame.Resume resumeState() {
    return receive.resumeState();
  }

  /** Whether the peer's Resume was overtaken by later frames of the peer (see SendHalf#stale). */
  boolean staleResume(Frame.Resume resume) {
    return send.stale(resume);
  }

  /**
   * Applies the peer's Resume: re-send from what it has received ({@code rewind}), or only take
   * what it acknowledges. False if it makes no sense.
   */
  boolean resumeFrom(Frame.Resume resume, boolean rewind) {
    String refusal = send.resume(resume, rewind);
    if (refusal != null) {
      protocolError(refusal);
      return false;
    }
    return true;
  }

  /** A failover starts here: the peer's Resumes that end it are not held against it. */
  void failingOver() {
    send.failingOver();
  }

  void protocolError(String message) {
    if (table.mayLog()) {
      log.warn("session {}: protocol error: {}", id, message);
    }
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
    Throwable failure = endCause();
    send.release(failure);
    receive.release();
    table.ended(this, cause);
    if (cause == null) {
      ended.complete(null);
      return;
    }
    SessionHandler handler = receive.handler();
    if (handler != null) {
      try {
        handler.onReset(this, cause);
      } catch (RuntimeException e) {
        log.warn("session {}: handler failed on reset", id, e);
      }
    }
    ended.completeExceptionally(cause);
  }

  private Throwable endCause() {
    return resetCause != null ? resetCause : new IllegalStateException("session " + id + " has ended");
  }

  private void touch() {
    lastActivity = System.currentTimeMillis();
  }
}
