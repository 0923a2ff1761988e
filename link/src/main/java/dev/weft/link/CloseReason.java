package dev.weft.link;

/** Why a stream ended. */
public record CloseReason(Origin origin, String message) {
  /** Who or what ended the stream. */
  public enum Origin {
    /** This side closed it. */
    LOCAL,
    /** The peer closed it and said why. */
    REMOTE,
    /** The connection failed or vanished without a close message. */
    TRANSPORT,
    /** A message failed authentication (modified, replayed or reordered ciphertext). */
    DECRYPTION,
    /** The peer broke the protocol (unknown message type, bad size, ...). */
    PROTOCOL,
    /** Nothing was received for too long. */
    TIMEOUT
  }

  @Override
  public String toString() {
    return switch (origin) {
      case LOCAL -> "closed locally: " + message;
      case REMOTE -> "closed by peer: " + message;
      case TRANSPORT -> "connection lost: " + message;
      case DECRYPTION -> "decryption failed: " + message;
      case PROTOCOL -> "protocol error: " + message;
      case TIMEOUT -> "timed out: " + message;
    };
  }
}
