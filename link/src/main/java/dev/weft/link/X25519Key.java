package dev.weft.link;

import com.southernstorm.noise.protocol.DHState;
import com.southernstorm.noise.protocol.HandshakeState;
import com.southernstorm.noise.protocol.Noise;
import java.lang.reflect.Field;
import java.util.Arrays;
import org.bouncycastle.math.ec.rfc7748.X25519;

/**
 * A Noise "25519" key (public only, or a key pair) whose arithmetic is Bouncy Castle's X25519:
 * about 3x faster than noise-java's own Curve25519 for a DH and 8x for a key pair (BC keeps a
 * precomputed table for the base point), and faster than the JDK's XDH, with the same RFC 7748
 * bytes. noise-java offers no way
 * to choose a DH implementation, so {@link #install} puts instances into a HandshakeState's
 * private key fields by reflection (X25519Bench and HandshakeBench hold the figures).
 *
 * <p>One difference, on input no X25519 implementation produces: RFC 7748 masks the top bit of a
 * received public key, as Bouncy Castle does, where noise-java's curve reads it. Every real
 * public key is below 2^255, so handshakes with either are byte for byte the same (the
 * cacophony vectors and X25519KeyTest check this).
 */
public final class X25519Key implements DHState {
  static final int LENGTH = X25519.POINT_SIZE;
  private static final String NAME = "25519";
  /** HandshakeState's DH fields (null where the pattern has no such key), looked up once, at startup. */
  private static final Field[] HANDSHAKE_KEYS = handshakeKeyFields(
      "localKeyPair", "localEphemeral", "remotePublicKey", "remoteEphemeral");

  private final byte[] publicKey = new byte[LENGTH];
  private final byte[] privateKey = new byte[LENGTH];
  private boolean hasPublic;
  private boolean hasPrivate;

  /** A fresh random key pair. */
  static X25519Key generate() {
    X25519Key key = new X25519Key();
    key.generateKeyPair();
    return key;
  }

  /**
   * Replaces the 25519 keys of a handshake that has not started with empty X25519Keys (the
   * fixed ephemeral of test vectors stays noise-java's: {@link #copyFrom} takes it).
   *
   * @throws IllegalStateException if this noise-java's HandshakeState does not have the expected
   *     shape, or the handshake is not an unstarted 25519 one
   */
  public static void install(HandshakeState handshake) {
    if (handshake.getAction() != HandshakeState.NO_ACTION) {
      throw new IllegalStateException("the handshake has started");
    }
    try {
      for (Field field : HANDSHAKE_KEYS) {
        DHState current = (DHState) field.get(handshake);
        if (current == null) {
          continue; // a pattern without this key (NN has no statics)
        }
        if (!NAME.equals(current.getDHName())) {
          throw new IllegalStateException("HandshakeState." + field.getName() + " is not a 25519 key: " + current);
        }
        field.set(handshake, new X25519Key());
      }
    } catch (IllegalAccessException e) {
      throw new IllegalStateException("cannot set noise-java's handshake keys", e);
    }
  }

  private static Field[] handshakeKeyFields(String... names) {
    Field[] fields = new Field[names.length];
    try {
      for (int i = 0; i < names.length; i++) {
        fields[i] = HandshakeState.class.getDeclaredField(names[i]);
        if (fields[i].getType() != DHState.class) {
          throw new IllegalStateException("HandshakeState." + names[i] + " is a " + fields[i].getType());
        }
        fields[i].setAccessible(true);
      }
    } catch (ReflectiveOperationException | RuntimeException e) {
      throw new IllegalStateException("this noise-java version's HandshakeState has another shape", e);
    }
    return fields;
  }

  @Override
  public String getDHName() {
    return NAME;
  }

  @Override
  public int getPublicKeyLength() {
    return LENGTH;
  }

  @Override
  public int getPrivateKeyLength() {
    return LENGTH;
  }

  @Override
  public int getSharedKeyLength() {
    return LENGTH;
  }

  @Override
  public void generateKeyPair() {
    // noise-java's own random source: only the arithmetic changes.
    Noise.random(privateKey);
    derivePublicKey();
  }

  @Override
  public void getPublicKey(byte[] key, int offset) {
    System.arraycopy(publicKey, 0, key, offset, LENGTH);
  }

  @Override
  public void setPublicKey(byte[] key, int offset) {
    clearKey();
    System.arraycopy(key, offset, publicKey, 0, LENGTH);
    hasPublic = true;
  }

  @Override
  public void getPrivateKey(byte[] key, int offset) {
    System.arraycopy(privateKey, 0, key, offset, LENGTH);
  }

  @Override
  public void setPrivateKey(byte[] key, int offset) {
    System.arraycopy(key, offset, privateKey, 0, LENGTH);
    derivePublicKey();
  }

  @Override
  public void setToNullPublicKey() {
    clearKey();
    hasPublic = true;
  }

  @Override
  public void clearKey() {
    Arrays.fill(publicKey, (byte) 0);
    Arrays.fill(privateKey, (byte) 0);
    hasPublic = false;
    hasPrivate = false;
  }

  @Override
  public void destroy() {
    clearKey();
  }

  @Override
  public boolean hasPublicKey() {
    return hasPublic;
  }

  @Override
  public boolean hasPrivateKey() {
    return hasPrivate;
  }

  @Override
  public boolean isNullPublicKey() {
    if (!hasPublic) {
      return false;
    }
    int bits = 0;
    for (byte b : publicKey) {
      bits |= b;
    }
    return bits == 0;
  }

  /** As noise-java's: the raw X25519 result, an all-zero one included (Noise leaves that check optional). */
  @Override
  public void calculate(byte[] sharedKey, int offset, DHState publicDH) {
    if (!(publicDH instanceof X25519Key remote)) {
      throw new IllegalArgumentException("Incompatible DH algorithms");
    }
    X25519.scalarMult(privateKey, 0, remote.publicKey, 0, sharedKey, offset);
  }

  /**
   * Copies another 25519 key, of this class or noise-java's (the fixed ephemeral a test vector
   * sets is noise-java's): a private key is copied and its public key derived here.
   */
  @Override
  public void copyFrom(DHState other) {
    if (other == this) {
      return;
    }
    if (!NAME.equals(other.getDHName())) {
      throw new IllegalStateException("Mismatched DH key objects");
    }
    if (other instanceof X25519Key key) {
      System.arraycopy(key.publicKey, 0, publicKey, 0, LENGTH);
      System.arraycopy(key.privateKey, 0, privateKey, 0, LENGTH);
      hasPublic = key.hasPublic;
      hasPrivate = key.hasPrivate;
    } else if (other.hasPrivateKey()) {
      other.getPrivateKey(privateKey, 0);
      derivePublicKey();
    } else if (other.hasPublicKey()) {
      byte[] key = new byte[LENGTH];
      other.getPublicKey(key, 0);
      setPublicKey(key, 0);
    } else {
      clearKey();
    }
  }

  private void derivePublicKey() {
    X25519.scalarMultBase(privateKey, 0, publicKey, 0);
    hasPublic = true;
    hasPrivate = true;
  }
}
