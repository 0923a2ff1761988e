package dev.weft.mux;

import static dev.weft.mux.Fixture.await;

import java.util.Arrays;
import java.util.Locale;

/**
 * How long a session takes to resume when its Resume is lost on a zombie stream and must be sent
 * again on another (ResumeTest's first case, repeated): from the stream's death, noticed by A
 * only, to A's failover done. In-memory streams, so the re-send wait (3 srtt, at least 200 ms)
 * dominates. Run (prints p50, p99 and max in ms):
 * <pre>
 * mvn -q -o -pl mux test-compile dependency:build-classpath -Dmdep.outputFile=/tmp/mux-cp.txt -Dmdep.includeScope=test
 * java -cp mux/target/test-classes:mux/target/classes:$(cat /tmp/mux-cp.txt) dev.weft.mux.ResumeFigures 50
 * </pre>
 */
final class ResumeFigures {
  private ResumeFigures() {}

  public static void main(String[] args) throws Exception {
    int trials = args.length > 0 ? Integer.parseInt(args[0]) : 50;
    double[] millis = new double[trials];
    for (int i = 0; i < trials; i++) {
      try (Fixture f = new Fixture(ResumeTest.CONFIG, new Services())) {
        ResumeTest.Setup t = ResumeTest.Setup.start(f, i);
        t.first().serverTap().hideClose();
        long start = System.nanoTime();
        t.first().kill();
        await(f.aEvents.seen("failover done " + t.flow().session().id()));
        millis[i] = (System.nanoTime() - start) / 1e6;
        t.flow().finish();
      }
    }
    Arrays.sort(millis);
    System.out.printf(Locale.ROOT, "lost Resume, kill to resumed over %d trials: p50 %.0f ms, p99 %.0f ms, max %.0f ms%n",
        trials, millis[trials / 2], millis[(int) Math.ceil(trials * 0.99) - 1], millis[trials - 1]);
  }
}
