package dev.weft.cli;

import java.time.Duration;
import java.time.Instant;
import java.util.Locale;

/** Sizes and durations the way people read them. */
final class Human {
  private static final String[] UNITS = {"B", "KiB", "MiB", "GiB", "TiB"};

  private Human() {}

  /** 0 B, 999 B, 1.5 KiB, 12.0 MiB. */
  static String bytes(long count) {
    double value = count;
    int unit = 0;
    while (value >= 1024 && unit < UNITS.length - 1) {
      value /= 1024;
      unit++;
    }
    return unit == 0 ? count + " B" : String.format(Locale.ROOT, "%.1f %s", value, UNITS[unit]);
  }

  /** A round trip in microseconds: 850µs, 1.25ms, 1.3s; "-" when unknown (negative). */
  static String micros(long micros) {
    if (micros < 0) {
      return "-";
    }
    if (micros < 1000) {
      return micros + "µs";
    }
    if (micros < 1_000_000) {
      return String.format(Locale.ROOT, "%.2fms", micros / 1000.0);
    }
    return String.format(Locale.ROOT, "%.1fs", micros / 1_000_000.0);
  }

  /** A coarse length of time: 42s, 3m05s, 2h07m, 4d03h. */
  static String duration(Duration d) {
    long s = Math.max(0, d.getSeconds());
    if (s < 60) {
      return s + "s";
    }
    if (s < 3600) {
      return String.format(Locale.ROOT, "%dm%02ds", s / 60, s % 60);
    }
    if (s < 86400) {
      return String.format(Locale.ROOT, "%dh%02dm", s / 3600, s % 3600 / 60);
    }
    return String.format(Locale.ROOT, "%dd%02dh", s / 86400, s % 86400 / 3600);
  }

  /** How long ago {@code then} was. */
  static String since(Instant then) {
    return then == null ? "-" : duration(Duration.between(then, Instant.now()));
  }
}
