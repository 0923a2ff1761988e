package dev.weft.link.bench;

import com.southernstorm.noise.protocol.DHState;
import com.southernstorm.noise.protocol.HandshakeState;
import com.southernstorm.noise.protocol.Noise;
import dev.weft.link.X25519Key;
import java.security.GeneralSecurityException;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * One complete Noise_XX_25519_AESGCM_SHA256 handshake in memory, both sides on one thread, with
 * weft's message sizes (msg2 and msg3 carry a 97-byte identity proof): noise-java's own X25519
 * against {@link X25519Key} installed. Each side makes one ephemeral key pair and three DH.
 * {@code bench/jmh link HandshakeBench -prof dev.weft.link.bench.CpuTimeProfiler -prof gc} (CPU time
 * per operation is what a shared machine's load does not distort).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class HandshakeBench {
  private static final String PROTOCOL = "Noise_XX_25519_AESGCM_SHA256";
  private static final byte[] PROLOGUE = {'w', 'e', 'f', 't', 0, 1};

  @Param({"noise-java", "X25519Key"})
  public String dh;

  private final byte[] proof = new byte[97];
  private final byte[] message = new byte[1024];
  private final byte[] payload = new byte[1024];
  private DHState initiatorStatic;
  private DHState responderStatic;

  @Setup
  public void setUp() throws GeneralSecurityException {
    initiatorStatic = staticKey();
    responderStatic = staticKey();
  }

  @Benchmark
  public byte[] xxHandshake() throws GeneralSecurityException {
    HandshakeState initiator = start(HandshakeState.INITIATOR, initiatorStatic);
    HandshakeState responder = start(HandshakeState.RESPONDER, responderStatic);
    relay(initiator, responder, new byte[0]);
    relay(responder, initiator, proof);
    relay(initiator, responder, proof);
    byte[] hash = responder.getHandshakeHash();
    initiator.destroy();
    responder.destroy();
    return hash;
  }

  private void relay(HandshakeState from, HandshakeState to, byte[] content) throws GeneralSecurityException {
    int length = from.writeMessage(message, 0, content, 0, content.length);
    to.readMessage(message, 0, length, payload, 0);
  }

  private HandshakeState start(int role, DHState staticKey) throws GeneralSecurityException {
    HandshakeState state = new HandshakeState(PROTOCOL, role);
    if (fast()) {
      X25519Key.install(state);
    }
    state.getLocalKeyPair().copyFrom(staticKey);
    state.setPrologue(PROLOGUE, 0, PROLOGUE.length);
    state.start();
    return state;
  }

  private DHState staticKey() throws GeneralSecurityException {
    DHState key = fast() ? new X25519Key() : Noise.createDH("25519");
    key.generateKeyPair();
    return key;
  }

  private boolean fast() {
    return dh.equals("X25519Key");
  }
}
