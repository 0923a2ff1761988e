package dev.weft.link;

import java.nio.ByteBuffer;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Identity proofs (identity, Noise static key, signature) that already verified, so that a peer
 * linking again, with the same static key as before, costs no second Ed25519 verification, the
 * largest single cost of a handshake. Only proofs that verified are kept, matched byte for byte,
 * so a hit is exactly as good as verifying again. Bounded: the least recently used goes first.
 */
final class VerifiedProofs {
  static final int CAPACITY = 1024;

  private final Map<ByteBuffer, Boolean> proofs = new LinkedHashMap<>(64, 0.75f, true) {
    @Override
    protected boolean removeEldestEntry(Map.Entry<ByteBuffer, Boolean> eldest) {
      return size() > CAPACITY;
    }
  };

  /** True if {@code payload} proves its identity owns {@code noiseStaticKey}. */
  boolean proves(HandshakePayload payload, byte[] noiseStaticKey) {
    ByteBuffer key = key(payload, noiseStaticKey);
    synchronized (proofs) {
      if (proofs.get(key) != null) {
        return true;
      }
    }
    if (!payload.proves(noiseStaticKey)) {
      return false;
    }
    synchronized (proofs) {
      proofs.put(key, Boolean.TRUE);
    }
    return true;
  }

  int size() {
    synchronized (proofs) {
      return proofs.size();
    }
  }

  private static ByteBuffer key(HandshakePayload payload, byte[] noiseStaticKey) {
    byte[] identity = payload.identity().bytes();
    byte[] signature = payload.signature();
    return ByteBuffer.allocate(identity.length + noiseStaticKey.length + signature.length)
        .put(identity).put(noiseStaticKey).put(signature).flip();
  }
}
