package dev.weft.link;

import java.security.GeneralSecurityException;
import java.util.Arrays;
import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * One direction of Noise's AESGCM transport CipherState, on the JDK's AES-GCM (65-90x faster
 * than noise-java's AESGCM here, see LinkCipherBench). Produces exactly the Noise bytes: key from Split, nonce
 * = 4 zero bytes || 64-bit big-endian counter, empty associated data, 16-byte tag appended.
 *
 * <p>Works in place on arrays (JCE's array doFinal is copy-safe). The counter advances only after
 * a successful operation, so a rejected message leaves the state as it was. {@link #rekey()} is
 * Noise's Rekey(): a new key derived from the old one, the counter going on. Not thread-safe.
 */
public final class TransportCipher {
  private final Cipher cipher;
  private final int mode;
  private final byte[] iv = new byte[12];
  private SecretKeySpec key;
  private long nonce;
  /** Rekeys so far: 0 for the key from Split. */
  private long epoch;
  /** Ciphertext bytes (tags included) encrypted or decrypted under the current key. */
  private long bytesUnderKey;

  private TransportCipher(byte[] key, int mode) {
    try {
      this.cipher = Cipher.getInstance("AES/GCM/NoPadding");
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("this JDK lacks AES/GCM/NoPadding", e);
    }
    this.key = new SecretKeySpec(key, "AES");
    this.mode = mode;
  }

  /** Encrypts with a 32-byte key from Split; the nonce starts at 0. */
  public static TransportCipher encrypting(byte[] key) {
    return new TransportCipher(key, Cipher.ENCRYPT_MODE);
  }

  /** Decrypts with a 32-byte key from Split; the nonce starts at 0. */
  public static TransportCipher decrypting(byte[] key) {
    return new TransportCipher(key, Cipher.DECRYPT_MODE);
  }

  /**
   * Encrypts {@code length} bytes at {@code offset} in place and appends the tag; the array must
   * have room for it. Returns the ciphertext length ({@code length + 16}).
   */
  public int encrypt(byte[] array, int offset, int length) {
    if (mode != Cipher.ENCRYPT_MODE) {
      throw new IllegalStateException("a decrypting cipher");
    }
    try {
      int written = run(array, offset, length);
      bytesUnderKey += written;
      return written;
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("AES-GCM encryption failed", e);
    }
  }

  /** Decrypts a ciphertext (tag included) in place; returns the plaintext length. */
  public int decrypt(byte[] array, int offset, int length) throws AEADBadTagException {
    if (mode != Cipher.DECRYPT_MODE) {
      throw new IllegalStateException("an encrypting cipher");
    }
    if (length < LinkProtocol.TAG_LENGTH) {
      throw new AEADBadTagException("ciphertext shorter than its tag");
    }
    try {
      int plain = run(array, offset, length);
      bytesUnderKey += length;
      return plain;
    } catch (AEADBadTagException e) {
      throw e;
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("AES-GCM decryption failed", e);
    }
  }

  /**
   * Noise's Rekey(): the key becomes the first 32 bytes of ENCRYPT(k, 2^64-1, empty, 32 zero
   * bytes); the nonce counter goes on. The old key is dropped (the JDK offers no way to wipe a
   * SecretKeySpec, so erasing it is up to the garbage collector).
   */
  public void rekey() {
    byte[] block = new byte[32 + LinkProtocol.TAG_LENGTH];
    try {
      cipher.init(Cipher.ENCRYPT_MODE, key, gcm(-1L));
      cipher.doFinal(block, 0, 32, block, 0);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("AES-GCM rekey failed", e);
    }
    key = new SecretKeySpec(block, 0, 32, "AES");
    Arrays.fill(block, (byte) 0);
    epoch++;
    bytesUnderKey = 0;
  }

  /** The next message's nonce. */
  public long nonce() {
    return nonce;
  }

  /** How many times this cipher has been rekeyed. */
  public long epoch() {
    return epoch;
  }

  /** Ciphertext bytes, tags included, that went through the current key. */
  public long bytesUnderKey() {
    return bytesUnderKey;
  }

  private int run(byte[] array, int offset, int length) throws GeneralSecurityException {
    // 2^64-1 is reserved by Noise (Rekey uses it); a link never gets near it, but must not wrap around.
    if (nonce == -1L) {
      throw new GeneralSecurityException("nonce space exhausted");
    }
    cipher.init(mode, key, gcm(nonce));
    int written = cipher.doFinal(array, offset, length, array, offset);
    nonce++;
    return written;
  }

  /** Noise's AESGCM nonce: 4 zero bytes then the counter as u64 big-endian. */
  private GCMParameterSpec gcm(long n) {
    for (int i = 11; i >= 4; i--) {
      iv[i] = (byte) n;
      n >>>= 8;
    }
    return new GCMParameterSpec(LinkProtocol.TAG_LENGTH * 8, iv);
  }
}
