package dev.weft.mux;

/** Round-trip time of one stream: smoothed like TCP (7/8 old + 1/8 sample) and the minimum seen. */
final class Rtt {
  private long smoothed;
  private long min;

  void sample(long sample) {
    long nanos = Math.max(1, sample);
    if (smoothed == 0) {
      smoothed = nanos;
      min = nanos;
    } else {
      smoothed = (7 * smoothed + nanos) / 8;
      min = Math.min(min, nanos);
    }
  }

  /** Smoothed RTT in nanoseconds, 0 before the first sample. */
  long smoothed() {
    return smoothed;
  }

  long min() {
    return min;
  }
}
