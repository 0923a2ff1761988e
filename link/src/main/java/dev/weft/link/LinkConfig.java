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
    byte[] noisePrivateKey,
    byte[] proof,
    Duration handshakeTimeout,
    Duration idleTimeout,
    AccessPolicy accessPolicy,
    Consumer<Stream> onStream,
    Consumer<HandshakeException> onInboundFailure) {

  /** A fresh X25519 Noise static key per Linker, bound to the node identity by a signature. */
  static LinkConfig create(NodeKey nodeKey, Duration handshakeTimeout, Duration idleTimeout,
      AccessPolicy accessPolicy, Consumer<Stream> onStream, Consumer<HandshakeException> onInboundFailure) {
    try {
      DHState dh = Noise.createDH("25519");
      dh.generateKeyPair();
      byte[] privateKey = new byte[dh.getPrivateKeyLength()];
      byte[] publicKey = new byte[dh.getPublicKeyLength()];
      dh.getPrivateKey(privateKey, 0);
      dh.getPublicKey(publicKey, 0);
      dh.destroy();
      return new LinkConfig(nodeKey, privateKey, HandshakePayload.proof(nodeKey, publicKey),
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
