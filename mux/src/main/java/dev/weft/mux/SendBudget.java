package dev.weft.mux;

import java.util.ArrayDeque;
import java.util.function.Consumer;

/**
 * The unacknowledged send data one peer may make us hold: bytes its sessions' applications wrote
 * that the peer has not yet reported consumed, kept for a resume. Charged to this peer's
 * {@code limit} and to its share of the node's {@link NodeScope#sendMemory()}.
 *
 * <p>A session charges its bytes as they are written; its write futures complete only once
 * charged, so a write that finds the budget used up waits (a bridged socket is no longer read).
 * Charging never holds back sending: uncharged bytes still go out within the peer's credit, and
 * whatever the peer acknowledges is given back. Sessions that wait are served in order, the first
 * taking what frees up bit by bit until its write is covered, so a write larger than the budget
 * still completes and no session starves. Confined to the table's executor, except the node's
 * wake-up, which posts to it.
 */
final class SendBudget {
  private final long limit;
  private final SharedLimit.Share node;
  private final Consumer<Runnable> later;
  private final ArrayDeque<SendHalf> waiting = new ArrayDeque<>();
  private long used;
  private boolean drainScheduled;
  private boolean watchingNode;

  /** @param later runs a task on the table's executor as a fresh task */
  SendBudget(long limit, SharedLimit.Share node, Consumer<Runnable> later) {
    this.limit = limit;
    this.node = node;
    this.later = later;
  }

  /**
   * Charges up to {@code want} bytes for {@code who} and returns how many; {@code who} waits in
   * line for the rest (and gets nothing while others wait before it).
   */
  long take(SendHalf who, long want) {
    SendHalf first = waiting.peek();
    if (first != null && first != who) {
      queue(who);
      return 0;
    }
    long got = Math.min(want, Math.min(limit - used, node.available()));
    if (got > 0 && !node.reserve(got)) {
      got = 0; // another peer took it meanwhile
    }
    used += got;
    if (got < want) {
      queue(who);
      watchNode();
    } else if (first == who) {
      leave(who);
    }
    return got;
  }

  /** {@code who} no longer waits (it owes nothing, or its session ended). */
  void leave(SendHalf who) {
    if (who.waitingForBudget) {
      who.waitingForBudget = false;
      waiting.remove(who);
      if (!waiting.isEmpty()) {
        drainSoon();
      }
    }
  }

  /** The peer acknowledged {@code bytes} that were charged. */
  void release(long bytes) {
    if (bytes > 0) {
      used -= bytes;
      node.release(bytes);
      if (!waiting.isEmpty()) {
        drainSoon();
      }
    }
  }

  long used() {
    return used;
  }

  private void queue(SendHalf who) {
    if (!who.waitingForBudget) {
      who.waitingForBudget = true;
      waiting.add(who);
    }
  }

  /** Another peer's release may be what the first in line waits for. */
  private void watchNode() {
    if (watchingNode) {
      return;
    }
    watchingNode = true;
    node.onRelease(() -> later.accept(() -> {
      watchingNode = false;
      drain();
    }));
    if (node.available() > 0 && used < limit) {
      drainSoon(); // released between our attempt and the watch
    }
  }

  private void drainSoon() {
    if (!drainScheduled) {
      drainScheduled = true;
      later.accept(() -> {
        drainScheduled = false;
        drain();
      });
    }
  }

  /** Serves the sessions in line, in order, until one cannot have all it owes. */
  private void drain() {
    for (SendHalf first = waiting.peek(); first != null; first = waiting.peek()) {
      first.charge();
      if (waiting.peek() == first) {
        return;
      }
    }
  }
}
