package dev.weft.mux;

import java.time.Duration;
import java.util.Comparator;
import java.util.List;

/** Picks the stream a new session (or a failing-over one) goes to, among live streams. */
@FunctionalInterface
public interface StreamChooser {
  /** Returns the id of one of {@code live} (never empty). */
  long choose(List<StreamInfo> live);

  /** Lowest smoothed RTT; streams not yet measured come last; ties go to the older stream. */
  StreamChooser LOWEST_RTT = live -> live.stream()
      .min(Comparator.comparing((StreamInfo s) -> s.srtt() == null ? Duration.ofDays(1) : s.srtt())
          .thenComparing(StreamInfo::attached))
      .orElseThrow()
      .id();
}
