package dev.weft.it.hostile;

import dev.weft.identity.Identity;
import dev.weft.link.Endpoint;
import dev.weft.link.Transport;

/** A node attackers link to, in this JVM ({@link Victim}) or in its own ({@link VictimProcess}). */
interface Target {
  /** Its listener for {@code transport}, on loopback. */
  Endpoint endpoint(Transport transport);

  Identity identity();

  /** Event loops for the attackers' own links. */
  AttackerLoops attackerLoops();
}
