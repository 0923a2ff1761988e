package dev.weft.mux;

/** The peer broke the mux protocol on a stream (malformed frame, bad version...): the stream is closed. */
public final class MuxProtocolException extends Exception {
  public MuxProtocolException(String message) {
    super(message);
  }
}
