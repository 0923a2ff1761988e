package dev.weft.mux;

import java.util.Comparator;
import java.util.List;

/** Picks the stream a new session (or a failing-over one) goes to, among live streams. */
@FunctionalInterface
public interface StreamChooser {
  /** Returns the id of one of {@code live} (never empty). */
  long choose(List<StreamStats> live);

  /**
   * Best {@link StreamStats#score()}: lowest smoothed RTT, inflated by ping loss; streams not yet
   * measured come last; ties go to the older stream.
   */
  StreamChooser BEST_QUALITY = live -> live.stream()
      .min(Comparator.comparingLong(StreamStats::score).thenComparing(StreamStats::attached))
      .orElseThrow()
      .id();
}
