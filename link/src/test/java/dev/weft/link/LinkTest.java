package dev.weft.link;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.identity.NodeKey;
import io.netty.buffer.Unpooled;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Links between two Linkers over real loopback sockets, on both transports. */
@Timeout(30)
class LinkTest {
  private final Peer server = new Peer();
  private final Peer client = new Peer();

  @AfterEach
  void close() {
    client.close();
    server.close();
  }

  static Listener listen(Peer peer, Transport transport) throws Exception {
    return peer.linker.listen(new Endpoint(transport, "127.0.0.1", 0)).get(Peer.WAIT_SECONDS, TimeUnit.SECONDS);
  }

  static Stream dial(Peer from, Listener to, Peer expected) throws Exception {
    return from.linker.dial(to.endpoint(), expected.identity()).get(Peer.WAIT_SECONDS, TimeUnit.SECONDS);
  }

  /** Both ends of one fresh link from {@code client} to {@code server}. */
  record LinkedPair(Listener listener, Stream dialled, Stream accepted) {}

  static LinkedPair connect(Peer client, Peer server, Transport transport) throws Exception {
    Listener listener = listen(server, transport);
    Stream dialled = dial(client, listener, server);
    return new LinkedPair(listener, dialled, server.nextStream());
  }

  @ParameterizedTest
  @EnumSource(value = Transport.class, names = {"TCP", "KCP"})
  void handshakeProvesBothIdentitiesAndAgreesOnTheId(Transport transport) throws Exception {
    LinkedPair link = connect(client, server, transport);
    assertTrue(link.listener().localAddress().getPort() > 0);
    Stream dialled = link.dialled();
    Stream accepted = link.accepted();
    assertEquals(server.identity(), dialled.remote());
    assertEquals(client.identity(), accepted.remote());
    assertEquals(dialled.id(), accepted.id());
    assertTrue(dialled.initiator());
    assertFalse(accepted.initiator());
    assertEquals(transport, dialled.transport());
    assertEquals(transport, accepted.transport());
    assertEquals(dialled.localAddress().getPort(), accepted.remoteAddress().getPort());
    assertEquals(client.nextStream(), dialled, "the dialer's callback saw the same stream");
  }

  @ParameterizedTest
  @EnumSource(value = Transport.class, names = {"TCP", "KCP"})
  void linksOverIpv6Loopback(Transport transport) throws Exception {
    Listener listener = server.linker.listen(Endpoint.parse(transport.scheme() + ":[::1]:0"))
        .get(Peer.WAIT_SECONDS, TimeUnit.SECONDS);
    assertEquals(transport.scheme() + ":[::1]:" + listener.localAddress().getPort(), listener.endpoint().toString());
    Stream dialled = dial(client, listener, server);
    assertEquals(server.identity(), dialled.remote());
    assertTrue(dialled.remoteAddress().getAddress() instanceof java.net.Inet6Address);
    assertEquals(dialled.id(), server.nextStream().id());
  }

  @ParameterizedTest
  @EnumSource(value = Transport.class, names = {"TCP", "KCP"})
  void plaintextOfEverySizeArrivesIntactBothWays(Transport transport) throws Exception {
    LinkedPair link = connect(client, server, transport);
    Stream dialled = link.dialled();
    Stream accepted = link.accepted();
    Random random = new Random(7);
    int[] sizes = {0, 1, LinkProtocol.MAX_DATA, LinkProtocol.MAX_PLAINTEXT, LinkProtocol.MAX_MESSAGE, 1 << 20};
    int total = 0;
    for (int size : sizes) {
      total += size;
    }
    byte[] all = new byte[total];
    random.nextBytes(all);
    int offset = 0;
    for (int size : sizes) {
      dialled.channel().writeAndFlush(Unpooled.wrappedBuffer(all, offset, size));
      accepted.channel().writeAndFlush(Unpooled.wrappedBuffer(all, offset, size));
      offset += size;
    }
    assertArrayEquals(all, Peer.received(accepted).first(total).get(Peer.WAIT_SECONDS, TimeUnit.SECONDS));
    assertArrayEquals(all, Peer.received(dialled).first(total).get(Peer.WAIT_SECONDS, TimeUnit.SECONDS));
    // Each end counted all the data plus each message's length, type and tag; the receiver is read
    // first, as a keepalive may be on its way meanwhile.
    for (Stream receiver : List.of(accepted, dialled)) {
      long in = receiver.bytesIn();
      long out = (receiver == accepted ? dialled : accepted).bytesOut();
      assertTrue(in > total && in <= out, in + " bytes received, " + out + " sent, for " + total);
    }
  }

  @ParameterizedTest
  @EnumSource(value = Transport.class, names = {"TCP", "KCP"})
  void wrongExpectedIdentityIsRefusedAndBothSidesSayWhy(Transport transport) throws Exception {
    Listener listener = listen(server, transport);
    NodeKey someoneElse = NodeKey.generate();
    ExecutionException e = assertThrows(ExecutionException.class,
        () -> client.linker.dial(listener.endpoint(), someoneElse.identity()).get(Peer.WAIT_SECONDS, TimeUnit.SECONDS));
    IdentityMismatchException mismatch = assertInstanceOf(IdentityMismatchException.class, e.getCause());
    assertEquals(someoneElse.identity(), mismatch.expected());
    assertEquals(server.identity(), mismatch.actual());
    assertEquals(HandshakeOutcome.WRONG_IDENTITY, mismatch.outcome());
    HandshakeException seen = server.nextFailure();
    assertInstanceOf(RefusedException.class, seen);
    assertEquals(HandshakeOutcome.REFUSED_BY_PEER, seen.outcome());
    assertTrue(seen.getMessage().contains("identity mismatch"), seen.getMessage());
    assertTrue(server.streams.isEmpty(), "no stream was handed up");
    dial(client, listener, server);
  }

  @ParameterizedTest
  @EnumSource(value = Transport.class, names = {"TCP", "KCP"})
  void accessPolicyRefusalReachesTheDialer(Transport transport) throws Exception {
    try (Peer strict = new Peer(b -> b.accessPolicy((remote, address) ->
        remote.equals(client.identity()) ? Optional.of("not on the list") : Optional.empty()))) {
      Listener listener = listen(strict, transport);
      ExecutionException e = assertThrows(ExecutionException.class,
          () -> client.linker.dial(listener.endpoint(), strict.identity()).get(Peer.WAIT_SECONDS, TimeUnit.SECONDS));
      RefusedException refused = assertInstanceOf(RefusedException.class, e.getCause());
      assertEquals("not on the list", refused.reason());
      assertEquals(HandshakeOutcome.REFUSED_BY_PEER, refused.outcome());
      HandshakeException here = strict.nextFailure();
      assertTrue(here.getMessage().contains("not on the list"));
      assertEquals(HandshakeOutcome.REFUSED_HERE, here.outcome());
      assertTrue(strict.streams.isEmpty());
      dial(server, listener, strict);
    }
  }

  @ParameterizedTest
  @EnumSource(value = Transport.class, names = {"TCP", "KCP"})
  void closeCarriesTheReasonToThePeer(Transport transport) throws Exception {
    LinkedPair link = connect(client, server, transport);
    Stream dialled = link.dialled();
    Stream accepted = link.accepted();
    Received sink = Peer.received(accepted);
    dialled.channel().write(Unpooled.wrappedBuffer(new byte[] {1, 2, 3}));
    dialled.close("going away");
    assertEquals(new CloseReason(CloseReason.Origin.REMOTE, "going away"),
        accepted.closeFuture().get(Peer.WAIT_SECONDS, TimeUnit.SECONDS));
    assertEquals(new CloseReason(CloseReason.Origin.LOCAL, "going away"),
        dialled.closeFuture().get(Peer.WAIT_SECONDS, TimeUnit.SECONDS));
    assertArrayEquals(new byte[] {1, 2, 3}, sink.first(3).get(Peer.WAIT_SECONDS, TimeUnit.SECONDS),
        "data written before close is delivered");
  }

  @ParameterizedTest
  @EnumSource(value = Transport.class, names = {"TCP", "KCP"})
  void keepalivesHoldAnIdleLinkAndSilenceClosesIt(Transport transport) throws Exception {
    Duration idle = Duration.ofMillis(900);
    try (Peer quick = new Peer(b -> b.idleTimeout(idle)); Peer other = new Peer(b -> b.idleTimeout(idle))) {
      LinkedPair link = connect(other, quick, transport);
      Stream dialled = link.dialled();
      Stream accepted = link.accepted();
      CompletableFuture<CloseReason> closed = accepted.closeFuture();
      assertThrows(java.util.concurrent.TimeoutException.class, () -> closed.get(3 * idle.toMillis(), TimeUnit.MILLISECONDS),
          "keepalives keep a quiet link open");
      // Now the dialer stops hearing anything: it must give up on its own.
      dialled.channel().pipeline().addFirst("deaf", new Deaf());
      assertEquals(CloseReason.Origin.TIMEOUT, dialled.closeFuture().get(Peer.WAIT_SECONDS, TimeUnit.SECONDS).origin());
    }
  }

  /** Swallows every inbound byte, as if the peer had gone silent. */
  static final class Deaf extends io.netty.channel.ChannelInboundHandlerAdapter {
    @Override
    public void channelRead(io.netty.channel.ChannelHandlerContext ctx, Object msg) {
      io.netty.util.ReferenceCountUtil.release(msg);
    }
  }
}
