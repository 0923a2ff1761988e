package dev.weft.link;

import dev.weft.identity.NodeKey;
import java.time.Duration;
import java.util.function.Consumer;

/**
 * What every link of one {@link Linker} shares: the node's credentials and the rules and hooks
 * that the handshake and the secure channel apply.
 */
record LinkConfig(
    NodeKey nodeKey,
    X25519Key noiseStatic,
    byte[] proof,
    VerifiedProofs verifiedProofs,
    Duration handshakeTimeout,
    Duration idleTimeout,
    Rekeying rekeying,
    AccessPolicy accessPolicy,
    Consumer<Stream> onStream,
    Consumer<HandshakeException> onInboundFailure,
    RekeyStats.Counters rekeys) {

  /**
   * A fresh X25519 Noise static key pair per Linker, bound to the node identity by a signature.
   * It is never changed after this: each handshake copies it (deriving the public key again
   * would cost one more X25519 multiplication per handshake), and its proof is signed once here.
   */
  static LinkConfig create(NodeKey nodeKey, Duration handshakeTimeout, Duration idleTimeout, Rekeying rekeying,
      AccessPolicy accessPolicy, Consumer<Stream> onStream, Consumer<HandshakeException> onInboundFailure) {
    return create(nodeKey, X25519Key.generate(), handshakeTimeout, idleTimeout, rekeying, accessPolicy, onStream,
        onInboundFailure);
  }

  /** As above with a given Noise static key pair: the conformance vectors fix it. */
  static LinkConfig create(NodeKey nodeKey, X25519Key key, Duration handshakeTimeout, Duration idleTimeout,
      Rekeying rekeying, AccessPolicy accessPolicy, Consumer<Stream> onStream,
      Consumer<HandshakeException> onInboundFailure) {
    byte[] publicKey = new byte[X25519Key.LENGTH];
    key.getPublicKey(publicKey, 0);
    return new LinkConfig(nodeKey, key, HandshakePayload.proof(nodeKey, publicKey), new VerifiedProofs(),
        handshakeTimeout, idleTimeout, rekeying, accessPolicy, onStream, onInboundFailure,
        new RekeyStats.Counters());
  }

  /** How long a side may send nothing before it sends a KEEPALIVE. */
  Duration keepaliveInterval() {
    return Duration.ofNanos(idleTimeout.toNanos() / 3); // Duration.dividedBy goes through BigDecimal
  }
}
