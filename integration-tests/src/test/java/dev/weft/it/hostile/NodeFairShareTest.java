package dev.weft.it.hostile;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.link.Transport;
import dev.weft.mux.Frame;
import dev.weft.mux.Reason;
import dev.weft.mux.Session;
import dev.weft.mux.SessionHandler;
import dev.weft.mux.SharedLimit;
import dev.weft.node.Access;
import dev.weft.node.Expose;
import dev.weft.node.LimitUsage;
import dev.weft.node.Node;
import dev.weft.node.NodeConfig;
import dev.weft.node.NodeLimits;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import java.io.InputStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.LongPredicate;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Throwaway identities against the node-wide limits (issue 15, §1 items 1 and 7): whatever they
 * fill, a quarter of each node-wide limit stays for peers below their guarantee, so an honest
 * newcomer still opens sessions and moves data; and the send data a peer never acknowledges is
 * bounded by its send budget and the node's, whatever window it claims.
 */
@Timeout(300)
class NodeFairShareTest {
  private static final Duration ANSWER = Duration.ofSeconds(20);
  private static final int ATTACKERS = 4;
  private static final int SESSIONS_PER_PEER = NodeConfig.SMALL_NODE_MUX.maxSessionsPerPeer();

  @TempDir
  Path dir;

  @ParameterizedTest
  @EnumSource(value = Transport.class, names = {"TCP", "KCP"})
  void throwawayIdentitiesFillingTheNodesSessionsLeaveAnHonestPeerItsShare(Transport transport) throws Exception {
    SharedLimit rule = new SharedLimit(NodeLimits.defaults().sessionsPerNode());
    try (Victim victim = Victim.start(dir)) {
      victim.survives(v -> {
        List<RawLink> attackers = new ArrayList<>();
        try {
          long taken = 0;
          int last = 0;
          for (int i = 0; i < ATTACKERS; i++) {
            RawLink link = RawLink.greeted(v, transport);
            attackers.add(link);
            last = open(link, SESSIONS_PER_PEER, Victim.DROP, 256 * 1024);
            taken += last;
          }
          // Four identities could take 4096; the node keeps its reserve from all but their guarantees.
          assertTrue(taken <= rule.limit() - rule.reserve() + ATTACKERS * rule.guaranteed(), "took " + taken);
          assertTrue(last <= rule.guaranteed(), "the last only got its guarantee: " + last);
          honestNewcomerTransfers(v, transport, (int) rule.guaranteed() / 2);
        } finally {
          attackers.forEach(RawLink::close);
        }
      });
    }
  }

  /**
   * Asks for {@code max} sessions to {@code service} at once, claiming {@code window}; returns how
   * many the victim accepted (it refuses the rest only for a limit).
   */
  private static int open(RawLink link, int max, String service, int window) throws InterruptedException {
    List<Frame> queries = new ArrayList<>();
    for (int i = 0; i < max; i++) {
      queries.add(new Frame.Query(link.sessionId(false), window, service, new byte[0]));
    }
    link.send(queries.toArray(Frame[]::new));
    int accepted = 0;
    for (int i = 0; i < max; i++) {
      Frame.Response r = link.expect(Frame.Response.class, x -> true, ANSWER);
      if (r.accepted()) {
        accepted++;
      } else {
        assertEquals(Reason.LIMIT_REACHED, r.reason());
      }
    }
    return accepted;
  }

  /**
   * A fresh identity links and moves {@code sessions} × 128 KiB into a service of the victim that
   * checks every byte and then closes its side.
   */
  private void honestNewcomerTransfers(Victim v, Transport transport, int sessions) throws Exception {
    int size = 128 * 1024;
    byte[] pattern = new byte[size];
    for (int i = 0; i < size; i++) {
      pattern[i] = Background.pattern(i);
    }
    List<Long> received = new CopyOnWriteArrayList<>();
    v.node.expose("checked", (session, peer) -> session.handler(new SessionHandler() {
      private long offset;

      @Override
      public void onData(Session s, ByteBuf data) {
        byte[] bytes = ByteBufUtil.getBytes(data);
        data.release();
        for (byte b : bytes) {
          if (b != Background.pattern(offset++)) {
            s.reset("corrupt at " + (offset - 1));
            return;
          }
        }
      }

      @Override
      public void onEnd(Session s) {
        received.add(offset);
        s.close();
      }
    }), Access.anyone());
    try (Node honest = Node.start(NodeConfig.builder(dir.resolve("honest")).createIdentity(true).build())) {
      honest.link(v.node.identity(), v.endpoint(transport)).get(ANSWER.toSeconds(), TimeUnit.SECONDS);
      List<CompletableFuture<Void>> ended = new ArrayList<>();
      for (int i = 0; i < sessions; i++) {
        Session s = honest.open(v.node.identity(), "checked").get(ANSWER.toSeconds(), TimeUnit.SECONDS);
        s.handler((x, data) -> data.release()); // takes the victim's end of input
        s.write(Unpooled.wrappedBuffer(pattern));
        s.close();
        ended.add(s.closeFuture()); // both sides closed: every byte arrived and checked, else reset
      }
      CompletableFuture.allOf(ended.toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);
    }
    assertEquals(Collections.nCopies(sessions, (long) size), received);
  }

  /** Per peer and node-wide budgets small enough that filling them is quick. */
  private static final long PEER_BUDGET = 4L << 20;
  private static final long NODE_BUDGET = 16L << 20;
  private static final int SESSIONS_PER_ATTACKER = 8;

  @ParameterizedTest
  @EnumSource(value = Transport.class, names = {"TCP", "KCP"})
  void uncreditedSendDataStaysWithinThePeersAndTheNodesBudgets(Transport transport) throws Exception {
    SharedLimit rule = new SharedLimit(NODE_BUDGET);
    try (Producer producer = Producer.start();
        Victim victim = Victim.start(dir, config -> config
            .limits(NodeLimits.defaults().withHandshakes(Victim.PENDING_HANDSHAKES, 10_000, 10_000)
                .withMemoryBudget(NODE_BUDGET))
            .mux(NodeConfig.SMALL_NODE_MUX.withLimits(1024, 1024, 1024, PEER_BUDGET, 1 << 20)))) {
      victim.node.expose(new Expose("produce", producer.address(), Set.of(), true));
      victim.survives(v -> {
        List<RawLink> attackers = new ArrayList<>();
        try {
          for (int i = 0; i < ATTACKERS; i++) {
            RawLink link = RawLink.greeted(v, transport);
            attackers.add(link);
            // The largest window there is, never a Credit: without the budget each session
            // would keep 17 MiB of the target's output, 544 MiB in all.
            assertEquals(SESSIONS_PER_ATTACKER, open(link, SESSIONS_PER_ATTACKER, "produce", Integer.MAX_VALUE));
          }
          // Together they want 4 × 4 MiB; the node holds its reserve back from all but guarantees.
          long bound = rule.limit() - rule.reserve() + ATTACKERS * rule.guaranteed();
          awaitSendBytes(v, used -> used >= rule.limit() - rule.reserve(), "the attackers fill what they may");
          Thread.sleep(1000);
          long held = sendBytes(v).used();
          assertTrue(held <= bound, "held " + held + " bytes, bound " + bound);
          honestPeerReads(v, 4 << 20);
        } finally {
          attackers.forEach(RawLink::close);
        }
        // Their sessions end after the failover grace; what they held is given back.
        awaitSendBytes(v, used -> used == 0, "the budget is given back");
      });
    }
  }

  /** The victim's partner reads {@code bytes} of the producer's output through the victim, intact. */
  private static void honestPeerReads(Victim v, int bytes) throws Exception {
    Session s = v.partner.open(v.node.identity(), "produce").get(ANSWER.toSeconds(), TimeUnit.SECONDS);
    try (InputStream in = s.inputStream()) {
      byte[] got = in.readNBytes(bytes);
      byte[] want = new byte[bytes];
      for (int i = 0; i < bytes; i++) {
        want[i] = Background.pattern(i);
      }
      assertArrayEquals(want, got);
    } finally {
      s.reset("read enough");
    }
  }

  private static LimitUsage sendBytes(Victim v) {
    return v.node.status().limits().stream().filter(l -> l.name().equals("unacknowledged send bytes"))
        .findFirst().orElseThrow();
  }

  private static void awaitSendBytes(Victim v, LongPredicate until, String what) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (!until.test(sendBytes(v).used())) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError(what + ": still " + sendBytes(v).used() + " bytes held");
      }
      Thread.sleep(50);
    }
  }
}
