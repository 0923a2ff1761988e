package dev.weft.link;

import static org.junit.jupiter.api.Assertions.assertNotNull;

import dev.weft.identity.Identity;
import dev.weft.identity.NodeKey;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;

/** A test node: a Linker whose streams end in a {@link Received} sink and whose failures are queued. */
final class Peer implements AutoCloseable {
  static final long WAIT_SECONDS = 10;

  final NodeKey key = NodeKey.generate();
  final BlockingQueue<Stream> streams = new LinkedBlockingQueue<>();
  final BlockingQueue<HandshakeException> failures = new LinkedBlockingQueue<>();
  final Linker linker;

  Peer() {
    this(b -> b);
  }

  Peer(UnaryOperator<Linker.Builder> tweak) {
    linker = tweak.apply(Linker.builder(key)
        .threads(1)
        .handshakeTimeout(Duration.ofSeconds(5))
        .onStream(stream -> {
          stream.channel().pipeline().addLast("received", new Received());
          streams.add(stream);
        })
        .onInboundFailure(failures::add))
        .build();
  }

  Identity identity() {
    return key.identity();
  }

  Stream nextStream() throws InterruptedException {
    Stream stream = streams.poll(WAIT_SECONDS, TimeUnit.SECONDS);
    assertNotNull(stream, "no stream arrived");
    return stream;
  }

  HandshakeException nextFailure() throws InterruptedException {
    HandshakeException failure = failures.poll(WAIT_SECONDS, TimeUnit.SECONDS);
    assertNotNull(failure, "no inbound failure reported");
    return failure;
  }

  static Received received(Stream stream) {
    return stream.channel().pipeline().get(Received.class);
  }

  @Override
  public void close() {
    linker.close();
  }
}
