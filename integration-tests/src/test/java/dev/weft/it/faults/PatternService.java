package dev.weft.it.faults;

import dev.weft.it.netns.Namespace;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * A TCP service in a namespace that sends a known pattern (MARKER repeated), and the client that
 * fetches it and reports how many bytes came and their SHA-256: the NAT tests' checked transfers.
 */
final class PatternService {
  static final String MARKER = "WEFT-NAT-PLAINTEXT-PATTERN-";
  static final Duration WAIT = Duration.ofSeconds(60);
  /**
   * For each connection, sends as many bytes of the pattern as its first line asks, at most
   * argv[2] bytes a second (0: as fast as it can), then half-closes.
   */
  private static final String SERVER = String.join("\n",
      "import socket, sys, time",
      "block = (b'" + MARKER + "' * 40)[:1024] * 64",
      "rate = int(sys.argv[2])",
      "s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)",
      "s.bind(('127.0.0.1', int(sys.argv[1]))); s.listen(); print('listening', flush=True)",
      "while True:",
      "    c, _ = s.accept()",
      "    n = int(c.makefile('rb').readline()); start = time.monotonic()",
      "    for i in range(n // len(block)):",
      "        c.sendall(block)",
      "        ahead = (i + 1) * len(block) / rate - (time.monotonic() - start) if rate else 0",
      "        if ahead > 0: time.sleep(ahead)",
      "    c.shutdown(socket.SHUT_WR); c.recv(1); c.close()");
  /** Asks a port for that many bytes, reads them all and prints how many came and their SHA-256. */
  private static final String CLIENT = String.join("\n",
      "import socket, sys, hashlib",
      "c = socket.create_connection(('127.0.0.1', int(sys.argv[1])), timeout=60)",
      "c.sendall(sys.argv[2].encode() + b'\\n')",
      "h = hashlib.sha256(); n = 0",
      "while True:",
      "    d = c.recv(1 << 16)",
      "    if not d: break",
      "    h.update(d); n += len(d)",
      "print(n, h.hexdigest())");

  private PatternService() {}

  /** Serves the pattern on {@code port} in {@code namespace}, at most {@code bytesPerSecond} (0: unlimited). */
  static Process serve(Namespace namespace, int port, long bytesPerSecond) throws Exception {
    Process server = namespace.start("python3", "-c", SERVER, String.valueOf(port), String.valueOf(bytesPerSecond));
    started(server, "listening");
    return server;
  }

  /** Reads {@code bytes} from the pattern through {@code port} in {@code namespace}: "BYTES SHA256". */
  static String fetch(Namespace namespace, int port, long bytes) throws IOException {
    return namespace.run(WAIT, "python3", "-c", CLIENT, String.valueOf(port), String.valueOf(bytes)).output();
  }

  /** What {@link #fetch} prints when all {@code bytes} came intact. */
  static String intact(long bytes) throws Exception {
    byte[] block = MARKER.repeat(40).substring(0, 1024).getBytes(StandardCharsets.US_ASCII);
    MessageDigest sha = MessageDigest.getInstance("SHA-256");
    for (long i = 0; i < bytes / block.length; i++) {
      sha.update(block);
    }
    return bytes + " " + HexFormat.of().formatHex(sha.digest());
  }

  /** Waits for a line of {@code process}'s output that contains {@code ready}. */
  static void started(Process process, String ready) throws Exception {
    BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
    String line = CompletableFuture.supplyAsync(() -> {
      try {
        for (String l; (l = out.readLine()) != null; ) {
          if (l.contains(ready)) {
            return l;
          }
        }
        return "exited";
      } catch (IOException e) {
        return e.toString();
      }
    }).get(WAIT.toSeconds(), TimeUnit.SECONDS);
    if (!line.contains(ready)) {
      throw new AssertionError(line);
    }
  }
}
