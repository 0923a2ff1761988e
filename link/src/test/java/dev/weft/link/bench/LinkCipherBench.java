package dev.weft.link.bench;

import com.southernstorm.noise.protocol.CipherState;
import com.southernstorm.noise.protocol.Noise;
import dev.weft.link.TransportCipher;
import java.nio.ByteBuffer;
import java.security.GeneralSecurityException;
import java.util.concurrent.TimeUnit;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.IvParameterSpec;
import javax.crypto.spec.SecretKeySpec;
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
 * Encrypting one Noise transport message with each candidate cipher state, one thread. Multiply
 * ops/s by {@code size} for bytes/s. Run (with exec-maven-plugin available; {@code -f 0} because a
 * forked JMH JVM would not see Maven's test classpath):
 * <pre>
 * mvn -pl link test-compile exec:java -Dexec.classpathScope=test \
 *   -Dexec.mainClass=org.openjdk.jmh.Main -Dexec.args="LinkCipherBench -f 0"
 * </pre>
 * or, offline, with an explicit classpath (forks work then):
 * <pre>
 * cd link &amp;&amp; java -cp target/test-classes:target/classes:NOISE_JAVA:JMH_CORE:JOPT_SIMPLE:COMMONS_MATH3 \
 *   org.openjdk.jmh.Main LinkCipherBench
 * </pre>
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class LinkCipherBench {
  /** The largest Noise plaintext, and a small message. */
  @Param({"65519", "1024"})
  public int size;

  private final byte[] key = new byte[32];
  private byte[] buffer;
  private byte[] out;
  private TransportCipher weft;
  private CipherState noiseAesGcm;
  private CipherState noiseChaChaPoly;
  private Cipher jceChaCha;
  private Cipher jceAesGcm;
  private SecretKeySpec aesKey;
  private long aesNonce;
  private ByteBuffer directIn;
  private ByteBuffer directOut;
  private SecretKeySpec chachaKey;
  private long chachaNonce;

  @Setup
  public void setUp() throws GeneralSecurityException {
    buffer = new byte[size + 16];
    out = new byte[size + 16];
    weft = TransportCipher.encrypting(key);
    noiseAesGcm = Noise.createCipher("AESGCM");
    noiseAesGcm.initializeKey(key, 0);
    noiseChaChaPoly = Noise.createCipher("ChaChaPoly");
    noiseChaChaPoly.initializeKey(key, 0);
    jceChaCha = Cipher.getInstance("ChaCha20-Poly1305");
    chachaKey = new SecretKeySpec(key, "ChaCha20");
    jceAesGcm = Cipher.getInstance("AES/GCM/NoPadding");
    aesKey = new SecretKeySpec(key, "AES");
    directIn = ByteBuffer.allocateDirect(size + 16);
    directOut = ByteBuffer.allocateDirect(size + 16);
  }

  /** What weft uses: the JDK's AES-GCM behind Noise's AESGCM nonce rules. */
  @Benchmark
  public int weftJceAesGcm() {
    return weft.encrypt(buffer, 0, size);
  }

  /** One Noise Rekey() of weft's cipher: what a REKEY costs each side (independent of size). */
  @Benchmark
  public long weftRekey() {
    weft.rekey();
    return weft.epoch();
  }

  /**
   * The JDK's AES-GCM from one direct buffer into another, as a path without the copy into a heap
   * array would use: on JDK 17 and 25 it is slower than the array path (no whole-message
   * intrinsic for direct buffers), so the link keeps encrypting heap arrays in place.
   */
  @Benchmark
  public int jceAesGcmDirectBuffers() throws GeneralSecurityException {
    byte[] nonce = new byte[12];
    long n = aesNonce++;
    for (int i = 11; i >= 4; i--) {
      nonce[i] = (byte) n;
      n >>>= 8;
    }
    jceAesGcm.init(Cipher.ENCRYPT_MODE, aesKey, new GCMParameterSpec(128, nonce));
    directIn.clear().limit(size);
    directOut.clear();
    return jceAesGcm.doFinal(directIn, directOut);
  }

  @Benchmark
  public int noiseJavaAesGcm() throws GeneralSecurityException {
    return noiseAesGcm.encryptWithAd(null, buffer, 0, out, 0, size);
  }

  @Benchmark
  public int noiseJavaChaChaPoly() throws GeneralSecurityException {
    return noiseChaChaPoly.encryptWithAd(null, buffer, 0, out, 0, size);
  }

  /** The JDK's ChaCha20-Poly1305 with Noise's nonce layout (4 zero bytes, 64-bit little-endian counter). */
  @Benchmark
  public int jceChaCha20Poly1305() throws GeneralSecurityException {
    byte[] nonce = new byte[12];
    long n = chachaNonce++;
    for (int i = 4; i < 12; i++) {
      nonce[i] = (byte) n;
      n >>>= 8;
    }
    jceChaCha.init(Cipher.ENCRYPT_MODE, chachaKey, new IvParameterSpec(nonce));
    return jceChaCha.doFinal(buffer, 0, size, out, 0);
  }
}
