package dev.weft.it.faults;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.it.netns.Impairment;
import dev.weft.it.netns.NetnsAvailability;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Network faults between two weft processes in their own namespaces (root only; skipped with the
 * reason elsewhere), while a forwarded session carries a paced pattern that the client checks byte
 * by byte: with a second stream alive, no fault loses, duplicates or reorders a byte; with no
 * stream left the session ends with its reason once the grace period is over.
 */
@Timeout(600)
class FailoverFaultTest {
  private static final long PROGRESS = 256 * 1024;
  private static final Duration WAIT = Duration.ofSeconds(40);
  /** Ping timeout (15 s) plus the failover grace period (10 s) plus slack for two shared cores. */
  private static final Duration STREAM_DEATH_AND_GRACE = Duration.ofSeconds(60);

  @TempDir
  Path dir;

  @BeforeEach
  void needsNamespaces() {
    NetnsAvailability.assumeAvailable();
  }

  @Test
  void withTwoStreamsNoFaultLosesAByte() throws Exception {
    try (Hosts hosts = Hosts.start(dir)) {
      Transfer transfer = hosts.transfer();
      transfer.progresses(PROGRESS, WAIT, "at the start");
      for (Impairment impairment : new Impairment[] {
          Impairment.none().withDelay(Duration.ofMillis(20)), Impairment.none().withLoss(3),
          Impairment.none().withReorder(30), Impairment.none().withDuplicate(20)}) {
        hosts.pair.impair(impairment);
        transfer.progresses(PROGRESS, WAIT, "with " + impairment + " on the wire");
      }
      hosts.pair.clearImpairment();

      hosts.pair.linkDown();
      hosts.awaitEvent(e -> e.contains("\"stream-closed\""), STREAM_DEATH_AND_GRACE, "the KCP stream dies");
      transfer.progresses(PROGRESS, WAIT, "with the wire down (failed over to TCP)");
      hosts.pair.linkUp();
      hosts.linkKcp();

      hosts.path.resetConnections();
      hosts.awaitEvent(e -> e.contains("\"stream-closed\""), WAIT, "the reset TCP stream closes");
      transfer.progresses(PROGRESS, WAIT, "after the TCP stream was reset (failed over to KCP)");
      hosts.linkTcp();

      hosts.path.down();
      hosts.awaitEvent(e -> e.contains("\"stream-closed\""), STREAM_DEATH_AND_GRACE, "the silent TCP path dies");
      transfer.progresses(PROGRESS, WAIT, "with the TCP path silently dropping");
      hosts.path.up();

      String verdict = transfer.finish(WAIT);
      assertTrue(verdict.startsWith("ok "), verdict);
    }
  }

  @Test
  void withNoStreamLeftTheSessionEndsWithItsReasonAfterTheGracePeriod() throws Exception {
    try (Hosts hosts = Hosts.start(dir)) {
      Transfer transfer = hosts.transfer();
      transfer.progresses(PROGRESS, WAIT, "at the start");
      hosts.pair.linkDown();
      hosts.path.down();
      String closed = hosts.awaitEvent(e -> e.contains("\"session-closed\""), STREAM_DEATH_AND_GRACE.multipliedBy(2),
          "the session ends");
      assertTrue(closed.contains("grace period"), closed);
      String verdict = transfer.ended(WAIT);
      assertTrue(verdict.startsWith("error "), verdict);
    }
  }

  @Test
  void aPeerKilledWithSigkillComesBackAndServesNewSessions() throws Exception {
    try (Hosts hosts = Hosts.start(dir)) {
      Transfer before = hosts.transfer();
      before.progresses(PROGRESS, WAIT, "before the kill");
      hosts.right.kill();
      hosts.right.start();
      hosts.linkTcp();
      String closed = hosts.awaitEvent(e -> e.contains("\"session-closed\""), STREAM_DEATH_AND_GRACE,
          "the session the restarted peer no longer knows ends");
      assertTrue(closed.contains("no such session to resume") || closed.contains("grace period"), closed);
      assertTrue(before.ended(WAIT).startsWith("error "));

      Transfer after = hosts.transfer();
      after.progresses(PROGRESS, WAIT, "through the restarted peer");
      String verdict = after.finish(WAIT);
      assertTrue(verdict.startsWith("ok "), verdict);
    }
  }
}
