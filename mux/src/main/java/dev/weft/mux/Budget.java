package dev.weft.mux;

/**
 * The memory one peer may make us buffer: the sum of all its sessions' receive windows, within
 * the process-wide {@link MemoryBudget} it shares with every other peer.
 */
final class Budget {
  private final long limit;
  private final MemoryBudget shared;
  private long used;

  Budget(long limit) {
    this(limit, MemoryBudget.unlimited());
  }

  Budget(long limit, MemoryBudget shared) {
    this.limit = limit;
    this.shared = shared;
  }

  boolean reserve(long bytes) {
    if (used + bytes > limit || !shared.reserve(bytes)) {
      return false;
    }
    used += bytes;
    return true;
  }

  void release(long bytes) {
    used -= bytes;
    shared.release(bytes);
  }

  long used() {
    return used;
  }
}
