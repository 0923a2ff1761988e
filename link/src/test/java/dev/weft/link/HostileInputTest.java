package dev.weft.link;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.ChannelPromise;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Bad input ends the offending connection cleanly; the listener keeps accepting good links. */
@Timeout(30)
class HostileInputTest {
  private final Peer server = new Peer(b -> b.handshakeTimeout(Duration.ofSeconds(2)));
  private final Peer client = new Peer();

  @AfterEach
  void close() {
    client.close();
    server.close();
  }

  @Test
  void randomBytesAreNotAWeftPeer() throws Exception {
    Listener listener = LinkTest.listen(server, Transport.TCP);
    byte[] junk = new byte[4096];
    new Random(1).nextBytes(junk);
    junk[0] = 'x';
    refusedThenStillListening(listener, junk, "not a weft peer");
  }

  @Test
  void anotherVersionIsRefusedWithTheVersionsNamed() throws Exception {
    Listener listener = LinkTest.listen(server, Transport.TCP);
    byte[] received = assertClosedByServer(listener, new byte[] {'w', 'e', 'f', 't', 0, 9});
    assertEquals(List.of((byte) 'w', (byte) 'e', (byte) 'f', (byte) 't', (byte) 0, (byte) 1), bytes(received),
        "the listener answers with its own hello, so the dialer learns its version");
    String message = server.nextFailure().getMessage();
    assertTrue(message.contains("version 9") && message.contains("version 1"), message);
    LinkTest.dial(client, listener, server);
  }

  @Test
  void truncatedHandshakeTimesOut() throws Exception {
    Listener listener = LinkTest.listen(server, Transport.TCP);
    // The hello and half of message 1 (32 bytes long), then silence.
    byte[] partial = {'w', 'e', 'f', 't', 0, 1, 0, 32, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16};
    refusedThenStillListening(listener, partial, "timed out");
  }

  @Test
  void truncatedHandshakeThenHangUpIsReported() throws Exception {
    Listener listener = LinkTest.listen(server, Transport.TCP);
    try (Socket socket = new Socket()) {
      socket.connect(listener.localAddress(), 5000);
      socket.getOutputStream().write(new byte[] {'w', 'e', 'f', 't', 0, 1, 0, 32, 1, 2, 3});
    }
    assertTrue(server.nextFailure().getMessage().contains("closed during the handshake"));
    LinkTest.dial(client, listener, server);
  }

  @Test
  void oversizedLengthIsRefusedAtOnce() throws Exception {
    Listener listener = LinkTest.listen(server, Transport.TCP);
    refusedThenStillListening(listener, new byte[] {'w', 'e', 'f', 't', 0, 1, (byte) 0xff, (byte) 0xff}, "length 65535");
  }

  @ParameterizedTest
  @EnumSource(Tamper.Mode.class)
  void modifiedOrReplayedCiphertextClosesTheLinkOnTcp(Tamper.Mode mode) throws Exception {
    tamperedLinkCloses(Transport.TCP, mode);
  }

  @ParameterizedTest
  @EnumSource(Tamper.Mode.class)
  void modifiedOrReplayedCiphertextClosesTheLinkOnKcp(Tamper.Mode mode) throws Exception {
    tamperedLinkCloses(Transport.KCP, mode);
  }

  private void tamperedLinkCloses(Transport transport, Tamper.Mode mode) throws Exception {
    LinkTest.LinkedPair link = LinkTest.connect(client, server, transport);
    Stream dialled = link.dialled();
    Stream accepted = link.accepted();
    dialled.channel().pipeline().addFirst("tamper", new Tamper(mode));
    dialled.channel().writeAndFlush(Unpooled.wrappedBuffer(new byte[100]));
    CloseReason serverSide = accepted.closeFuture().get(Peer.WAIT_SECONDS, TimeUnit.SECONDS);
    assertEquals(CloseReason.Origin.DECRYPTION, serverSide.origin(), serverSide.toString());
    assertEquals(new CloseReason(CloseReason.Origin.REMOTE, "decryption failed"),
        dialled.closeFuture().get(Peer.WAIT_SECONDS, TimeUnit.SECONDS));
    LinkTest.dial(client, link.listener(), server);
  }

  @Test
  void kcpHalfOpenChannelsAreCappedAndTimedOut() throws Exception {
    try (Peer guarded = new Peer(b -> b.maxPendingHandshakes(3).handshakeTimeout(Duration.ofMillis(800)))) {
      Listener listener = LinkTest.listen(guarded, Transport.KCP);
      List<DatagramSocket> sources = new ArrayList<>();
      try {
        for (int i = 0; i < 8; i++) {
          DatagramSocket socket = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0));
          sources.add(socket);
          byte[] segment = kcpPush(1000 + i, new byte[] {'w', 'e', 'f'});
          socket.send(new DatagramPacket(segment, segment.length, listener.localAddress()));
        }
        for (int i = 0; i < 2; i++) {
          String message = guarded.nextFailure().getMessage();
          assertTrue(message.contains("timed out"), message);
        }
        // From half the cap on, new sources must show a cookie first; these never do.
        assertEquals(6, guarded.linker.cookieStats().replies(), "the rest were asked for a cookie");
        assertEquals(0, guarded.linker.pendingHandshakes());
        LinkTest.dial(client, listener, guarded);
      } finally {
        sources.forEach(DatagramSocket::close);
      }
    }
  }

  @Test
  void kcpRandomDatagramsDoNotDisturbTheListener() throws Exception {
    Listener listener = LinkTest.listen(server, Transport.KCP);
    // Junk from another loopback address, so the client's own handshake rate is untouched.
    try (DatagramSocket socket = new DatagramSocket(new InetSocketAddress("127.0.0.2", 0))) {
      Random random = new Random(3);
      for (int i = 0; i < 50; i++) {
        byte[] junk = new byte[1 + random.nextInt(1400)];
        random.nextBytes(junk);
        socket.send(new DatagramPacket(junk, junk.length, listener.localAddress()));
      }
    }
    server.nextFailure();
    LinkTest.dial(client, listener, server);
  }

  /** Raw bytes get the connection closed with {@code reason} reported, and a real dial still works. */
  private void refusedThenStillListening(Listener listener, byte[] bytes, String reason) throws Exception {
    assertClosedByServer(listener, bytes);
    String message = server.nextFailure().getMessage();
    assertTrue(message.contains(reason), message);
    LinkTest.dial(client, listener, server);
  }

  /** A KCP PUSH segment (24-byte little-endian header, then data), as a dialer's first datagram. */
  static byte[] kcpPush(int conv, byte[] data) {
    ByteBuffer b = ByteBuffer.allocate(24 + data.length).order(ByteOrder.LITTLE_ENDIAN);
    b.putInt(conv).put((byte) 81).put((byte) 0).putShort((short) 128).putInt(0).putInt(0).putInt(0).putInt(data.length);
    b.put(data);
    return b.array();
  }

  /**
   * Sends {@code bytes} on a raw TCP connection and returns what the server sent before closing it
   * (nothing if it closed with our bytes unread, which the kernel reports as a reset).
   */
  private static byte[] assertClosedByServer(Listener listener, byte[] bytes) throws IOException {
    try (Socket socket = new Socket()) {
      socket.connect(listener.localAddress(), 5000);
      socket.setSoTimeout((int) TimeUnit.SECONDS.toMillis(Peer.WAIT_SECONDS));
      OutputStream out = socket.getOutputStream();
      out.write(bytes);
      out.flush();
      InputStream in = socket.getInputStream();
      try {
        return in.readAllBytes();
      } catch (SocketException reset) {
        return new byte[0];
      }
    }
  }

  private static List<Byte> bytes(byte[] array) {
    List<Byte> list = new ArrayList<>();
    for (byte b : array) {
      list.add(b);
    }
    return list;
  }

  /** Sits at the transport end of a pipeline and corrupts the next encrypted frame written. */
  static final class Tamper extends ChannelOutboundHandlerAdapter {
    enum Mode { FLIP_A_BIT, REPLAY }

    private final Mode mode;
    private boolean done;

    Tamper(Mode mode) {
      this.mode = mode;
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
      ByteBuf frame = (ByteBuf) msg;
      if (done) {
        ctx.write(frame, promise);
        return;
      }
      done = true;
      if (mode == Mode.FLIP_A_BIT) {
        int at = frame.readerIndex() + 2 + 5;
        frame.setByte(at, frame.getByte(at) ^ 0x10);
        ctx.write(frame, promise);
      } else {
        ctx.write(frame.retainedDuplicate());
        ctx.write(frame, promise);
      }
    }
  }
}
