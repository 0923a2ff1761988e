package dev.weft.link;

import dev.weft.identity.Identity;
import dev.weft.identity.NodeKey;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * What handshake messages 2 and 3 carry (encrypted by Noise): either a proof of identity or a
 * refusal.
 *
 * <pre>
 * proof:   0x01 || Ed25519 public key (32) || Ed25519 signature (64) over
 *          "weft-link-static-key:" || the sender's X25519 Noise static public key (32)
 * refusal: 0x02 || reason, UTF-8, at most 512 bytes
 * </pre>
 */
record HandshakePayload(Identity identity, byte[] signature, String refusal) {
  static final byte PROOF = 1;
  static final byte REFUSAL = 2;
  static final int PROOF_LENGTH = 1 + Identity.LENGTH + Identity.SIGNATURE_LENGTH;

  /** This node's proof that it owns {@code noiseStaticKey}. */
  static byte[] proof(NodeKey key, byte[] noiseStaticKey) {
    byte[] out = new byte[PROOF_LENGTH];
    out[0] = PROOF;
    System.arraycopy(key.identity().bytes(), 0, out, 1, Identity.LENGTH);
    byte[] signature = key.sign(signedBytes(noiseStaticKey));
    System.arraycopy(signature, 0, out, 1 + Identity.LENGTH, Identity.SIGNATURE_LENGTH);
    return out;
  }

  static byte[] refusal(String reason) {
    byte[] text = LinkProtocol.reasonBytes(reason);
    byte[] out = new byte[1 + text.length];
    out[0] = REFUSAL;
    System.arraycopy(text, 0, out, 1, text.length);
    return out;
  }

  /** Decodes a payload; throws IllegalArgumentException saying what is malformed. */
  static HandshakePayload decode(byte[] payload, int length) {
    if (length == 0) {
      throw new IllegalArgumentException("empty handshake payload");
    }
    switch (payload[0]) {
      case PROOF -> {
        if (length != PROOF_LENGTH) {
          throw new IllegalArgumentException("identity proof of " + length + " bytes, expected " + PROOF_LENGTH);
        }
        Identity identity = Identity.of(Arrays.copyOfRange(payload, 1, 1 + Identity.LENGTH));
        return new HandshakePayload(identity, Arrays.copyOfRange(payload, 1 + Identity.LENGTH, PROOF_LENGTH), null);
      }
      case REFUSAL -> {
        if (length - 1 > LinkProtocol.MAX_REASON) {
          throw new IllegalArgumentException("refusal reason longer than " + LinkProtocol.MAX_REASON + " bytes");
        }
        return new HandshakePayload(null, null, new String(payload, 1, length - 1, StandardCharsets.UTF_8));
      }
      default -> throw new IllegalArgumentException("unknown handshake payload type " + (payload[0] & 0xff));
    }
  }

  boolean isRefusal() {
    return refusal != null;
  }

  /** True if the signature proves that {@link #identity} owns {@code noiseStaticKey}. */
  boolean proves(byte[] noiseStaticKey) {
    return identity.verify(signedBytes(noiseStaticKey), signature);
  }

  private static byte[] signedBytes(byte[] noiseStaticKey) {
    byte[] prefix = LinkProtocol.STATIC_KEY_SIGNATURE_PREFIX;
    byte[] signed = Arrays.copyOf(prefix, prefix.length + noiseStaticKey.length);
    System.arraycopy(noiseStaticKey, 0, signed, prefix.length, noiseStaticKey.length);
    return signed;
  }
}
