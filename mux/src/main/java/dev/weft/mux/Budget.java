package dev.weft.mux;

/** The memory one peer may make us buffer: the sum of all its sessions' receive windows. */
final class Budget {
  private final long limit;
  private long used;

  Budget(long limit) {
    this.limit = limit;
  }

  boolean reserve(long bytes) {
    if (used + bytes > limit) {
      return false;
    }
    used += bytes;
    return true;
  }

  void release(long bytes) {
    used -= bytes;
  }

  long used() {
    return used;
  }
}
