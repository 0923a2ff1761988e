package dev.weft.link;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.southernstorm.noise.protocol.CipherState;
import com.southernstorm.noise.protocol.CipherStatePair;
import com.southernstorm.noise.protocol.HandshakeState;
import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Properties;
import java.util.Random;
import javax.crypto.AEADBadTagException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The JCE transport cipher must produce exactly Noise's bytes: checked against vectors and noise-java. */
@Timeout(10)
class NoiseKeysTest {
  private static final HexFormat HEX = HexFormat.of();

  @Test
  void transportMessagesMatchTheCacophonyVector() throws Exception {
    Properties v = vector();
    HandshakeState init = state(HandshakeState.INITIATOR, v, "init");
    HandshakeState resp = state(HandshakeState.RESPONDER, v, "resp");
    for (int i = 0; i < 3; i++) {
      HandshakeState writer = i % 2 == 0 ? init : resp;
      HandshakeState reader = i % 2 == 0 ? resp : init;
      byte[] payload = HEX.parseHex(v.getProperty("payload." + i));
      byte[] message = new byte[1024];
      int length = writer.writeMessage(message, 0, payload, 0, payload.length);
      assertEquals(v.getProperty("ciphertext." + i), HEX.formatHex(message, 0, length), "handshake message " + i);
      reader.readMessage(message, 0, length, new byte[1024], 0);
    }
    assertEquals(v.getProperty("handshake_hash"), HEX.formatHex(init.getHandshakeHash()));

    NoiseKeys initKeys = NoiseKeys.split(init);
    NoiseKeys respKeys = NoiseKeys.split(resp);
    assertArrayEquals(initKeys.initiatorToResponder(), respKeys.initiatorToResponder());
    TransportCipher initSend = TransportCipher.encrypting(initKeys.initiatorToResponder());
    TransportCipher respSend = TransportCipher.encrypting(respKeys.responderToInitiator());
    TransportCipher initReceive = TransportCipher.decrypting(initKeys.responderToInitiator());
    for (int i = 3; i < 6; i++) {
      boolean fromInitiator = i % 2 == 0;
      byte[] payload = HEX.parseHex(v.getProperty("payload." + i));
      byte[] buffer = Arrays.copyOf(payload, payload.length + 16);
      int length = (fromInitiator ? initSend : respSend).encrypt(buffer, 0, payload.length);
      assertEquals(v.getProperty("ciphertext." + i), HEX.formatHex(buffer, 0, length), "transport message " + i);
      if (!fromInitiator) {
        assertEquals(payload.length, initReceive.decrypt(buffer, 0, length));
        assertArrayEquals(payload, Arrays.copyOf(buffer, payload.length));
      }
    }
  }

  @Test
  void matchesNoiseJavasOwnSplitForManyMessages() throws Exception {
    HandshakeState init = X25519KeyTest.xx(HandshakeState.INITIATOR, true);
    HandshakeState resp = X25519KeyTest.xx(HandshakeState.RESPONDER, true);
    X25519KeyTest.exchange(init, resp);
    NoiseKeys keys = NoiseKeys.split(init);
    CipherStatePair reference = init.split();
    CipherStatePair referenceResp = resp.split();
    TransportCipher send = TransportCipher.encrypting(keys.initiatorToResponder());
    TransportCipher receive = TransportCipher.decrypting(keys.responderToInitiator());
    Random random = new Random(42);
    for (int size : new int[] {0, 1, 15, 16, 17, 1000, 65519}) {
      byte[] plain = new byte[size];
      random.nextBytes(plain);
      assertArrayEquals(encrypt(reference.getSender(), plain), encryptJce(send, plain), "c1, " + size + " bytes");
      byte[] fromResponder = encrypt(referenceResp.getSender(), plain);
      assertEquals(size, receive.decrypt(fromResponder, 0, fromResponder.length), "c2, " + size + " bytes");
      assertArrayEquals(plain, Arrays.copyOf(fromResponder, size));
    }
  }

  @Test
  void failedDecryptionDoesNotAdvanceTheNonce() throws Exception {
    byte[] key = new byte[32];
    TransportCipher send = TransportCipher.encrypting(key);
    TransportCipher receive = TransportCipher.decrypting(key);
    byte[] first = encryptJce(send, new byte[] {1, 2, 3});
    byte[] second = encryptJce(send, new byte[] {4, 5, 6});
    byte[] tampered = first.clone();
    tampered[0] ^= 1;
    assertThrows(AEADBadTagException.class, () -> receive.decrypt(tampered, 0, tampered.length));
    assertEquals(0, receive.nonce());
    // The untouched message still decrypts, then the next: state was not disturbed.
    assertEquals(3, receive.decrypt(first, 0, first.length));
    assertThrows(AEADBadTagException.class, () -> receive.decrypt(first.clone(), 0, first.length),
        "a replay is rejected");
    assertEquals(3, receive.decrypt(second, 0, second.length));
    assertEquals(2, receive.nonce());
  }

  private static byte[] encrypt(CipherState state, byte[] plain) throws Exception {
    byte[] out = new byte[plain.length + 16];
    int length = state.encryptWithAd(null, plain, 0, out, 0, plain.length);
    return Arrays.copyOf(out, length);
  }

  private static byte[] encryptJce(TransportCipher cipher, byte[] plain) {
    byte[] buffer = Arrays.copyOf(plain, plain.length + 16);
    return Arrays.copyOf(buffer, cipher.encrypt(buffer, 0, plain.length));
  }

  private static HandshakeState state(int role, Properties v, String side) throws Exception {
    HandshakeState s = new HandshakeState(v.getProperty("protocol_name"), role);
    X25519Key.install(s);
    s.getLocalKeyPair().setPrivateKey(HEX.parseHex(v.getProperty(side + "_static")), 0);
    s.getFixedEphemeralKey().setPrivateKey(HEX.parseHex(v.getProperty(side + "_ephemeral")), 0);
    byte[] prologue = HEX.parseHex(v.getProperty("init_prologue"));
    s.setPrologue(prologue, 0, prologue.length);
    s.start();
    return s;
  }

  private static Properties vector() throws IOException {
    Properties p = new Properties();
    try (InputStream in = NoiseKeysTest.class.getResourceAsStream("/noise-xx-aesgcm-sha256.properties")) {
      p.load(in);
    }
    return p;
  }
}
