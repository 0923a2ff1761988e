package dev.weft.it.faults;

import dev.weft.it.netns.NatTopology;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The hole-punching setup in a {@link NatTopology}: a relay r on the public host, b (listening on
 * TCP and KCP) behind the second NAT, a (TCP only) behind the first, both reserving at r; b serves
 * the pattern ({@link PatternService}) as "data" and a forwards a local port to it.
 */
final class NatNodes {
  static final int WEFT_PORT = 7411;
  static final int SERVICE_PORT = 7000;
  static final int FORWARD_PORT = 7100;
  private static final Pattern SESSION_STREAM = Pattern.compile("\"service\"\\s*:\\s*\"data\",[^}]*?\"stream\"\\s*:\\s*\"(\\w+)\"");

  final NatTopology net;
  final NetnsNode r;
  final NetnsNode a;
  final NetnsNode b;

  private NatNodes(NatTopology net, NetnsNode r, NetnsNode a, NetnsNode b) {
    this.net = net;
    this.r = r;
    this.a = a;
    this.b = b;
  }

  /** Starts the three nodes in {@code dir}, the service at {@code bytesPerSecond} (0: unlimited) and the forward. */
  static NatNodes start(NatTopology net, Path dir, long bytesPerSecond) throws Exception {
    NetnsNode r = new NetnsNode(net.publicHost(), dir.resolve("r"), "tcp:" + NatTopology.PUBLIC + ":" + WEFT_PORT)
        .withOptions("--relay").start();
    String reserve = r.identity + "@tcp:" + NatTopology.PUBLIC + ":" + WEFT_PORT;
    NetnsNode b = new NetnsNode(net.b(), dir.resolve("b"), "tcp:0.0.0.0:" + WEFT_PORT, "kcp:0.0.0.0:" + WEFT_PORT)
        .withOptions("--reserve", reserve).start();
    NetnsNode a = new NetnsNode(net.a(), dir.resolve("a"), "tcp:0.0.0.0:" + WEFT_PORT)
        .withOptions("--reserve", reserve).start();
    r.awaitLimit("relay reservations", 2);
    PatternService.serve(net.b(), SERVICE_PORT, bytesPerSecond);
    b.cli("expose", "data", "--to", "127.0.0.1:" + SERVICE_PORT, "--allow", a.identity);
    a.cli("forward", "127.0.0.1:" + FORWARD_PORT, b.identity, "data");
    return new NatNodes(net, r, a, b);
  }

  /** a links b through r; returns the relayed stream's id ({@code weft link} prints it). */
  String linkThroughRelay() throws Exception {
    return a.cli("link", b.identity, "relay:" + r.identity + "@tcp:" + NatTopology.PUBLIC + ":" + WEFT_PORT);
  }

  /** The id of a's stream to b over {@code transport}, once there is one. */
  String streamOf(String transport) throws Exception {
    Pattern stream = Pattern.compile("\"id\"\\s*:\\s*\"(\\w+)\",[^}]*?\"transport\"\\s*:\\s*\"" + transport + "\"");
    return group(stream, a.awaitCli(s -> stream.matcher(s).find(), "streams", "--json"));
  }

  /** The stream a's session to "data" is on, once there is one. */
  String sessionStream() throws Exception {
    return group(SESSION_STREAM, a.awaitCli(s -> SESSION_STREAM.matcher(s).find(), "sessions", "--json"));
  }

  private static String group(Pattern pattern, String text) {
    Matcher m = pattern.matcher(text);
    if (!m.find()) {
      throw new AssertionError(pattern + " not in " + text);
    }
    return m.group(1);
  }

  /** Fetches {@code bytes} of the pattern through a's forward, in the background: "BYTES SHA256". */
  CompletableFuture<String> fetchInBackground(long bytes) {
    return CompletableFuture.supplyAsync(() -> {
      try {
        return PatternService.fetch(net.a(), FORWARD_PORT, bytes);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    });
  }
}
