package dev.weft.mux;

/** The bytes on a stream are not mux frames (a length, type, code or field the spec forbids): the stream is closed. */
public final class MuxProtocolException extends Exception {
  public MuxProtocolException(String message) {
    super(message);
  }
}
