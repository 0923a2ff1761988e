package dev.weft.mux;

import io.netty.buffer.ByteBuf;
import java.util.ArrayDeque;
import java.util.concurrent.CompletableFuture;

/**
 * A session's sending direction: the bytes the application wrote, kept by absolute offset until
 * the peer reports them consumed (so a resume can send them again), the peer's credit, and the
 * half-close. What it holds is charged to the peer's {@link SendBudget}. Confined to the table's
 * executor, except {@link #bytesOut()}.
 */
final class SendHalf {
  private record PendingWrite(long end, CompletableFuture<Void> done) {}

  /**
   * Rewinds the peer may cause without progress (protocol.md section 21): an honest peer's
   * failover takes at most 1 + 4 Resumes from each side, plus one per stream that closes under
   * one; a forged peer alternating Resumes between streams would get its window re-sent each time.
   */
  static final int MAX_REWINDS = 16;

  private final SendBuffer out = new SendBuffer();
  private final CompletableFuture<Void> finished = new CompletableFuture<>();
  private final int initialWindow;
  private final int maxWindow;
  private final int maxQueuedWrites;
  private final SendBudget budget;
  /** Writes whose futures wait for room; null while there are none (idle sessions stay small). */
  private ArrayDeque<PendingWrite> writes;
  /** The absolute offset the peer's credit reaches. */
  private long peerLimit;
  /** The peer's latest window: how much a write may run ahead of what it consumed. */
  private int peerWindow;
  private boolean closing;
  private boolean closeSent;
  /** The Close went out and the peer consumed every byte before it; stays true once set. */
  private boolean done;
  private volatile long bytesOut;
  /** Snapshot of what is held (written, not yet consumed by the peer), for readers off the executor. */
  private volatile long queued;
  /** Held bytes below this offset are charged to the budget; never below what was acknowledged. */
  private long charged;
  /** Rewinds since the peer last acknowledged {@link #rewindMark} or this side last failed over. */
  private int rewinds;
  /** What had been sent when the first of those rewinds happened. */
  private long rewindMark;
  /** In the budget's line (owned by {@link SendBudget}). */
  boolean waitingForBudget;

  SendHalf(MuxConfig config, SendBudget budget) {
    this.initialWindow = config.initialWindow();
    this.maxWindow = config.maxWindow();
    this.maxQueuedWrites = config.maxQueuedWrites();
    this.budget = budget;
  }

  /** The peer accepted: data may flow, up to its initial window. */
  void opened(int window) {
    peerLimit = window;
    peerWindow = window;
  }

  /** Why {@code bytes} more cannot be written now, or null if they can. */
  String refusal(int bytes) {
    if (closing) {
      return "closed for writing";
    }
    return out.buffered() + bytes > acceptLimit() + maxQueuedWrites
        ? "write queue is full: wait for earlier writes to complete" : null;
  }

  /**
   * Queues {@code data} (owned from now on); {@code done} completes once it fits in a buffer as
   * large as the peer's window and is charged to the send budget: waiting for that is the
   * application's backpressure.
   */
  void write(ByteBuf data, CompletableFuture<Void> done) {
    out.append(data);
    if (writes == null) {
      writes = new ArrayDeque<>(4);
    }
    writes.add(new PendingWrite(out.written(), done));
    queued = out.buffered();
    charge();
  }

  /** Charges what is held and not yet charged, as far as the budget lets; completes writes that may. */
  void charge() {
    long from = Math.max(charged, out.acked());
    long owed = out.written() - from;
    if (owed > 0) {
      charged = from + budget.take(this, owed);
    } else {
      budget.leave(this);
    }
    completeWrites();
  }

  /** Drops what the peer consumed below {@code upTo}, giving its charge back; false if never written. */
  private boolean ack(long upTo) {
    long before = out.acked();
    if (!out.ack(upTo)) {
      return false;
    }
    queued = out.buffered();
    if (out.acked() >= rewindMark) {
      rewinds = 0; // the peer has everything the counted rewinds re-sent: real progress
    }
    budget.release(Math.min(out.acked(), charged) - before);
    charged = Math.max(charged, out.acked());
    return true;
  }

  /** No more writes: a Close follows the bytes written so far. */
  void close() {
    closing = true;
  }

  boolean closing() {
    return closing;
  }

  /** Whether {@link #next} has a frame to give. */
  boolean hasWork() {
    return out.sendable(peerLimit) || closeDue();
  }

  /** The next chunk within the peer's credit, else the Close once everything went out, else null. */
  Frame next(long session, int chunkSize) {
    Frame.Data data = out.next(session, peerLimit, chunkSize);
    if (data != null) {
      bytesOut = Math.max(bytesOut, out.sent());
      return data;
    }
    if (closeDue()) {
      closeSent = true;
      checkDone();
      return new Frame.Close(session, out.written());
    }
    return null;
  }

  private boolean closeDue() {
    return closing && !closeSent && out.sent() == out.written();
  }

  /** The peer's Credit; false if it claims more consumed than was ever sent. */
  boolean credit(long consumed, int window) {
    if (consumed > bytesOut) {
      return false;
    }
    if (consumed < out.acked()) {
      // Stale: it came late on a stream the session left. Its window is old too, and would
      // shrink how much writes may hold, refusing writes the current window allows.
      return true;
    }
    if (!ack(consumed)) {
      return false;
    }
    peerLimit = Math.max(peerLimit, consumed + window);
    peerWindow = window;
    charge();
    checkDone();
    return true;
  }

  /**
   * The peer's Resume: send again from what it received ({@code rewind}), or only take its
   * acknowledgement and window (a repeat). Why not, or null: outside what is held, or one rewind
   * too many without progress.
   */
  String resume(Frame.Resume resume, boolean rewind) {
    if (resume.consumed() > resume.received() || resume.received() > bytesOut
        || !ack(resume.consumed()) || rewind && !out.rewind(resume.received())) {
      return "Resume at " + resume.received() + "/" + resume.consumed() + " is outside " + held();
    }
    if (rewind && rewinds++ == 0) {
      rewindMark = bytesOut;
    }
    if (rewinds > MAX_REWINDS) {
      return "more than " + MAX_REWINDS + " Resumes made it send again before the peer acknowledged "
          + rewindMark + " (it acknowledged " + out.acked() + ")";
    }
    closeSent &= !rewind;
    credit(resume.consumed(), resume.window()); // cannot fail: checked above
    return null;
  }

  /** This side fails over: the Resumes that end it are due, whatever came before. */
  void failingOver() {
    rewinds = 0;
  }

  /**
   * Whether the peer's Resume was overtaken by later frames: it asks for bytes the peer has since
   * reported consumed (it came late, over a stream that had stalled).
   */
  boolean stale(Frame.Resume resume) {
    return resume.received() < out.acked();
  }

  /** What a resume may ask for: bytes held and sent at least once, between these offsets. */
  private String held() {
    return out.acked() + ".." + bytesOut;
  }

  /**
   * Whether the Close is on the wire now: false after a resume until it is sent again, so the
   * session does not end (and forget it) before the peer can have it.
   */
  boolean closeOnWire() {
    return closeSent;
  }

  private void checkDone() {
    done |= closeSent && out.acked() == out.written();
  }

  /**
   * Whether this direction finished: the Close went out and the peer consumed every byte before
   * it. Once finished it stays so, though a resume may send the Close again.
   */
  boolean finished() {
    return done;
  }

  /** Completes {@link #finishedFuture()} if this direction finished (after the state says so). */
  void completeIfFinished() {
    if (done) {
      finished.complete(null);
    }
  }

  /** Completes when this direction finished; exceptionally if the session ended first. */
  CompletableFuture<Void> finishedFuture() {
    return finished;
  }

  /** Bytes sent at least once. */
  long bytesOut() {
    return bytesOut;
  }

  /** Bytes written and not yet consumed by the peer; readable from any thread. */
  long queued() {
    return queued;
  }

  /** The session ended: drop what is held, fail what waits. */
  void release(Throwable cause) {
    budget.leave(this);
    budget.release(charged - out.acked());
    out.releaseAll();
    queued = 0;
    charged = out.acked();
    if (writes != null) {
      writes.forEach(w -> w.done().completeExceptionally(cause));
      writes = null;
    }
    finished.completeExceptionally(cause);
  }

  /**
   * How much unacknowledged data a write may leave held: the peer's window, but never more than
   * this side's own largest window, whatever window the peer claims (it could claim 2^31-1 and
   * never acknowledge, and this side would hold everything its application wrote).
   */
  private long acceptLimit() {
    return Math.min(Math.max(peerWindow, initialWindow), maxWindow);
  }

  private void completeWrites() {
    long covered = Math.max(charged, out.acked());
    while (writes != null && !writes.isEmpty() && writes.peek().end() <= covered
        && writes.peek().end() - out.acked() <= acceptLimit()) {
      writes.poll().done().complete(null);
    }
    if (writes != null && writes.isEmpty()) {
      writes = null;
    }
  }
}
