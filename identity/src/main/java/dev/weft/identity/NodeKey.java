package dev.weft.identity;

import java.security.SecureRandom;
import org.bouncycastle.math.ec.rfc8032.Ed25519;

/** A node's Ed25519 keypair. The private half never leaves this object except to the key file. */
public final class NodeKey {
  /** Length of the private seed (RFC 8032 secret key). */
  public static final int SEED_LENGTH = Ed25519.SECRET_KEY_SIZE;
  private static final SecureRandom RANDOM = new SecureRandom();

  private final byte[] seed;
  private final byte[] publicKey;
  private final Identity identity;

  private NodeKey(byte[] seed) {
    this.seed = seed;
    this.publicKey = new byte[Ed25519.PUBLIC_KEY_SIZE];
    Ed25519.generatePublicKey(seed, 0, publicKey, 0);
    this.identity = Identity.of(publicKey);
  }

  /** A fresh random keypair. */
  public static NodeKey generate() {
    byte[] seed = new byte[SEED_LENGTH];
    Ed25519.generatePrivateKey(RANDOM, seed);
    return new NodeKey(seed);
  }

  /** The keypair for a 32-byte RFC 8032 seed (deterministic; for stored keys and tests). */
  public static NodeKey fromSeed(byte[] seed) {
    if (seed == null || seed.length != SEED_LENGTH) {
      throw new IllegalArgumentException("an Ed25519 seed is " + SEED_LENGTH + " bytes");
    }
    return new NodeKey(seed.clone());
  }

  public Identity identity() {
    return identity;
  }

  /** The Ed25519 signature (64 bytes) over {@code message}. */
  public byte[] sign(byte[] message) {
    byte[] signature = new byte[Ed25519.SIGNATURE_SIZE];
    Ed25519.sign(seed, 0, publicKey, 0, message, 0, message.length, signature, 0);
    return signature;
  }

  byte[] seed() {
    return seed.clone();
  }

  @Override
  public String toString() {
    return "NodeKey[" + identity + "]";
  }
}
