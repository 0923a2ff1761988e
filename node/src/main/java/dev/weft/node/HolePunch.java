package dev.weft.node;

import dev.weft.identity.Identity;
import dev.weft.link.Endpoint;
import dev.weft.link.Linker;
import dev.weft.link.Listener;
import dev.weft.link.Stream;
import dev.weft.link.Transport;
import dev.weft.mux.Session;
import dev.weft.mux.SessionHandler;
import dev.weft.mux.SessionResetException;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.util.concurrent.ScheduledFuture;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One {@value PunchMessage#SERVICE} session, either end (docs/protocol.md §29): both send their
 * candidates, the initiator measures the relayed round trip from that exchange and starts each
 * attempt with SYNC, half a round trip before it acts itself, so both act at the same moment. The
 * side with the KCP listener (the responder's if it has one) sends probes from it to the other's
 * dial candidates; the other dials the listener's candidates over KCP from the port it announced,
 * and tells the outcome in RESULT. Runs on the session's executor.
 *
 * <p>{@link #outcome()} completes with the stream this side dialled, empty if the other side
 * dialled it, or fails with {@link HolePunchFailedException}.
 */
final class HolePunch implements SessionHandler {
  private static final Logger LOG = LoggerFactory.getLogger(HolePunch.class);
  /** How long one attempt probes, and dials candidates in turn. */
  static final Duration ATTEMPT = Duration.ofSeconds(5);
  /** The most one dial of one candidate may take. */
  static final Duration DIAL = Duration.ofSeconds(2);
  static final Duration PROBE_INTERVAL = Duration.ofMillis(100);
  static final Duration DIAL_SPACING = Duration.ofMillis(250);
  /** The most a whole punch session may last, at either end. */
  static final Duration DEADLINE = Duration.ofSeconds(30);
  /** SYNC waits at most this for half the round trip. */
  private static final Duration MAX_HALF_RTT = Duration.ofSeconds(1);

  private final Session session;
  private final Identity peer;
  private final boolean initiator;
  private final PunchMessage.Candidates mine;
  private final int dialPort;
  private final Optional<Listener> kcp;
  private final Linker linker;
  private final CompletableFuture<Optional<Stream>> outcome = new CompletableFuture<>();
  private final ByteBuf received = Unpooled.buffer(PunchMessage.MAX_LENGTH, 2 * PunchMessage.MAX_LENGTH);
  private final ScheduledFuture<?> deadline;
  private PunchMessage.Candidates theirs;
  private long sentAt;
  private long halfRttNanos;
  private boolean probing;
  private boolean dialling;
  private int attempt;
  private String lastFailure = "no attempt made";
  private ScheduledFuture<?> probes;

  private HolePunch(Session session, Identity peer, boolean initiator, PunchMessage.Candidates mine, int dialPort,
      Optional<Listener> kcp, Linker linker) {
    this.session = session;
    this.peer = peer;
    this.initiator = initiator;
    this.mine = mine;
    this.dialPort = dialPort;
    this.kcp = kcp;
    this.linker = linker;
    this.deadline = session.executor().schedule(() -> fail("timed out after " + DEADLINE.toSeconds() + " s", true),
        DEADLINE.toMillis(), TimeUnit.MILLISECONDS);
  }

  /**
   * Runs a punch on {@code session}: the initiator's end (it opened the session) sends its
   * candidates at once; the responder's waits for the initiator's.
   */
  static HolePunch run(Session session, Identity peer, boolean initiator, PunchMessage.Candidates mine,
      int dialPort, Optional<Listener> kcp, Linker linker) {
    HolePunch punch = new HolePunch(session, peer, initiator, mine, dialPort, kcp, linker);
    session.executor().execute(() -> {
      if (initiator) {
        punch.sentAt = System.nanoTime();
        punch.send(mine);
      }
      session.handler(punch);
    });
    return punch;
  }

  CompletableFuture<Optional<Stream>> outcome() {
    return outcome;
  }

  @Override
  public void onData(Session s, ByteBuf data) {
    try {
      if (outcome.isDone() || data.readableBytes() > received.maxWritableBytes()) {
        if (!outcome.isDone()) {
          fail("the peer sent more than a punch message", true);
        }
        return;
      }
      received.writeBytes(data);
      for (Optional<PunchMessage> m = PunchMessage.decode(received); m.isPresent() && !outcome.isDone();
          m = PunchMessage.decode(received)) {
        handle(m.get());
      }
      if (!outcome.isDone()) {
        received.discardReadBytes();
      }
    } catch (IllegalArgumentException e) {
      fail("malformed punch message: " + e.getMessage(), true);
    } finally {
      data.release();
    }
  }

  private void handle(PunchMessage message) {
    if (message instanceof PunchMessage.Candidates c && theirs == null) {
      candidates(c);
    } else if (message instanceof PunchMessage.Sync sync && !initiator && theirs != null && !dialling
        && sync.attempt() == attempt + 1 && sync.attempt() <= PunchMessage.MAX_ATTEMPTS) {
      attempt = sync.attempt();
      act();
    } else if (message instanceof PunchMessage.Result r && probing && attempt > 0 && r.attempt() == attempt) {
      result(r.direct());
    } else {
      fail("unexpected punch message " + message, true);
    }
  }

  private void candidates(PunchMessage.Candidates c) {
    theirs = c;
    if (!initiator) {
      send(mine);
    } else {
      halfRttNanos = Math.min((System.nanoTime() - sentAt) / 2, MAX_HALF_RTT.toNanos());
    }
    // The responder listens if it can: it is the side a relay reaches, most often a server.
    boolean responderListens = !(initiator ? theirs : mine).listen().isEmpty();
    boolean initiatorListens = !(initiator ? mine : theirs).listen().isEmpty();
    if (!responderListens && !initiatorListens) {
      fail("neither side has a KCP listener", false);
      return;
    }
    probing = initiator ? !responderListens : responderListens;
    if (!probing && theirs.listen().isEmpty() || probing && theirs.dial().isEmpty()) {
      fail("the peer announced no candidate to " + (probing ? "probe" : "dial"), false);
      return;
    }
    if (initiator) {
      nextAttempt();
    }
  }

  private void nextAttempt() {
    attempt++;
    send(new PunchMessage.Sync(attempt));
    session.executor().schedule(this::act, halfRttNanos, TimeUnit.NANOSECONDS);
  }

  private void act() {
    if (outcome.isDone()) {
      return;
    }
    LOG.debug("punch with {}: attempt {}, {}", peer.shortText(), attempt, probing ? "probing" : "dialling");
    if (probing) {
      probe();
    } else {
      dialling = true;
      dial(0, System.nanoTime() + ATTEMPT.toNanos());
    }
  }

  /** Probes every dial candidate of the other side each interval, for one attempt or until its RESULT. */
  private void probe() {
    Listener listener = kcp.orElseThrow();
    int rounds = (int) (ATTEMPT.toMillis() / PROBE_INTERVAL.toMillis());
    int[] sent = new int[1];
    int current = attempt;
    probes = session.executor().scheduleAtFixedRate(() -> {
      if (sent[0] >= rounds * theirs.dial().size() || outcome.isDone() || attempt != current) {
        probes.cancel(false);
        return;
      }
      for (InetSocketAddress target : theirs.dial()) {
        listener.sendDatagram(target, new PunchProbe(theirs.nonce(), current, sent[0]++).encode());
      }
    }, 0, PROBE_INTERVAL.toMillis(), TimeUnit.MILLISECONDS);
  }

  /**
   * Dials the listener's candidates in turn from the announced port, round after round while the
   * attempt lasts (the other side probes all that time), until one links. Dials start at least
   * {@link #DIAL_SPACING} apart: an unreachable candidate fails at once.
   */
  private void dial(int next, long until) {
    long now = System.nanoTime();
    if (now >= until || outcome.isDone()) {
      dialling = false;
      send(new PunchMessage.Result(attempt, false));
      result(false);
      return;
    }
    InetSocketAddress target = theirs.listen().get(next % theirs.listen().size());
    Endpoint endpoint = new Endpoint(Transport.KCP, target.getAddress().getHostAddress(), target.getPort());
    Duration timeout = Duration.ofNanos(Math.min(until - now, DIAL.toNanos()));
    linker.dialFrom(endpoint, peer, dialPort, timeout).whenComplete((stream, e) -> session.executor().execute(() -> {
      if (e == null) {
        dialling = false;
        if (outcome.isDone()) {
          stream.close("the hole punch had ended");
          return;
        }
        send(new PunchMessage.Result(attempt, true));
        succeed(Optional.of(stream));
      } else {
        lastFailure = "dialling " + endpoint + ": " + (e instanceof TimeoutException
            ? "no handshake within " + timeout.toMillis() + " ms" : e.getMessage());
        long wait = Math.max(0, now + DIAL_SPACING.toNanos() - System.nanoTime());
        session.executor().schedule(() -> dial(next + 1, until), wait, TimeUnit.NANOSECONDS);
      }
    }));
  }

  /** An attempt ended: this side's dial, or the other side's RESULT. */
  private void result(boolean direct) {
    if (probes != null) {
      probes.cancel(false);
    }
    if (direct) {
      succeed(Optional.empty());
    } else if (initiator && attempt < PunchMessage.MAX_ATTEMPTS) {
      nextAttempt();
    } else if (initiator) {
      fail("no direct path after " + attempt + " attempts; last: " + lastFailure, false);
    }
  }

  private void succeed(Optional<Stream> stream) {
    deadline.cancel(false);
    release();
    session.close();
    outcome.complete(stream);
  }

  private void fail(String reason, boolean reset) {
    if (outcome.isDone()) {
      return;
    }
    deadline.cancel(false);
    if (probes != null) {
      probes.cancel(false);
    }
    release();
    if (reset) {
      session.reset(reason);
    } else {
      session.close();
    }
    outcome.completeExceptionally(new HolePunchFailedException(reason));
  }

  private void send(PunchMessage message) {
    session.write(message.encode());
  }

  @Override
  public void onEnd(Session s) {
    // The initiator closes once it has decided; a responder that ends first has given up.
    if (!outcome.isDone()) {
      fail(initiator ? "the peer ended the punch session" : "the initiator gave up: " + lastFailure, false);
    }
  }

  @Override
  public void onReset(Session s, SessionResetException cause) {
    fail("the punch session was reset: " + cause.getMessage(), false);
  }

  private void release() {
    if (received.refCnt() > 0) {
      received.release();
    }
  }
}
