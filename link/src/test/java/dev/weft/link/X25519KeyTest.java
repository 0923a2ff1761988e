package dev.weft.link;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.southernstorm.noise.crypto.Curve25519;
import com.southernstorm.noise.protocol.CipherState;
import com.southernstorm.noise.protocol.CipherStatePair;
import com.southernstorm.noise.protocol.DHState;
import com.southernstorm.noise.protocol.HandshakeState;
import com.southernstorm.noise.protocol.Noise;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import javax.crypto.BadPaddingException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** X25519Key inside noise-java's handshake gives exactly noise-java's bytes. */
@Timeout(20)
class X25519KeyTest {
  private static final HexFormat HEX = HexFormat.of();

  /** Every cacophony vector noise-java can run (it has no deferred patterns such as XX1). */
  static Stream<JsonNode> vectors() throws IOException {
    try (InputStream in = X25519KeyTest.class.getResourceAsStream("/noise-vectors.json")) {
      List<JsonNode> runnable = new ArrayList<>();
      for (JsonNode vector : new ObjectMapper().readTree(in).get("vectors")) {
        if (!vector.get("protocol_name").asText().startsWith("Noise_XX1_")) {
          runnable.add(vector);
        }
      }
      return runnable.stream();
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("vectors")
  void handshakeAndTransportMatchTheCacophonyVector(JsonNode v) throws Exception {
    HandshakeState init = state(HandshakeState.INITIATOR, v, "init");
    HandshakeState resp = state(HandshakeState.RESPONDER, v, "resp");
    JsonNode messages = v.get("messages");
    int i = 0;
    for (; init.getAction() != HandshakeState.SPLIT; i++) {
      HandshakeState writer = i % 2 == 0 ? init : resp;
      HandshakeState reader = i % 2 == 0 ? resp : init;
      byte[] payload = HEX.parseHex(messages.get(i).get("payload").asText());
      byte[] message = new byte[1024];
      int length = writer.writeMessage(message, 0, payload, 0, payload.length);
      assertEquals(messages.get(i).get("ciphertext").asText(), HEX.formatHex(message, 0, length), "handshake message " + i);
      byte[] read = new byte[1024];
      assertEquals(payload.length, reader.readMessage(message, 0, length, read, 0));
    }
    assertEquals(v.get("handshake_hash").asText(), HEX.formatHex(init.getHandshakeHash()));
    assertArrayEquals(init.getHandshakeHash(), resp.getHandshakeHash());

    CipherStatePair initCiphers = init.split();
    CipherStatePair respCiphers = resp.split();
    for (; i < messages.size(); i++) {
      CipherState sender = i % 2 == 0 ? initCiphers.getSender() : respCiphers.getSender();
      byte[] payload = HEX.parseHex(messages.get(i).get("payload").asText());
      byte[] out = new byte[payload.length + sender.getMACLength()];
      int length = sender.encryptWithAd(null, payload, 0, out, 0, payload.length);
      assertEquals(messages.get(i).get("ciphertext").asText(), HEX.formatHex(out, 0, length), "transport message " + i);
    }
  }

  @Test
  void agreesWithNoiseJavasCurveOnRandomKeys() {
    Random random = new Random(7);
    for (int n = 0; n < 50; n++) {
      byte[] privateKey = new byte[32];
      byte[] peerPublic = new byte[32];
      random.nextBytes(privateKey);
      random.nextBytes(peerPublic);
      // Every real public key is below 2^255; noise-java's curve reads a set top bit, RFC 7748 masks it.
      peerPublic[31] &= 0x7f;
      X25519Key key = new X25519Key();
      key.setPrivateKey(privateKey, 0);
      byte[] expectedPublic = new byte[32];
      Curve25519.eval(expectedPublic, 0, privateKey, null);
      byte[] publicKey = new byte[32];
      key.getPublicKey(publicKey, 0);
      assertArrayEquals(expectedPublic, publicKey, "public key " + n);

      X25519Key peer = new X25519Key();
      peer.setPublicKey(peerPublic, 0);
      byte[] expectedShared = new byte[32];
      Curve25519.eval(expectedShared, 0, privateKey, peerPublic);
      byte[] shared = new byte[32];
      key.calculate(shared, 0, peer);
      assertArrayEquals(expectedShared, shared, "shared key " + n);
      peerPublic[31] |= (byte) 0x80;
      peer.setPublicKey(peerPublic, 0);
      key.calculate(shared, 0, peer);
      assertArrayEquals(expectedShared, shared, "the top bit is masked, as RFC 7748 says, " + n);
    }
  }

  @Test
  void linksWithAPlainNoiseJavaPeerBothWays() throws Exception {
    for (boolean fastInitiator : new boolean[] {true, false}) {
      HandshakeState init = xx(HandshakeState.INITIATOR, fastInitiator);
      HandshakeState resp = xx(HandshakeState.RESPONDER, !fastInitiator);
      exchange(init, resp);
      assertEquals(HandshakeState.SPLIT, init.getAction());
      assertArrayEquals(init.getHandshakeHash(), resp.getHandshakeHash());
      assertArrayEquals(NoiseKeys.split(init).initiatorToResponder(), NoiseKeys.split(resp).initiatorToResponder());
    }
  }

  @Test
  void installPutsItsKeysIntoTheHandshake() throws Exception {
    HandshakeState noise = xx(HandshakeState.INITIATOR, true);
    assertInstanceOf(X25519Key.class, noise.getLocalKeyPair());
    assertInstanceOf(X25519Key.class, noise.getRemotePublicKey());
    byte[] message = new byte[1024];
    int length = noise.writeMessage(message, 0, new byte[0], 0, 0);
    assertEquals(X25519Key.LENGTH, length, "msg1 is the ephemeral public key alone");
  }

  @Test
  void installRefusesAStartedOrNon25519Handshake() throws Exception {
    HandshakeState started = xx(HandshakeState.INITIATOR, false);
    assertThrows(IllegalStateException.class, () -> X25519Key.install(started));
    HandshakeState curve448 = new HandshakeState("Noise_XX_448_AESGCM_SHA256", HandshakeState.INITIATOR);
    IllegalStateException e = assertThrows(IllegalStateException.class, () -> X25519Key.install(curve448));
    assertTrue(e.getMessage().contains("not a 25519 key"), e.getMessage());
  }

  @Test
  void anAllZeroRemoteEphemeralFailsTheHandshake() throws Exception {
    HandshakeState resp = xx(HandshakeState.RESPONDER, true);
    byte[] message = new byte[32];
    assertThrows(BadPaddingException.class, () -> resp.readMessage(message, 0, message.length, new byte[64], 0));
  }

  @Test
  void keyStatesFollowNoiseJavasRules() {
    X25519Key key = X25519Key.generate();
    assertTrue(key.hasPrivateKey());
    assertTrue(key.hasPublicKey());
    X25519Key copy = new X25519Key();
    copy.copyFrom(key);
    byte[] a = new byte[32];
    byte[] b = new byte[32];
    key.getPublicKey(a, 0);
    copy.getPublicKey(b, 0);
    assertArrayEquals(a, b);
    assertTrue(copy.hasPrivateKey());

    copy.setPublicKey(a, 0);
    assertFalse(copy.hasPrivateKey());
    assertFalse(copy.isNullPublicKey());
    copy.setToNullPublicKey();
    assertTrue(copy.isNullPublicKey());
    copy.destroy();
    assertFalse(copy.hasPublicKey());
    assertFalse(copy.isNullPublicKey());
    assertThrows(IllegalArgumentException.class, () -> key.calculate(new byte[32], 0, noiseJavaKey()));
  }

  private static DHState noiseJavaKey() {
    try {
      DHState key = Noise.createDH("25519");
      key.generateKeyPair();
      return key;
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new AssertionError(e);
    }
  }

  /** The three XX messages, empty payloads. */
  static void exchange(HandshakeState init, HandshakeState resp) throws Exception {
    byte[] message = new byte[1024];
    for (int i = 0; i < 3; i++) {
      HandshakeState writer = i % 2 == 0 ? init : resp;
      HandshakeState reader = i % 2 == 0 ? resp : init;
      int length = writer.writeMessage(message, 0, new byte[0], 0, 0);
      reader.readMessage(message, 0, length, new byte[1024], 0);
    }
  }

  /** weft's XX handshake with a random static key, X25519Key installed if {@code fast}. */
  static HandshakeState xx(int role, boolean fast) throws Exception {
    HandshakeState s = new HandshakeState(LinkProtocol.NOISE_PROTOCOL, role);
    if (fast) {
      X25519Key.install(s);
    }
    s.getLocalKeyPair().generateKeyPair();
    s.setPrologue(LinkProtocol.HELLO, 0, LinkProtocol.HELLO_LENGTH);
    s.start();
    return s;
  }

  /** A handshake with X25519Key in every DH slot, keys as the vector says (fixed ephemerals for tests). */
  private static HandshakeState state(int role, JsonNode v, String side) throws Exception {
    HandshakeState s = new HandshakeState(v.get("protocol_name").asText(), role);
    X25519Key.install(s);
    if (v.has(side + "_static")) {
      s.getLocalKeyPair().setPrivateKey(HEX.parseHex(v.get(side + "_static").asText()), 0);
    }
    if (v.has(side + "_remote_static")) {
      s.getRemotePublicKey().setPublicKey(HEX.parseHex(v.get(side + "_remote_static").asText()), 0);
    }
    s.getFixedEphemeralKey().setPrivateKey(HEX.parseHex(v.get(side + "_ephemeral").asText()), 0);
    byte[] prologue = HEX.parseHex(v.get(side + "_prologue").asText());
    s.setPrologue(prologue, 0, prologue.length);
    s.start();
    return s;
  }
}
