package dev.weft.it.hostile;

/** One abusive input against the victim; asserts the victim's specific answer to it. */
@FunctionalInterface
interface Attack {
  void run(Victim victim) throws Exception;
}
