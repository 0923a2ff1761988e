package dev.weft.mux;

import static dev.weft.mux.Fixture.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A session carrying a continuous pattern both ways through the echo service. */
record Flow(Session session, PatternWriter writer, PatternReader reader) {
  static Flow start(Fixture f, long seed) throws Exception {
    return open(f, seed).start();
  }

  /** Opens the session without writing yet. */
  static Flow open(Fixture f, long seed) throws Exception {
    Session s = await(f.a.open("echo", new byte[0]));
    PatternReader reader = new PatternReader(seed);
    s.handler(reader);
    return new Flow(s, new PatternWriter(s, seed, Long.MAX_VALUE, 40_000), reader);
  }

  Flow start() {
    writer.start();
    return this;
  }

  /** Stops writing and checks that every byte came back, in order. */
  void finish() throws Exception {
    writer.stop();
    long written = await(writer.done);
    assertEquals(written, await(reader.done));
    assertTrue(written > 0);
  }
}
