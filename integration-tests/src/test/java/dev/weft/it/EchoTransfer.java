package dev.weft.it;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.zip.CRC32C;

/** Pushes pseudo-random bytes through an echoing connection and checks what comes back. */
final class EchoTransfer {
  record Checksums(long sent, long received, long bytesBack) {}

  private EchoTransfer() {}

  /** Writes {@code size} bytes (and half-closes) while reading the echo to EOF, concurrently. */
  static Checksums echo(int port, long size, long seed) throws Exception {
    try (Socket socket = new Socket("127.0.0.1", port)) {
      socket.setSoTimeout(60_000);
      CompletableFuture<Long> sent = new CompletableFuture<>();
      Thread writer = new Thread(() -> {
        CRC32C crc = new CRC32C();
        Random random = new Random(seed);
        byte[] chunk = new byte[64 * 1024];
        try {
          OutputStream out = socket.getOutputStream();
          for (long left = size; left > 0; left -= chunk.length) {
            int n = (int) Math.min(chunk.length, left);
            random.nextBytes(chunk);
            out.write(chunk, 0, n);
            crc.update(chunk, 0, n);
          }
          socket.shutdownOutput();
          sent.complete(crc.getValue());
        } catch (Exception e) {
          sent.completeExceptionally(e);
        }
      }, "transfer-writer");
      writer.setDaemon(true);
      writer.start();
      CRC32C received = new CRC32C();
      long count = 0;
      byte[] buffer = new byte[64 * 1024];
      InputStream in = socket.getInputStream();
      for (int n; (n = in.read(buffer)) != -1; ) {
        received.update(buffer, 0, n);
        count += n;
      }
      return new Checksums(sent.get(60, TimeUnit.SECONDS), received.getValue(), count);
    }
  }
}
