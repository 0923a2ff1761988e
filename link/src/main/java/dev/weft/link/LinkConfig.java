package dev.weft.link;

import com.southernstorm.noise.protocol.DHState;
import com.southernstorm.noise.protocol.Noise;
import dev.weft.identity.NodeKey;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.function.Consumer;

/**
 * What every link of one {@link Linker} shares: the node's credentials and the rules and hooks
 * that the handshake and the secure channel apply.
 */
record LinkConfig(
    NodeKey nodeKey,
    DHState noiseStatic,
    byte[] proof,
    VerifiedProofs verifiedProofs,
    Duration handshakeTimeout,
    Duration idleTimeout,
    AccessPolicy accessPolicy,
    Consumer<Stream> onStream,
    Consumer<HandshakeException> onInboundFailure) {

  /**
   * A fresh X25519 Noise static key pair per Linker, bound to the node identity by a signature.
   * It is never changed after this: each handshake copies it (deriving the public key again
   * would cost one more X25519 multiplication per handshake).
   */
  static LinkConfig create(NodeKey nodeKey, Duration handshakeTimeout, Duration idleTimeout,
      AccessPolicy accessPolicy, Consumer<Stream> onStream, Consumer<HandshakeException> onInboundFailure) {
    try {
      DHState dh = Noise.createDH("25519");
      dh.generateKeyPair();
      byte[] publicKey = new byte[dh.getPublicKeyLength()];
      dh.getPublicKey(publicKey, 0);
      return new LinkConfig(nodeKey, dh, HandshakePayload.proof(nodeKey, publicKey), new VerifiedProofs(),
          handshakeTimeout, idleTimeout, accessPolicy, onStream, onInboundFailure);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("noise-java lacks X25519", e);
    }
  }

  /** How long a side may send nothing before it sends a KEEPALIVE. */
  Duration keepaliveInterval() {
    return idleTimeout.dividedBy(3);
  }
}
