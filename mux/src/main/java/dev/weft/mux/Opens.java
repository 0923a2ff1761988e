package dev.weft.mux;

import dev.weft.identity.IdText;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledFuture;
import java.util.random.RandomGenerator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Opening sessions both ways: this side's Queries (limits, a fresh id in this side's half, the
 * open timeout) and the peer's (every check, then the acceptor), and the Responses. Runs on the
 * table's executor.
 */
final class Opens {
  private static final Logger log = LoggerFactory.getLogger(Opens.class);

  private final SessionTable table;
  private final MuxConfig config;
  private final boolean highSide;
  private final Acceptor acceptor;
  private final PeerListener listener;
  private final Budget budget;
  private final Timers timers;
  private final RandomGenerator sessionIds;
  /** Our Queries not answered yet. */
  private int pending;

  Opens(SessionTable table, Acceptor acceptor, Budget budget, Timers timers, RandomGenerator sessionIds) {
    this.table = table;
    this.config = table.config();
    this.highSide = table.highSide();
    this.acceptor = acceptor;
    this.listener = table.listener();
    this.budget = budget;
    this.timers = timers;
    this.sessionIds = sessionIds;
  }

  /** Opens a session on the best live stream with room, unless a limit says no. */
  void open(String service, byte[] args, CompletableFuture<Session> result) {
    String refusal = table.closed() ? "peer is closed"
        : pending >= config.maxPendingOpens() ? "too many pending opens (" + pending + ")"
        : table.sessionCount() >= config.maxSessionsPerPeer() ? "too many sessions with this peer"
        : null;
    Reason reason = table.closed() ? Reason.SHUTTING_DOWN : Reason.LIMIT_REACHED;
    MuxStream stream = refusal == null ? table.best(config.maxSessionsPerStream()) : null;
    if (refusal == null && stream == null) {
      refusal = "no live stream to the peer with room for another session";
      reason = table.anyLive() ? Reason.LIMIT_REACHED : Reason.STREAM_LOST;
    }
    int window = refusal == null ? budget.open(config.initialWindow()) : 0;
    if (refusal == null && window == 0) {
      refusal = "memory budget exhausted";
    }
    if (refusal == null && !table.reserveSession()) {
      budget.close(window);
      refusal = table.nodeSessionsRefusal();
    }
    if (refusal != null) {
      result.completeExceptionally(new SessionRejectedException(reason, refusal));
      return;
    }
    SessionId id;
    do {
      id = SessionId.random(highSide, sessionIds);
    } while (table.session(id.value()) != null);
    Session session = table.newSession(id, service, args, Direction.OUTBOUND, window);
    session.sendOn(stream);
    pending++;
    ScheduledFuture<?> timeout = timers.openTimeout(session);
    result.whenComplete((v, e) -> timeout.cancel(false));
    session.opening = result;
    stream.send(new Frame.Query(id.value(), session.receiveWindow(), service, args));
  }

  /** The peer opens a session: checked, decided by the acceptor, answered with a Response. */
  void onQuery(MuxStream stream, Frame.Query query) {
    long id = query.session();
    SessionId sid = new SessionId(id);
    Reason reason = null;
    String why = null;
    if (sid.openedByHighSide() == highSide) {
      reason = Reason.PROTOCOL_ERROR;
      why = "session id " + sid + " is in this side's half of the id space";
    } else if (table.session(id) != null) {
      reason = Reason.PROTOCOL_ERROR;
      why = "duplicate session id " + sid;
    } else if (query.window() <= 0) {
      reason = Reason.PROTOCOL_ERROR;
      why = "Query window " + query.window() + " is not positive";
    } else if (table.closed()) {
      reason = Reason.SHUTTING_DOWN;
    } else if (table.sessionCount() >= config.maxSessionsPerPeer()) {
      reason = Reason.LIMIT_REACHED;
      why = "too many sessions with this peer (limit " + config.maxSessionsPerPeer() + ")";
    } else if (stream.sessions() >= config.maxSessionsPerStream()) {
      reason = Reason.LIMIT_REACHED;
      why = "too many sessions on this stream (limit " + config.maxSessionsPerStream() + ")";
    }
    int window = reason == null ? budget.open(config.initialWindow()) : 0;
    if (reason == null && window == 0) {
      reason = Reason.LIMIT_REACHED;
      why = "receive memory budget exhausted";
    }
    if (reason == null && !table.reserveSession()) {
      budget.close(window);
      reason = Reason.LIMIT_REACHED;
      why = table.nodeSessionsRefusal();
    }
    Acceptance decision = reason == null ? decide(new IncomingQuery(sid, query.service(), query.args(), stream.id())) : null;
    if (decision != null && !decision.accepted()) {
      budget.close(window);
      table.unreserveSession();
      reason = decision.rejection();
    }
    if (reason != null) {
      if (reason == Reason.LIMIT_REACHED && why != null) {
        if (table.mayLog()) {
          log.info("stream {}: refused Query for {}: {}", IdText.of(stream.id()), query.service(), why);
        }
        listener.sessionRefused(sid, query.service(), why);
      } else if (why != null && table.mayLog()) {
        log.warn("stream {}: refused Query: {}", IdText.of(stream.id()), why);
      }
      stream.send(new Frame.Response(id, reason, 0));
      listener.sessionRejected(sid, query.service(), reason, Direction.INBOUND);
      return;
    }
    // One copy of each service name for all its sessions (a decoded name is a new string each time).
    Session session = table.newSession(sid, query.service().intern(), query.args(), Direction.INBOUND, window);
    session.sendOn(stream);
    stream.send(new Frame.Response(id, null, session.receiveWindow()));
    session.opened(query.window());
    listener.sessionOpened(session);
    try {
      decision.onOpen().accept(session);
    } catch (RuntimeException e) {
      log.warn("session {}: accept callback failed", sid, e);
      session.terminate(Reason.APPLICATION, "accept callback failed: " + e, true);
    }
  }

  private Acceptance decide(IncomingQuery query) {
    try {
      return acceptor.decide(query);
    } catch (RuntimeException e) {
      log.warn("acceptor failed on {}", query, e);
      return Acceptance.reject(Reason.ACCESS_DENIED);
    }
  }

  /** The peer answers one of our Queries. */
  void onResponse(Frame.Response response) {
    Session s = table.session(response.session());
    if (s == null || s.state() != SessionState.OPENING || s.direction() != Direction.OUTBOUND) {
      log.debug("ignoring Response for session {} not being opened", new SessionId(response.session()));
      return;
    }
    CompletableFuture<Session> opening = s.opening;
    if (response.accepted()) {
      if (response.window() <= 0) {
        s.protocolError("Response window " + response.window() + " is not positive");
        return;
      }
      pending--;
      s.opening = null;
      s.opened(response.window());
      listener.sessionOpened(s);
      opening.complete(s);
    } else {
      listener.sessionRejected(s.id(), s.service(), response.reason(), Direction.OUTBOUND);
      s.terminate(response.reason(), "rejected by peer", false);
    }
  }

  /** A session ended; true if it was still being opened (its open fails with the cause). */
  boolean ended(Session session, SessionResetException cause) {
    if (session.opening == null) {
      return false;
    }
    pending--;
    Reason reason = cause == null ? Reason.PROTOCOL_ERROR : cause.reason();
    session.opening.completeExceptionally(new SessionRejectedException(reason, cause == null ? "ended" : cause.getMessage()));
    session.opening = null;
    return true;
  }
}
