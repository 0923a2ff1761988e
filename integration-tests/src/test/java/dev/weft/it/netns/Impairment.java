package dev.weft.it.netns;

import java.time.Duration;
import java.util.Locale;

/**
 * What the wire does to packets in one direction, with tc netem's meanings: a fixed delay, random
 * loss, reordering (that share of packets skips the delay and overtakes the rest), duplication, and
 * a queue limit in packets beyond which packets are dropped.
 */
public record Impairment(Duration delay, double lossPercent, double reorderPercent, double duplicatePercent,
    int limit) {
  private static final Impairment NONE = new Impairment(Duration.ZERO, 0, 0, 0, 1000);

  public Impairment {
    if (delay.isNegative()) {
      throw new IllegalArgumentException("delay must not be negative: " + delay);
    }
    percent("loss", lossPercent);
    percent("reorder", reorderPercent);
    percent("duplicate", duplicatePercent);
    if (limit < 1) {
      throw new IllegalArgumentException("limit must be at least one packet: " + limit);
    }
  }

  /** A perfect wire. */
  public static Impairment none() {
    return NONE;
  }

  public Impairment withDelay(Duration value) {
    return new Impairment(value, lossPercent, reorderPercent, duplicatePercent, limit);
  }

  public Impairment withLoss(double percent) {
    return new Impairment(delay, percent, reorderPercent, duplicatePercent, limit);
  }

  public Impairment withReorder(double percent) {
    return new Impairment(delay, lossPercent, percent, duplicatePercent, limit);
  }

  public Impairment withDuplicate(double percent) {
    return new Impairment(delay, lossPercent, reorderPercent, percent, limit);
  }

  public Impairment withLimit(int packets) {
    return new Impairment(delay, lossPercent, reorderPercent, duplicatePercent, packets);
  }

  /** The settings as the wire process reads them. */
  String settings() {
    return String.format(Locale.ROOT, "delay=%.3f loss=%s reorder=%s duplicate=%s limit=%d",
        delay.toNanos() / 1e6, lossPercent, reorderPercent, duplicatePercent, limit);
  }

  private static void percent(String name, double value) {
    if (!(value >= 0 && value <= 100)) {
      throw new IllegalArgumentException(name + " must be a percentage from 0 to 100: " + value);
    }
  }
}
