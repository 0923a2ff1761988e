package dev.weft.link.bench;

import com.southernstorm.noise.crypto.Curve25519;
import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.spec.NamedParameterSpec;
import java.security.spec.XECPrivateKeySpec;
import java.security.spec.XECPublicKeySpec;
import java.util.concurrent.TimeUnit;
import javax.crypto.KeyAgreement;
import org.bouncycastle.math.ec.rfc7748.X25519;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The X25519 candidates under the Noise handshake, one thread, microseconds per operation. A
 * handshake side does one key pair (a fixed-base multiplication) and three DH (variable-base);
 * the candidates start from and end in raw 32-byte keys, as noise-java's DHState does, so the JDK
 * rows include turning bytes into keys.
 * {@code bench/jmh link X25519Bench -prof dev.weft.link.bench.CpuTimeProfiler -prof gc}
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class X25519Bench {
  private static final NamedParameterSpec X25519_SPEC = NamedParameterSpec.X25519;

  private final byte[] privateKey = new byte[32];
  private final byte[] peerPublic = new byte[32];
  private final byte[] out = new byte[32];
  private KeyFactory keys;
  private KeyAgreement agreement;
  private KeyPairGenerator generator;

  @Setup
  public void setUp() throws GeneralSecurityException {
    SecureRandom random = new SecureRandom();
    random.nextBytes(privateKey);
    byte[] peerPrivate = new byte[32];
    random.nextBytes(peerPrivate);
    X25519.generatePublicKey(peerPrivate, 0, peerPublic, 0);
    X25519.precompute();
    keys = KeyFactory.getInstance("XDH");
    agreement = KeyAgreement.getInstance("X25519");
    generator = KeyPairGenerator.getInstance("X25519");
  }

  @Benchmark
  public byte[] noiseJavaDh() {
    Curve25519.eval(out, 0, privateKey, peerPublic);
    return out;
  }

  @Benchmark
  public byte[] noiseJavaPublicKey() {
    Curve25519.eval(out, 0, privateKey, null);
    return out;
  }

  @Benchmark
  public byte[] bouncyCastleDh() {
    X25519.scalarMult(privateKey, 0, peerPublic, 0, out, 0);
    return out;
  }

  @Benchmark
  public byte[] bouncyCastlePublicKey() {
    X25519.scalarMultBase(privateKey, 0, out, 0);
    return out;
  }

  @Benchmark
  public byte[] jdkDh() throws GeneralSecurityException {
    PrivateKey own = keys.generatePrivate(new XECPrivateKeySpec(X25519_SPEC, privateKey));
    PublicKey peer = keys.generatePublic(new XECPublicKeySpec(X25519_SPEC, littleEndian(peerPublic)));
    agreement.init(own);
    agreement.doPhase(peer, true);
    return agreement.generateSecret();
  }

  /** The JDK has no fixed-base shortcut: a key pair is a full multiplication. */
  @Benchmark
  public KeyPair jdkKeyPair() {
    return generator.generateKeyPair();
  }

  /** RFC 7748's u-coordinate is little-endian; XECPublicKeySpec takes a BigInteger. */
  private static BigInteger littleEndian(byte[] u) {
    byte[] bigEndian = new byte[u.length];
    for (int i = 0; i < u.length; i++) {
      bigEndian[i] = u[u.length - 1 - i];
    }
    bigEndian[0] &= 0x7f;
    return new BigInteger(1, bigEndian);
  }
}
