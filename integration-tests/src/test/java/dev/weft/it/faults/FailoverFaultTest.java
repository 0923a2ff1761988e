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
  /** Below the 10 s grace period: a relink retry (at most 2 s apart), a handshake, the Resumes. */
  private static final Duration RESUMED_AFTER_TCP_BACK = Duration.ofSeconds(8);
  /** A relink (its retries back off to 2 s), a handshake and one round trip, on two busy cores. */
  private static final Duration RESTART_NOTICED = Duration.ofSeconds(6);

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

  /**
   * Every stream dies at once and only the left node notices part of it (issue 14 §3): its TCP
   * connection is reset locally while the right node keeps a zombie, and the KCP path goes silent
   * both ways, so the left node's Resume goes out on the zombie KCP stream and is lost. Unanswered,
   * it makes the node link again, and once a TCP connection can be made the session resumes on it,
   * well before the 10 s grace period; when the KCP path comes back its late frames change nothing.
   * Without the re-sent Resume the session was reset at the end of the grace period.
   */
  @Test
  void allStreamsDyingAtOnceNoticedByOneSideOnlyLoseNothing() throws Exception {
    try (Hosts hosts = Hosts.start(dir)) {
      Transfer transfer = hosts.transfer();
      transfer.progresses(PROGRESS, WAIT, "at the start");
      DeadSockets dead = DeadSockets.kill(hosts.pair, SecondPath.RIGHT, Hosts.WEFT_PORT);
      hosts.awaitEvent(e -> e.contains("\"failover-started\""), WAIT, "the left node notices its TCP stream reset");
      dead.tcpBack();
      hosts.awaitEvent(e -> e.contains("\"failover\""), RESUMED_AFTER_TCP_BACK, "the session resumes on a new TCP stream");
      transfer.progresses(PROGRESS, WAIT, "resumed, with the KCP path still silent");
      dead.udpBack();
      transfer.progresses(PROGRESS, WAIT, "with the KCP path back");
      String verdict = transfer.finish(WAIT);
      assertTrue(verdict.startsWith("ok "), verdict);
    }
  }

  /**
   * The left node's KCP stream to the killed peer stays a zombie (UDP tells it nothing), so its
   * session's Resume goes out there and is lost; sent again nowhere, it makes the node link the
   * peer again, and the restarted peer answers that it has no such session. Without that the
   * session waited for the KCP stream's ping timeout (15 s) and then the relink.
   */
  @Test
  void aRestartedPeerEndsTheSessionsItCannotResumeAtOnce() throws Exception {
    try (Hosts hosts = Hosts.start(dir, "--failover-grace", "120")) {
      Transfer before = hosts.transfer();
      before.progresses(PROGRESS, WAIT, "before the kill");
      long killed = System.nanoTime();
      hosts.right.kill();
      hosts.right.start();
      long restarted = System.nanoTime();
      String closed = hosts.awaitEvent(e -> e.contains("\"session-closed\""), STREAM_DEATH_AND_GRACE,
          "the session the restarted peer no longer knows ends");
      Duration took = Duration.ofNanos(System.nanoTime() - restarted);
      assertTrue(closed.contains("no such session to resume"), closed);
      String timing = "ended " + took.toMillis() + " ms after the restart, "
          + Duration.ofNanos(System.nanoTime() - killed).toMillis() + " ms after the kill";
      System.out.println(timing);
      assertTrue(took.compareTo(RESTART_NOTICED) < 0, timing);
      assertTrue(before.ended(WAIT).startsWith("error "));
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
