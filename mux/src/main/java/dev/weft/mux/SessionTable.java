package dev.weft.mux;

import dev.weft.identity.IdText;
import io.netty.channel.Channel;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.EventExecutor;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import java.util.function.Predicate;
import java.util.random.RandomGenerator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The session table for one remote peer, spanning every stream attached to that peer.
 *
 * <p>Threading: all state is confined to one {@link EventExecutor} given at construction. Public
 * methods may be called from any thread and hop onto it; stream handlers on other event loops
 * hand frames over in one task per read batch. Handlers, acceptors, listeners and the futures
 * returned here complete on that executor: never block in them.
 */
public final class SessionTable {
  private static final Logger log = LoggerFactory.getLogger(SessionTable.class);
  /** A Ping unanswered this long, and {@link #ZOMBIE_RTTS} round trips, marks a stream dead. */
  private static final Duration ZOMBIE_FLOOR = Duration.ofSeconds(1);
  private static final int ZOMBIE_RTTS = 4;

  private final EventExecutor executor;
  private final boolean highSide;
  private final MuxConfig config;
  private final PeerListener listener;
  private final StreamChooser chooser;
  private final Map<Long, Session> sessions = new ConcurrentHashMap<>();
  private final Map<Long, MuxStream> streams = new ConcurrentHashMap<>();
  private final Budget budget;
  private final PathWindow path;
  private final SendBudget sendBudget;
  /** This peer's part of the node's sessions: one unit per session in the table. */
  private final SharedLimit.Share nodeSessions;
  private final Timers timers;
  private final Migrations migrations;
  private final Opens opens;
  private final SilentPaths silentPaths;
  private final LogLimit logLimit = new LogLimit(System::nanoTime);
  private final LongSupplier nanoTime;
  private volatile boolean closed;

  /**
   * @param highSide which half of the session id space this side opens sessions in; the two
   *     peers must pass opposite values (the node derives it from identity order, never from who
   *     dialled, since sessions outlive streams). It also breaks ties between simultaneous
   *     migrations of one session (the high side's wins), and only the high side applies the
   *     config's {@link Rebalance} policy.
   * @param chooser picks the stream for a new or failing-over session
   * @param node what all peers of the node share: sessions, receive windows and unacknowledged
   *     sends are reserved from it besides this table's own limits
   */
  public SessionTable(EventExecutor executor, boolean highSide, MuxConfig config, Acceptor acceptor,
      PeerListener listener, StreamChooser chooser, NodeScope node) {
    this(executor, highSide, config, acceptor, listener, chooser, node,
        new SplittableRandom(new SecureRandom().nextLong()), System::nanoTime);
  }

  /**
   * As above, with what makes a table's behaviour vary from run to run given: a test that fixes
   * both (the state machine fuzz target) replays exactly.
   *
   * @param sessionIds where the ids of the sessions this side opens come from (otherwise seeded
   *     from SecureRandom); the order the table walks its sessions in follows the ids
   * @param nanoTime the clock of what the table measures: how busy a session's receive window
   *     is, and each stream's round trip (which picks the stream a session goes to) and liveness
   *     (otherwise System.nanoTime)
   */
  SessionTable(EventExecutor executor, boolean highSide, MuxConfig config, Acceptor acceptor,
      PeerListener listener, StreamChooser chooser, NodeScope node, RandomGenerator sessionIds,
      LongSupplier nanoTime) {
    this.executor = executor;
    this.nanoTime = nanoTime;
    this.highSide = highSide;
    this.config = config;
    this.listener = listener;
    this.chooser = chooser;
    this.budget = new Budget(config.memoryBudget(), node.receiveMemory().share(), config.maxSessionsPerPeer());
    this.path = new PathWindow(this::minRtt, nanoTime.getAsLong());
    this.sendBudget = new SendBudget(config.memoryBudget(), node.sendMemory().share(), this::later);
    this.nodeSessions = node.sessions().share();
    this.timers = new Timers(executor, config);
    this.migrations = new Migrations(this, timers);
    this.opens = new Opens(this, acceptor, budget, timers, sessionIds);
    this.silentPaths = new SilentPaths(this, migrations, timers);
    timers.start(this, config.rebalance() == null || !highSide ? null : new Rebalancer(this, config.rebalance()));
  }

  /**
   * A table that picks streams by {@link StreamChooser#BEST_QUALITY} and is limited by its own
   * config only.
   */
  public SessionTable(EventExecutor executor, boolean highSide, MuxConfig config, Acceptor acceptor, PeerListener listener) {
    this(executor, highSide, config, acceptor, listener, StreamChooser.BEST_QUALITY, NodeScope.unlimited());
  }

  public EventExecutor executor() {
    return executor;
  }

  public MuxConfig config() {
    return config;
  }

  boolean highSide() {
    return highSide;
  }

  PeerListener listener() {
    return listener;
  }

  /**
   * Starts carrying sessions over {@code channel}, a stream to this peer whose id is
   * {@code streamId} at both ends. Adds the mux handlers at the end of the pipeline and sends
   * Hello once the channel is active; call it before any inbound byte is processed (e.g. in the
   * link's handshake callback).
   * The stream is detached when the channel closes.
   *
   * @param close how the mux closes the stream for a reason of its own (protocol error, ping
   *     timeout): it should tell the peer that reason, as the link's {@code Stream.close} does
   */
  public void attach(Channel channel, long streamId, Consumer<String> close) {
    if (closed) {
      throw new IllegalStateException("peer is closed");
    }
    MuxStream stream = new MuxStream(this, streamId, channel, close);
    if (streams.putIfAbsent(streamId, stream) != null) {
      throw new IllegalArgumentException("stream " + IdText.of(stream.id()) + " is already attached");
    }
    channel.pipeline().addLast(new FrameDecoder(config.maxPayload()), FrameEncoder.INSTANCE,
        new StreamHandler(this, stream, new Inbound(this, stream, opens, migrations),
            new Frame.Hello(Wire.VERSION, config.maxPayload())));
    post(() -> timers.startPings(stream), () -> { });
    if (channel.closeFuture().isDone()) {
      post(() -> detached(stream), () -> { });
    }
  }

  /** Opens a session to {@code service} on the best live stream. */
  public CompletableFuture<Session> open(String service, byte[] args) {
    CompletableFuture<Session> result = new CompletableFuture<>();
    byte[] name = service.getBytes(StandardCharsets.UTF_8);
    if (name.length == 0 || name.length > Wire.MAX_SERVICE || args.length > Wire.MAX_ARGS) {
      result.completeExceptionally(new IllegalArgumentException("service name must be 1.." + Wire.MAX_SERVICE
          + " UTF-8 bytes and args at most " + Wire.MAX_ARGS + " bytes"));
      return result;
    }
    byte[] argsCopy = args.clone();
    post(() -> opens.open(service, argsCopy, result), () -> result.completeExceptionally(
        new SessionRejectedException(Reason.SHUTTING_DOWN, "peer executor is shut down")));
    return result;
  }

  /** The table's clock, in nanoseconds (see the constructor). */
  long nanoTime() {
    return nanoTime.getAsLong();
  }

  SendBudget sendBudget() {
    return sendBudget;
  }

  /** Takes one of the node's sessions for a new session of this peer; false if its share is used up. */
  boolean reserveSession() {
    return nodeSessions.reserve(1);
  }

  /** Gives back a session reserved by {@link #reserveSession} that was not created after all. */
  void unreserveSession() {
    nodeSessions.release(1);
  }

  /** Why {@link #reserveSession} failed, for the refusal. */
  String nodeSessionsRefusal() {
    return nodeSessions.refusal("sessions");
  }

  /** A session whose receive window of {@code window} bytes and node session are already reserved. */
  Session newSession(SessionId id, String service, byte[] args, Direction direction, int window) {
    ReceiveWindow receive = new ReceiveWindow(window, config.maxWindow(), budget, path, nanoTime.getAsLong());
    Session session = new Session(this, id, service, args, direction, receive);
    sessions.put(id.value(), session);
    return session;
  }

  /** The lowest round trip any live stream of this peer has measured, in nanoseconds; 0 before one. */
  private long minRtt() {
    long min = 0;
    for (MuxStream s : streams.values()) {
      Duration rtt = s.live() ? s.stats().minRtt() : null;
      if (rtt != null && (min == 0 || rtt.toNanos() < min)) {
        min = rtt.toNanos();
      }
    }
    return min;
  }

  /** Best live stream with fewer than {@code maxSessions} sessions, or null. */
  MuxStream best(int maxSessions) {
    return best(s -> s.sessions() < maxSessions);
  }

  /**
   * Best live stream that {@code eligible} lets through, or null; a suspect one only when all are
   * (see SilentPaths).
   */
  MuxStream best(Predicate<MuxStream> eligible) {
    List<StreamStats> live = new ArrayList<>();
    List<StreamStats> healthy = new ArrayList<>();
    for (MuxStream s : streams.values()) {
      if (s.live() && eligible.test(s)) {
        StreamStats stats = s.stats();
        live.add(stats);
        if (!stats.suspect()) {
          healthy.add(stats);
        }
      }
    }
    return live.isEmpty() ? null : streams.get(chooser.choose(healthy.isEmpty() ? live : healthy));
  }

  SilentPaths silentPaths() {
    return silentPaths;
  }

  /**
   * Moves an open session to another live stream of this peer, by marker: completes with how
   * long this side held the session's writes. Fails with {@link MigrationException} if the
   * session is unknown or not open, the target is not attached, not live or already current, the
   * peer refuses, or the peer does not answer within {@code migrateTimeout} (the session then
   * stays where it was).
   */
  public CompletableFuture<Duration> migrate(SessionId session, long targetStream) {
    CompletableFuture<Duration> result = new CompletableFuture<>();
    post(() -> migrations.start(sessions.get(session.value()), session, targetStream, result),
        () -> result.completeExceptionally(new MigrationException("peer executor is shut down")));
    return result;
  }

  /** Migrates every session sending on {@code from} to {@code to}; completes with how many moved. */
  public CompletableFuture<Integer> migrateAll(long from, long to) {
    CompletableFuture<Integer> result = new CompletableFuture<>();
    post(() -> {
      List<CompletableFuture<Duration>> moves = new ArrayList<>();
      for (Session s : sessions.values()) {
        MuxStream on = s.stream();
        if (on != null && on.id() == from && s.state().steady()) {
          CompletableFuture<Duration> one = new CompletableFuture<>();
          migrations.start(s, s.id(), to, one);
          moves.add(one);
        }
      }
      CompletableFuture.allOf(moves.toArray(CompletableFuture[]::new)).whenComplete((v, e) -> {
        long moved = moves.stream().filter(f -> !f.isCompletedExceptionally()).count();
        result.complete((int) moved);
      });
    }, () -> result.completeExceptionally(new MigrationException("peer executor is shut down")));
    return result;
  }

  /** How many sessions this peer has now (any thread). */
  public int sessionCount() {
    return sessions.size();
  }

  /** Snapshot of the sessions (any thread). */
  public List<Session> sessions() {
    return List.copyOf(sessions.values());
  }

  public Optional<Session> session(SessionId id) {
    return Optional.ofNullable(sessions.get(id.value()));
  }

  /** Snapshot of the attached streams (any thread). */
  public List<StreamStats> streams() {
    return streams.values().stream().map(MuxStream::stats).toList();
  }

  /**
   * Sends a Ping on {@code streamId} now and completes with the round trip when its Pong comes
   * back. Fails with {@link NoSuchElementException} if no such stream is live, and
   * with an {@link IOException} if the stream closes first.
   */
  public CompletableFuture<Duration> ping(long streamId) {
    CompletableFuture<Duration> result = new CompletableFuture<>();
    post(() -> {
      MuxStream stream = streams.get(streamId);
      if (stream == null || !stream.live()) {
        result.completeExceptionally(new NoSuchElementException(
            "no live stream " + IdText.of(streamId)));
      } else {
        stream.probe(result);
      }
    }, () -> result.completeExceptionally(new IOException("peer executor is shut down")));
    return result;
  }

  /**
   * An attached stream whose Ping has gone unanswered for more than a second and four smoothed
   * round trips (dead without its transport noticing yet: a node at its stream limit for the peer
   * closes it to make room for a new one), or empty. Any thread.
   */
  public OptionalLong zombieStream() {
    long now = nanoTime.getAsLong();
    return streams.values().stream().filter(s -> s.zombie(now, ZOMBIE_FLOOR, ZOMBIE_RTTS))
        .mapToLong(MuxStream::id).findFirst();
  }

  /** Snapshot of one attached stream (any thread), without building every stream's. */
  public Optional<StreamStats> streamStats(long streamId) {
    return Optional.ofNullable(streams.get(streamId)).map(MuxStream::stats);
  }

  /**
   * Stops: new sessions are refused with SHUTTING_DOWN and existing ones are reset with it. The
   * channels stay open (their owner closes them).
   */
  public CompletableFuture<Void> close() {
    CompletableFuture<Void> done = new CompletableFuture<>();
    closed = true;
    post(() -> {
      for (Session s : List.copyOf(sessions.values())) {
        s.terminate(Reason.SHUTTING_DOWN, "peer is shutting down", true);
      }
      streams.values().forEach(MuxStream::pump);
      timers.stop();
      done.complete(null);
    }, () -> done.complete(null));
    return done;
  }

  // ---- executor plumbing ----

  /** Runs {@code task} on the executor (inline if already there). */
  void run(Runnable task) {
    post(task, () -> log.debug("peer executor shut down; task dropped"));
  }

  /** Like {@link #run}, but calls {@code rejected} if the executor no longer accepts work. */
  void post(Runnable task, Runnable rejected) {
    if (executor.inEventLoop()) {
      task.run();
      return;
    }
    try {
      executor.execute(task);
    } catch (RejectedExecutionException e) {
      rejected.run();
    }
  }

  /** Runs {@code task} in a fresh executor task, never inline (for callers that must not re-enter). */
  void later(Runnable task) {
    try {
      executor.execute(task);
    } catch (RejectedExecutionException e) {
      log.debug("peer executor shut down; task dropped");
    }
  }

  // ---- inbound frames (on the executor) ----

  void onFrames(MuxStream stream, Inbound inbound, List<Frame> frames) {
    for (Frame frame : frames) {
      if (stream.closed() || streams.get(stream.id()) != stream) {
        ReferenceCountUtil.release(frame);
        continue;
      }
      stream.received(frame);
      try {
        frame.handleBy(inbound);
      } catch (RuntimeException e) {
        // A bug of ours must not take the stream's other frames down with it.
        log.error("stream {}: failed handling {}", IdText.of(stream.id()), frame, e);
        ReferenceCountUtil.release(frame);
      }
    }
  }

  /** The peer's Hello arrived on {@code stream}: it carries sessions from now on. */
  void streamReady(MuxStream stream, int peerMaxPayload) {
    stream.ready(peerMaxPayload, config);
    listener.streamAttached(stream.stats());
    migrations.streamReady();
    silentPaths.moveOffSuspects();
  }

  /** Called by a session as it ends: forget it, end its move, report. */
  void ended(Session session, SessionResetException cause) {
    sessions.remove(session.id().value());
    nodeSessions.release(1);
    migrations.sessionEnded(session);
    if (opens.ended(session, cause)) {
      return;
    }
    if (cause == null) {
      listener.sessionClosed(session);
    } else {
      listener.sessionReset(session, cause);
    }
  }

  /** The channel of {@code stream} closed. */
  void detached(MuxStream stream) {
    if (!streams.remove(stream.id(), stream)) {
      return;
    }
    stream.detach();
    timers.stopPings(stream);
    migrations.streamLost(stream, List.copyOf(sessions.values()));
    listener.streamDetached(stream.id(), stream.closeReason());
  }

  MuxStream stream(long id) {
    return streams.get(id);
  }

  Session session(long id) {
    return sessions.get(id);
  }

  boolean closed() {
    return closed;
  }

  boolean anyLive() {
    return streams.values().stream().anyMatch(MuxStream::live);
  }

  List<MuxStream> attachedStreams() {
    return List.copyOf(streams.values());
  }

  /** Whether a line about this peer may be logged now (see LogLimit); on the executor. */
  boolean mayLog() {
    return logLimit.allow(log);
  }

  boolean inExecutor() {
    return executor.inEventLoop();
  }

  /** The timers' grant sweep (see Session#grantOwed). */
  void sweepGrants() {
    sessions.values().forEach(Session::grantOwed);
  }

  /** The timers' idle check: resets sessions quiet for longer than the idle timeout. */
  void expireIdle() {
    long cutoff = System.currentTimeMillis() - config.idleTimeout().toMillis();
    for (Session s : List.copyOf(sessions.values())) {
      if (s.state().steady() && s.lastActivity().toEpochMilli() < cutoff) {
        s.terminate(Reason.TIMEOUT, "idle for " + config.idleTimeout().toMillis() + " ms", true);
      }
    }
  }
}
