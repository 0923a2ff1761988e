package dev.weft.identity;

import java.util.Arrays;
import org.bouncycastle.math.ec.rfc8032.Ed25519;

/**
 * A node's identity: its Ed25519 public key. Canonical text is 64 lowercase hex digits.
 *
 * <p>Immutable; equality and order are by the key bytes (unsigned, lexicographic).
 */
public final class Identity implements Comparable<Identity> {
  /** Length of an Ed25519 public key. */
  public static final int LENGTH = Ed25519.PUBLIC_KEY_SIZE;
  /** Length of an Ed25519 signature. */
  public static final int SIGNATURE_LENGTH = Ed25519.SIGNATURE_SIZE;

  private final byte[] key;
  private final String text;

  private Identity(byte[] key) {
    this.key = key;
    this.text = Hex.encode(key);
  }

  /** Wraps a copy of a 32-byte public key. */
  public static Identity of(byte[] publicKey) {
    if (publicKey == null || publicKey.length != LENGTH) {
      throw new IllegalArgumentException("an identity is a " + LENGTH + "-byte Ed25519 public key, got "
          + (publicKey == null ? "nothing" : publicKey.length + " bytes"));
    }
    return new Identity(publicKey.clone());
  }

  /** Parses the canonical text form; the message says what is wrong with malformed text. */
  public static Identity parse(String text) {
    return new Identity(Hex.decode(text, LENGTH, "identity"));
  }

  /** A copy of the public key bytes. */
  public byte[] bytes() {
    return key.clone();
  }

  /** The first 8 hex digits, for tables and logs. */
  public String shortText() {
    return text.substring(0, 8);
  }

  /** True if {@code signature} is this identity's valid Ed25519 signature over {@code message}. */
  public boolean verify(byte[] message, byte[] signature) {
    if (signature == null || signature.length != SIGNATURE_LENGTH) {
      return false;
    }
    return Ed25519.verify(signature, 0, key, 0, message, 0, message.length);
  }

  @Override
  public int compareTo(Identity other) {
    return Arrays.compareUnsigned(key, other.key);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Identity other && Arrays.equals(key, other.key);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(key);
  }

  @Override
  public String toString() {
    return text;
  }
}
