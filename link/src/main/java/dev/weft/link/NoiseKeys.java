package dev.weft.link;

import com.southernstorm.noise.protocol.HandshakeState;
import java.lang.reflect.Field;
import java.security.GeneralSecurityException;
import java.util.Arrays;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The two transport keys of a finished handshake, computed as Noise's Split():
 * {@code k1, k2 = HKDF(ck, empty)} with HMAC-SHA256 (k1 encrypts initiator to responder).
 *
 * <p>noise-java keeps the chaining key {@code ck} private and only hands out its own (slow)
 * CipherStates, so {@code ck} is read by reflection from {@code HandshakeState.symmetric.ck}
 * (same unnamed module; no JVM flags needed). NoiseKeysTest checks the result byte for byte
 * against noise-java's split() and the cacophony test vectors, so a library change that breaks
 * this fails the build.
 */
record NoiseKeys(byte[] initiatorToResponder, byte[] responderToInitiator) {
  private static final int KEY_LENGTH = 32;

  /** Must be called once the handshake's last message is written or read, before split(). */
  static NoiseKeys split(HandshakeState handshake) {
    if (handshake.getAction() != HandshakeState.SPLIT) {
      throw new IllegalStateException("handshake not finished");
    }
    byte[] ck = chainingKey(handshake);
    try {
      Mac hmac = Mac.getInstance("HmacSHA256");
      hmac.init(new SecretKeySpec(ck, "HmacSHA256"));
      byte[] tempKey = hmac.doFinal(new byte[0]);
      hmac.init(new SecretKeySpec(tempKey, "HmacSHA256"));
      byte[] k1 = hmac.doFinal(new byte[] {1});
      hmac.update(k1);
      byte[] k2 = hmac.doFinal(new byte[] {2});
      Arrays.fill(tempKey, (byte) 0);
      return new NoiseKeys(Arrays.copyOf(k1, KEY_LENGTH), Arrays.copyOf(k2, KEY_LENGTH));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HMAC-SHA256 unavailable", e);
    }
  }

  void destroy() {
    Arrays.fill(initiatorToResponder, (byte) 0);
    Arrays.fill(responderToInitiator, (byte) 0);
  }

  private static byte[] chainingKey(HandshakeState handshake) {
    try {
      Field symmetricField = HandshakeState.class.getDeclaredField("symmetric");
      symmetricField.setAccessible(true);
      Object symmetric = symmetricField.get(handshake);
      Field ckField = symmetric.getClass().getDeclaredField("ck");
      ckField.setAccessible(true);
      return ((byte[]) ckField.get(symmetric)).clone();
    } catch (ReflectiveOperationException | RuntimeException e) {
      throw new IllegalStateException("cannot read the chaining key from this noise-java version", e);
    }
  }
}
