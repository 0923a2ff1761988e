package dev.weft.it.hostile;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

/**
 * An unauthenticated KCP source from its own UDP port: hand-made KCP push segments (24-byte
 * little-endian header, docs/protocol.md §2.2), and the push payloads that come back. Like a
 * dialer, it answers a cookie reply (§2.3) by sending what it sent so far again inside echoes.
 */
final class KcpProbe implements AutoCloseable {
  private static final int PUSH = 81;
  private static final int HEADER = 24;

  private final DatagramSocket socket;
  private final InetSocketAddress target;
  private final int conv = ThreadLocalRandom.current().nextInt() | 1;
  private final List<byte[]> sent = new ArrayList<>();
  private byte[] cookie;
  private boolean answered;
  private int sn;

  KcpProbe(InetSocketAddress target) throws IOException {
    this.socket = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0));
    this.target = target;
  }

  /** One push segment carrying {@code data} as the next bytes of the stream. */
  void push(byte[] data) throws IOException {
    ByteBuffer segment = ByteBuffer.allocate(HEADER + data.length).order(ByteOrder.LITTLE_ENDIAN)
        .putInt(conv).put((byte) PUSH).put((byte) 0).putShort((short) 128)
        .putInt((int) System.currentTimeMillis()).putInt(sn++).putInt(0).putInt(data.length).put(data);
    datagram(segment.array());
  }

  void datagram(byte[] bytes) throws IOException {
    if (!answered) {
      sent.add(bytes);
    }
    send(bytes);
  }

  private void send(byte[] bytes) throws IOException {
    byte[] datagram = bytes;
    if (cookie != null && !answered) {
      datagram = ByteBuffer.allocate(21 + bytes.length).putInt(0).put((byte) 2).put(cookie).put(bytes).array();
    }
    socket.send(new DatagramPacket(datagram, datagram.length, target));
  }

  /** Takes a cookie reply to this conv and sends everything again with it; false for anything else. */
  private boolean cookieReply(ByteBuffer in) throws IOException {
    if (answered || in.remaining() != 25 || in.getInt(0) != 0 || in.get(4) != 1 || in.getInt(5) != conv) {
      return false;
    }
    cookie = new byte[16];
    in.get(9, cookie);
    for (byte[] bytes : sent) {
      send(bytes);
    }
    return true;
  }

  /** Stream bytes the victim pushes back within {@code within}, up to {@code max} bytes. */
  byte[] receive(int max, Duration within) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    long deadline = System.nanoTime() + within.toNanos();
    byte[] buffer = new byte[2048];
    while (out.size() < max) {
      long left = (deadline - System.nanoTime()) / 1_000_000;
      if (left <= 0) {
        break;
      }
      socket.setSoTimeout((int) left);
      DatagramPacket packet = new DatagramPacket(buffer, buffer.length);
      try {
        socket.receive(packet);
      } catch (SocketTimeoutException e) {
        break;
      }
      ByteBuffer in = ByteBuffer.wrap(buffer, 0, packet.getLength()).order(ByteOrder.LITTLE_ENDIAN);
      if (cookieReply(in)) {
        continue;
      }
      answered = true;
      while (in.remaining() >= HEADER) {
        in.getInt();
        int cmd = in.get();
        in.position(in.position() + 15); // frg, wnd, ts, sn, una
        int length = in.getInt();
        if (length < 0 || length > in.remaining()) {
          break;
        }
        if (cmd == PUSH) {
          out.write(buffer, in.position(), length);
        }
        in.position(in.position() + length);
      }
    }
    return out.toByteArray();
  }

  @Override
  public void close() {
    socket.close();
  }
}
