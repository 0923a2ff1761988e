package dev.weft.it.migration;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.time.Duration;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * A UDP relay on loopback in front of a node's KCP listener, the path KCP streams take. Like a
 * NAT, each client gets its own upstream socket, so the node sees one address per conversation. A
 * test can make it drop everything silently (a dead path nobody reports: only the peers' own
 * liveness checks can notice) or add latency.
 */
final class UdpRelay implements AutoCloseable {
  private static final int BUFFER = 4 << 20;

  private final DatagramSocket front;
  private final InetSocketAddress target;
  private final Map<SocketAddress, DatagramSocket> upstream = new ConcurrentHashMap<>();
  private final ScheduledExecutorService delays = Executors.newSingleThreadScheduledExecutor(r -> {
    Thread t = new Thread(r, "udp-relay-delay");
    t.setDaemon(true);
    return t;
  });
  private volatile boolean dropping;
  private volatile long delayNanos;

  UdpRelay(InetSocketAddress target) throws IOException {
    this.target = target;
    this.front = socket();
    TcpRelay.daemon("udp-relay-front", this::fromClients);
  }

  private static DatagramSocket socket() throws IOException {
    DatagramSocket s = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
    s.setReceiveBufferSize(BUFFER);
    s.setSendBufferSize(BUFFER);
    return s;
  }

  int port() {
    return front.getLocalPort();
  }

  /** Silently loses every datagram from now on, both ways. */
  void blackhole() {
    dropping = true;
  }

  /** Each direction delays datagrams this long. */
  void delay(Duration oneWay) {
    delayNanos = oneWay.toNanos();
  }

  private void fromClients() {
    byte[] buffer = new byte[65536];
    DatagramPacket packet = new DatagramPacket(buffer, buffer.length);
    while (!front.isClosed()) {
      try {
        packet.setData(buffer);
        front.receive(packet);
        SocketAddress client = packet.getSocketAddress();
        DatagramSocket up = upstream.get(client);
        if (up == null) {
          up = socket();
          upstream.put(client, up);
          DatagramSocket own = up;
          TcpRelay.daemon("udp-relay-back", () -> toClient(own, client));
        }
        relay(up, packet, target);
      } catch (IOException | RejectedExecutionException e) {
        // closed
      }
    }
  }

  private void toClient(DatagramSocket up, SocketAddress client) {
    byte[] buffer = new byte[65536];
    DatagramPacket packet = new DatagramPacket(buffer, buffer.length);
    while (!up.isClosed()) {
      try {
        packet.setData(buffer);
        up.receive(packet);
        relay(front, packet, client);
      } catch (IOException | RejectedExecutionException e) {
        // closed
      }
    }
  }

  private void relay(DatagramSocket via, DatagramPacket packet, SocketAddress to) throws IOException {
    if (dropping) {
      return;
    }
    long delay = delayNanos;
    if (delay == 0) {
      via.send(new DatagramPacket(packet.getData(), packet.getLength(), to));
    } else {
      byte[] copy = Arrays.copyOf(packet.getData(), packet.getLength());
      delays.schedule(() -> send(via, new DatagramPacket(copy, copy.length, to)), delay, TimeUnit.NANOSECONDS);
    }
  }

  private static void send(DatagramSocket socket, DatagramPacket packet) {
    try {
      socket.send(packet);
    } catch (IOException e) {
      // closed, or a full buffer: UDP may lose it
    }
  }

  @Override
  public void close() {
    front.close();
    upstream.values().forEach(DatagramSocket::close);
    delays.shutdownNow();
  }
}
