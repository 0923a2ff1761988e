package dev.weft.mux;

import io.netty.buffer.ByteBuf;
import java.nio.ByteBuffer;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Test services: "echo" returns what it gets (pausing while its writes are not accepted);
 * "sink" checks a {@link Pattern} whose seed is the 8-byte args, then closes its side;
 * "source" sends the pattern of its args' seed for as many bytes as the next 8 bytes say.
 */
final class Services implements Acceptor {
  final Map<SessionId, PatternReader> sinks = new ConcurrentHashMap<>();
  final Map<SessionId, CompletableFuture<Session>> accepted = new ConcurrentHashMap<>();

  static byte[] args(long seed, long length) {
    return ByteBuffer.allocate(16).putLong(seed).putLong(length).array();
  }

  CompletableFuture<Session> accepted(SessionId id) {
    return accepted.computeIfAbsent(id, k -> new CompletableFuture<>());
  }

  @Override
  public Acceptance decide(IncomingQuery query) {
    return switch (query.service()) {
      case "echo" -> Acceptance.accept(this::echo);
      case "sink" -> Acceptance.accept(s -> {
        long seed = ByteBuffer.wrap(s.args()).getLong();
        PatternReader reader = new PatternReader(seed);
        sinks.put(s.id(), reader);
        reader.done.whenComplete((n, e) -> s.close());
        accepted(s.id()).complete(s);
        s.handler(reader);
      });
      case "source" -> Acceptance.accept(s -> {
        ByteBuffer args = ByteBuffer.wrap(s.args());
        accepted(s.id()).complete(s);
        new PatternWriter(s, args.getLong(), args.getLong(), 32 * 1024).start();
      });
      case "denied" -> Acceptance.reject(Reason.ACCESS_DENIED);
      case "busy" -> Acceptance.reject(Reason.LIMIT_REACHED);
      default -> Acceptance.reject(Reason.NO_SUCH_SERVICE);
    };
  }

  private void echo(Session session) {
    accepted(session.id()).complete(session);
    session.handler(new SessionHandler() {
      @Override
      public void onData(Session s, ByteBuf data) {
        CompletableFuture<Void> written = s.write(data);
        if (!written.isDone()) {
          s.pause();
          written.whenComplete((v, e) -> s.resume());
        }
      }

      @Override
      public void onEnd(Session s) {
        s.close();
      }
    });
  }
}
