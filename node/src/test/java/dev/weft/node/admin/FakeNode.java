package dev.weft.node.admin;

import dev.weft.identity.Identity;
import dev.weft.link.CookieStats;
import dev.weft.link.RekeyStats;
import dev.weft.mux.Session;
import dev.weft.node.EventBus;
import dev.weft.node.Expose;
import dev.weft.node.Forward;
import dev.weft.node.LimitUsage;
import dev.weft.node.NodeStatus;
import dev.weft.node.Subscription;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.concurrent.CompletableFuture;

/** An in-memory node: enough state to see that admin routes reach the right operation. */
final class FakeNode implements NodeControl {
  final Identity self;
  final EventBus events = new EventBus(Clock.systemUTC());
  final List<Expose> exposes = new CopyOnWriteArrayList<>();
  final List<String> calls = new CopyOnWriteArrayList<>();

  FakeNode(Identity self) {
    this.self = self;
  }

  @Override
  public NodeStatus status() {
    return new NodeStatus(self, "test", Instant.EPOCH, List.of("tcp:127.0.0.1:1"), 0, 0, 0,
        exposes.size(), 0, 0, List.of(new LimitUsage("sessions per node", 0, 4096)),
        new CookieStats(0, 0, 0, 0, 0, 0, 0), new RekeyStats(0, 0), List.of());
  }

  @Override
  public List<PeerInfo> peers() {
    return List.of();
  }

  @Override
  public List<StreamInfo> streams() {
    return List.of();
  }

  @Override
  public List<SessionInfo> sessions() {
    return List.of();
  }

  @Override
  public SessionInfo session(String id) {
    calls.add("session " + id);
    throw new NoSuchElementException("no session " + id);
  }

  @Override
  public void reset(String session, String reason) {
    calls.add("reset " + session + " " + reason);
    throw new NoSuchElementException("no session " + session);
  }

  @Override
  public CompletableFuture<StreamInfo> link(Identity peer, String endpoint) {
    calls.add("link " + peer.shortText() + " " + endpoint);
    return CompletableFuture.failedFuture(new IOException("connection refused: " + endpoint));
  }

  @Override
  public CompletableFuture<Void> unlink(String stream, boolean drain) {
    calls.add("unlink " + stream + " drain=" + drain);
    return CompletableFuture.completedFuture(null);
  }

  @Override
  public List<Expose> exposes() {
    return exposes;
  }

  @Override
  public void expose(Expose expose) {
    if (exposes.stream().anyMatch(e -> e.service().equals(expose.service()))) {
      throw new IllegalStateException(expose.service() + " is already exposed");
    }
    exposes.add(expose);
  }

  @Override
  public void unexpose(String service) {
    if (!exposes.removeIf(e -> e.service().equals(service))) {
      throw new NoSuchElementException("no service " + service + " is exposed");
    }
  }

  @Override
  public List<Forward> forwards() {
    return List.of();
  }

  @Override
  public CompletableFuture<Forward> forward(Forward forward) {
    return CompletableFuture.completedFuture(forward);
  }

  @Override
  public CompletableFuture<Void> unforward(int port) {
    calls.add("unforward " + port);
    return CompletableFuture.completedFuture(null);
  }

  @Override
  public CompletableFuture<SessionInfo> migrate(String session, String stream) {
    return CompletableFuture.failedFuture(new NoSuchElementException("no session " + session));
  }

  @Override
  public CompletableFuture<Integer> migrateAll(String from, String to) {
    return CompletableFuture.completedFuture(0);
  }

  @Override
  public CompletableFuture<Session> open(Identity peer, String service) {
    return CompletableFuture.failedFuture(new NoSuchElementException("no stream to " + peer.shortText()));
  }

  @Override
  public CompletableFuture<List<PingResult>> ping(Identity peer) {
    return CompletableFuture.completedFuture(List.of(new PingResult("0000000000000001", "tcp", 42)));
  }

  @Override
  public Subscription subscribe(int capacity, boolean traffic) {
    return events.subscribe(capacity, traffic);
  }

  @Override
  public byte[] metrics() {
    calls.add("metrics");
    return "# HELP fake_up A fake gauge.\n# TYPE fake_up gauge\nfake_up 1\n".getBytes(StandardCharsets.UTF_8);
  }
}
