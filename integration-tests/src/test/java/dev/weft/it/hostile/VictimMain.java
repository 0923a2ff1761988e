package dev.weft.it.hostile;

import dev.weft.mux.MuxConfig;
import dev.weft.mux.Session;
import dev.weft.mux.SessionHandler;
import dev.weft.node.Access;
import dev.weft.node.HostPort;
import dev.weft.node.Node;
import dev.weft.node.NodeConfig;
import dev.weft.node.NodeLimits;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;

/**
 * The node under attack as a JVM of its own, so that its memory, threads and descriptors are its
 * alone: started by {@link VictimProcess}, it prints its identity and listeners, then answers one
 * command a line on stdin ({@code mark}, {@code usage}) and stops when stdin closes, so it never
 * outlives the test.
 */
public final class VictimMain {
  /** Echoes every byte back: the honest peer's checked transfer. */
  static final String ECHO = "echo";
  /** Writes {@link Background#pattern} for as long as the window (and the send bound) lets it. */
  static final String SOURCE = "source";
  /**
   * The mux ping timeout, lowered from the default 15 s so that the cases that wait for it (a
   * stream without a Hello, a peer that stops answering) take less; pings every second. (6 s
   * closed the honest peer's idle KCP stream on a machine at load 14.)
   */
  static final Duration PING_TIMEOUT = Duration.ofSeconds(10);
  /**
   * The largest receive window, which also bounds what a session holds unacknowledged: lowered
   * from 16 MiB so that an attack reaches the bound after 4 MiB a session, not 16.
   */
  static final int MAX_WINDOW = 4 * 1024 * 1024;
  static final int INITIAL_WINDOW = NodeConfig.SMALL_NODE_MUX.initialWindow();
  /** The windows of the victim and of its honest peer alike. */
  static final MuxConfig WINDOWS = NodeConfig.SMALL_NODE_MUX.withWindows(INITIAL_WINDOW, MAX_WINDOW);
  private static final int CHUNK = 64 * 1024;

  private VictimMain() {}

  public static void main(String[] args) throws Exception {
    PrintStream out = new PrintStream(System.out, true, StandardCharsets.UTF_8);
    Node node = Node.start(NodeConfig.builder(Path.of(args[0])).createIdentity(true)
        .listen("tcp:127.0.0.1:0").listen("kcp:127.0.0.1:0")
        .admin(HostPort.parse("127.0.0.1:0"), false)
        .mux(WINDOWS.withPing(Duration.ofSeconds(1), PING_TIMEOUT))
        // Every attacker shares the loopback address, where on the internet each would have its own.
        .limits(NodeLimits.defaults().withHandshakes(NodeLimits.defaults().pendingHandshakes(), 10_000, 10_000))
        .build());
    try (VictimUsage usage = VictimUsage.start()) {
      node.expose(Victim.DROP, (session, peer) -> session.handler((s, data) -> data.release()), Access.anyone());
      node.expose(ECHO, (session, peer) -> session.handler(new Echo()), Access.anyone());
      node.expose(SOURCE, (session, peer) -> pump(session, 0), Access.anyone());
      out.println("identity " + node.identity());
      node.listeners().forEach(e -> out.println("listening " + e.transport() + " " + e.port()));
      out.println("ready");
      BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
      for (String line; (line = in.readLine()) != null; ) {
        switch (line) {
          case "mark" -> {
            usage.mark();
            out.println("marked");
          }
          case "usage" -> out.println(usage.now());
          default -> out.println("unknown command " + line);
        }
      }
    } finally {
      node.close();
    }
  }

  /**
   * Echoes, reading no more while a write waits (the backpressure Session.write asks for); a
   * write the session refuses resets it, so the honest peer hears of it instead of stalling.
   */
  private static final class Echo implements SessionHandler {
    @Override
    public void onData(Session session, ByteBuf data) {
      CompletableFuture<Void> written = session.write(data);
      if (!written.isDone()) {
        session.pause();
      }
      written.whenComplete((ok, failed) -> {
        if (failed != null) {
          session.reset("echo failed: " + failed.getMessage());
        } else {
          session.resume();
        }
      });
    }
  }

  /**
   * Writes the pattern from {@code offset} on, the next chunk whenever the last one was taken
   * (queued as a task: a write that completes at once would otherwise recurse).
   */
  private static void pump(Session session, long offset) {
    byte[] chunk = new byte[CHUNK];
    for (int i = 0; i < CHUNK; i++) {
      chunk[i] = Background.pattern(offset + i);
    }
    session.write(Unpooled.wrappedBuffer(chunk))
        .thenRun(() -> session.executor().execute(() -> pump(session, offset + CHUNK)));
  }
}
