package dev.weft.link;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.southernstorm.noise.protocol.CipherState;
import com.southernstorm.noise.protocol.Noise;
import java.util.Arrays;
import java.util.Random;
import javax.crypto.AEADBadTagException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Rekeying the transport cipher: Noise's Rekey() exactly, in step on both sides, and nothing crosses an epoch. */
@Timeout(10)
class TransportCipherTest {
  private final byte[] key = new byte[32];
  private final TransportCipher send;
  private final TransportCipher receive;

  TransportCipherTest() {
    new Random(5).nextBytes(key);
    send = TransportCipher.encrypting(key);
    receive = TransportCipher.decrypting(key);
  }

  @Test
  void rekeyIsNoisesRekeyWithTheCounterGoingOn() throws Exception {
    CipherState reference = Noise.createCipher("AESGCM");
    reference.initializeKey(key, 0);
    byte[] k = key;
    Random random = new Random(9);
    for (int epoch = 0; epoch < 4; epoch++) {
      for (int i = 0; i < 3; i++) {
        byte[] plain = new byte[random.nextInt(2000)];
        random.nextBytes(plain);
        byte[] expected = new byte[plain.length + 16];
        reference.encryptWithAd(null, plain, 0, expected, 0, plain.length);
        assertArrayEquals(expected, seal(send, plain), "epoch " + epoch + ", message " + i);
      }
      long next = send.nonce();
      send.rekey();
      // The definition, computed on the JDK's AES-GCM alone, then handed to noise-java.
      k = RecordedLink.noiseRekey(k);
      reference.initializeKey(k, 0);
      reference.setNonce(next);
      assertEquals(next, send.nonce(), "the counter is not reset");
      assertEquals(epoch + 1, send.epoch());
    }
  }

  @Test
  void bothSidesRekeyedAtTheSameMessageAgree() throws Exception {
    for (int epoch = 0; epoch < 5; epoch++) {
      for (int i = 0; i < 3; i++) {
        assertOpens(seal(send, new byte[] {(byte) epoch, (byte) i}));
      }
      send.rekey();
      receive.rekey();
    }
    assertEquals(5, receive.epoch());
    assertEquals(15, receive.nonce());
  }

  @Test
  void aMessageUnderTheOtherEpochsKeyIsRejectedWithTheStateUnchanged() throws Exception {
    byte[] before = seal(send, new byte[] {1});
    send.rekey();
    byte[] after = seal(send, new byte[] {2});
    // Reordered: the first message of the new epoch before the receiver has switched.
    assertRejected(after.clone());
    assertOpens(before);
    receive.rekey();
    assertOpens(after);
  }

  @Test
  void aReplayAcrossTheBoundaryIsRejected() throws Exception {
    byte[] first = seal(send, new byte[] {1});
    byte[] second = seal(send, new byte[] {2});
    assertOpens(first.clone());
    assertOpens(second.clone());
    send.rekey();
    receive.rekey();
    byte[] next = seal(send, new byte[] {3});
    assertRejected(first.clone());
    assertRejected(second.clone());
    assertOpens(next);
  }

  @Test
  void aReceiverThatSwitchesTooEarlyRejectsTheOldEpochsLastMessage() throws Exception {
    byte[] marker = seal(send, new byte[] {LinkProtocol.REKEY});
    receive.rekey();
    assertRejected(marker);
  }

  @Test
  void bytesUnderTheKeyAreCountedAndStartAgainAfterARekey() throws Exception {
    byte[] message = seal(send, new byte[100]);
    assertEquals(116, send.bytesUnderKey());
    assertOpens(message);
    assertEquals(116, receive.bytesUnderKey());
    send.rekey();
    receive.rekey();
    assertEquals(0, send.bytesUnderKey());
    assertEquals(0, receive.bytesUnderKey());
  }

  private static byte[] seal(TransportCipher cipher, byte[] plain) {
    byte[] buffer = Arrays.copyOf(plain, plain.length + 16);
    return Arrays.copyOf(buffer, cipher.encrypt(buffer, 0, plain.length));
  }

  private void assertOpens(byte[] message) throws AEADBadTagException {
    receive.decrypt(message, 0, message.length);
  }

  private void assertRejected(byte[] message) {
    long nonce = receive.nonce();
    long epoch = receive.epoch();
    assertThrows(AEADBadTagException.class, () -> receive.decrypt(message, 0, message.length));
    assertEquals(nonce, receive.nonce());
    assertEquals(epoch, receive.epoch());
  }
}
