package dev.weft.it.faults;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Paths that go silent without closing, between two weft processes in their own namespaces (root
 * only; skipped with the reason elsewhere), while a forwarded session carries a paced pattern that
 * the client checks byte by byte. The session must move within about a second (docs/protocol.md
 * section 22: three probe timeouts of silence), not after the 15 s ping timeout, and lose nothing.
 */
@Timeout(300)
class SilentPathTest extends Namespaced {
  private static final long PROGRESS = 256 * 1024;
  private static final Duration WAIT = Duration.ofSeconds(40);
  /** The target is 1 s + 1 RTT; the bound leaves room for two shared, busy cores. */
  private static final Duration MOST_GAP = Duration.ofSeconds(3);

  @Test
  void aBlackholedStreamsSessionMovesToTheOtherStreamWithinASecond() throws Exception {
    try (Hosts hosts = Hosts.start(dir)) {
      Transfer transfer = hosts.transfer();
      transfer.progresses(PROGRESS, WAIT, "at the start");
      Carrier carrier = Carrier.of(hosts.left);
      String remote = carrier.remoteHost();
      carrier.blackhole(hosts);
      transfer.gapsFrom();
      hosts.awaitEvent(e -> e.contains("\"failover\""), WAIT, "the session resumes on the other stream");
      transfer.progresses(PROGRESS, WAIT, "after the stream to " + remote + " was blackholed");
      Duration gap = transfer.longestGap();
      System.out.println("silent path: longest gap " + gap.toMillis() + " ms after blackholing " + remote);
      assertTrue(gap.compareTo(MOST_GAP) <= 0, "the transfer stood still for " + gap.toMillis() + " ms");
      String verdict = transfer.finish(WAIT);
      assertTrue(verdict.startsWith("ok "), verdict);
    }
  }

  @Test
  void aHostThatMovesToANewAddressRelinksAndItsSessionResumes() throws Exception {
    try (Hosts hosts = Hosts.overTheWire(dir)) {
      Transfer transfer = hosts.transfer();
      transfer.progresses(PROGRESS, WAIT, "at the start");
      hosts.pair.moveLeft(hosts.pair.left().address(), "198.18.0.5");
      long usable = System.nanoTime();
      transfer.gapsFrom();
      hosts.awaitEvent(e -> e.contains("\"failover\""), WAIT, "the session resumes on a stream from the new address");
      long resumedMillis = (System.nanoTime() - usable) / 1_000_000;
      transfer.progresses(PROGRESS, WAIT, "after the move to the new address");
      Duration gap = transfer.longestGap();
      System.out.println("roaming: resumed " + resumedMillis + " ms after the new address, longest gap "
          + gap.toMillis() + " ms");
      assertTrue(resumedMillis <= 3 * MOST_GAP.toMillis(), "resumed after " + resumedMillis + " ms");
      String streams = hosts.left.cli("streams");
      assertTrue(streams.contains("198.18.0.5") || hosts.left.cli("streams", "--json").contains("198.18.0.5"), streams);
      String verdict = transfer.finish(WAIT);
      assertTrue(verdict.startsWith("ok "), verdict);
    }
  }
}
