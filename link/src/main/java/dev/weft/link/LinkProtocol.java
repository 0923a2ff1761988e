package dev.weft.link;

import java.nio.charset.StandardCharsets;

/** The link layer's wire constants; docs/protocol.md explains each one. */
final class LinkProtocol {
  /** Noise suite: AESGCM because the JDK's AES-GCM (AES-NI + CLMUL) is far faster than ChaChaPoly. */
  static final String NOISE_PROTOCOL = "Noise_XX_25519_AESGCM_SHA256";
  static final int VERSION = 1;
  /** "weft" then the version as u16 big-endian; sent first by both sides, also the Noise prologue. */
  static final byte[] HELLO = {'w', 'e', 'f', 't', 0, VERSION};
  static final int HELLO_LENGTH = HELLO.length;
  /** Signed with the node's Ed25519 key, followed by its X25519 Noise static key. */
  static final byte[] STATIC_KEY_SIGNATURE_PREFIX = "weft-link-static-key:".getBytes(StandardCharsets.US_ASCII);

  /** Largest Noise message (and so frame body) allowed during the handshake. */
  static final int MAX_HANDSHAKE_MESSAGE = 1024;
  /** Noise's own limit, also the 2-byte length prefix's. */
  static final int MAX_MESSAGE = 65535;
  static final int TAG_LENGTH = 16;
  /** Plaintext of one transport message: type byte plus body. */
  static final int MAX_PLAINTEXT = MAX_MESSAGE - TAG_LENGTH;
  /** Application bytes in one DATA message. */
  static final int MAX_DATA = MAX_PLAINTEXT - 1;
  /** Longest reason text in a CLOSE message or a handshake refusal, in UTF-8 bytes. */
  static final int MAX_REASON = 512;

  /** Transport message types: the first plaintext byte of every transport message. */
  static final byte DATA = 0;
  static final byte ACCEPT = 1;
  static final byte CLOSE = 2;
  static final byte KEEPALIVE = 3;
  /** The sender's next message is under its next key (Noise Rekey()). */
  static final byte REKEY = 4;

  private LinkProtocol() {}

  /** The reason as UTF-8, cut to {@link #MAX_REASON} bytes on a character boundary. */
  static byte[] reasonBytes(String reason) {
    byte[] bytes = reason.getBytes(StandardCharsets.UTF_8);
    if (bytes.length <= MAX_REASON) {
      return bytes;
    }
    int end = MAX_REASON;
    while ((bytes[end] & 0xC0) == 0x80) {
      end--;
    }
    return java.util.Arrays.copyOf(bytes, end);
  }
}
