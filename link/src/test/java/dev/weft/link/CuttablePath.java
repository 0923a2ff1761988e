package dev.weft.link;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A UDP path between one KCP dialer and a listener, relayed over loopback, that can be cut: while
 * cut, every datagram either way is dropped and the dialer's data segments are counted by sequence
 * number, so a test can wait until one has been retransmitted a given number of times.
 */
final class CuttablePath implements AutoCloseable {
  private static final int HEADER = 24;
  private static final int PUSH = 81;

  private final DatagramSocket front;
  private final DatagramSocket back;
  private final Thread forward;
  private final Thread backward;
  private final Map<Long, Integer> sendsWhileCut = new ConcurrentHashMap<>();
  private volatile SocketAddress dialer;
  private volatile boolean cut;
  private volatile int awaitedSends;
  private volatile CompletableFuture<Void> resent = new CompletableFuture<>();

  CuttablePath(InetSocketAddress listener) throws IOException {
    front = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
    back = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
    back.connect(listener);
    forward = relay("path-forward", front, true);
    backward = relay("path-backward", back, false);
  }

  /** Where the dialer should dial instead of the listener. */
  Endpoint endpoint() {
    return new Endpoint(Transport.KCP, "127.0.0.1", front.getLocalPort());
  }

  /** Drops everything from now on; completes once the dialer has sent one data segment {@code times} times. */
  CompletableFuture<Void> cut(int times) {
    sendsWhileCut.clear();
    awaitedSends = times;
    resent = new CompletableFuture<>();
    cut = true;
    return resent;
  }

  void restore() {
    cut = false;
  }

  private Thread relay(String name, DatagramSocket from, boolean fromDialer) {
    Thread thread = new Thread(() -> {
      byte[] buffer = new byte[64 * 1024];
      DatagramPacket packet = new DatagramPacket(buffer, buffer.length);
      try {
        while (true) {
          packet.setLength(buffer.length);
          from.receive(packet);
          if (fromDialer) {
            dialer = packet.getSocketAddress();
          }
          if (cut) {
            if (fromDialer) {
              count(ByteBuffer.wrap(buffer, 0, packet.getLength()).order(ByteOrder.LITTLE_ENDIAN));
            }
          } else if (fromDialer) {
            back.send(new DatagramPacket(buffer, packet.getLength()));
          } else if (dialer != null) {
            front.send(new DatagramPacket(buffer, packet.getLength(), dialer));
          }
        }
      } catch (IOException closed) {
        // the path was closed
      }
    }, name);
    thread.setDaemon(true);
    thread.start();
    return thread;
  }

  /** A datagram holds one or more KCP segments: conv, cmd, frg, wnd, ts, sn, una, len, data. */
  private void count(ByteBuffer datagram) {
    while (datagram.remaining() >= HEADER) {
      int start = datagram.position();
      int cmd = datagram.get(start + 4) & 0xff;
      long sn = datagram.getInt(start + 12) & 0xffffffffL;
      int length = datagram.getInt(start + 20);
      if (length < 0 || length > datagram.remaining() - HEADER) {
        return;
      }
      if (cmd == PUSH && sendsWhileCut.merge(sn, 1, Integer::sum) >= awaitedSends) {
        resent.complete(null);
      }
      datagram.position(start + HEADER + length);
    }
  }

  @Override
  public void close() throws InterruptedException {
    front.close();
    back.close();
    forward.join(5000);
    backward.join(5000);
  }
}
