package dev.weft.mux;

/**
 * Round-trip time of one stream: smoothed like TCP (7/8 old + 1/8 sample), its mean deviation
 * (3/4 old + 1/4 difference, RFC 6298) and the minimum seen.
 */
final class Rtt {
  private long smoothed;
  private long variance;
  private long min;

  void sample(long sample) {
    long nanos = Math.max(1, sample);
    if (smoothed == 0) {
      smoothed = nanos;
      variance = nanos / 2;
      min = nanos;
    } else {
      variance = (3 * variance + Math.abs(smoothed - nanos)) / 4;
      smoothed = (7 * smoothed + nanos) / 8;
      min = Math.min(min, nanos);
    }
  }

  /** Smoothed RTT in nanoseconds, 0 before the first sample. */
  long smoothed() {
    return smoothed;
  }

  /** Mean deviation of the samples from the smoothed RTT, in nanoseconds. */
  long variance() {
    return variance;
  }

  long min() {
    return min;
  }
}
