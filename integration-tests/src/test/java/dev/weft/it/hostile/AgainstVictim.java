package dev.weft.it.hostile;

import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/** A test class whose cases all attack one {@link Victim}, started before the first case. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class AgainstVictim {
  Victim victim;

  @BeforeAll
  void startVictim(@TempDir Path dir) throws Exception {
    victim = Victim.start(dir);
  }

  @AfterAll
  void stopVictim() throws Exception {
    if (victim != null) {
      victim.close();
    }
  }
}
