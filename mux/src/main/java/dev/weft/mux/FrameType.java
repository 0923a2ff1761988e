package dev.weft.mux;

/** Wire type codes and fixed sizes shared by the encoder and decoder. */
final class FrameType {
  static final int HELLO = 0x00;
  static final int QUERY = 0x01;
  static final int RESPONSE = 0x02;
  static final int DATA = 0x03;
  static final int CREDIT = 0x04;
  static final int CLOSE = 0x05;
  static final int RESET = 0x06;
  static final int PING = 0x07;
  static final int PONG = 0x08;
  static final int MIGRATE = 0x09;
  static final int RESUME = 0x0A;

  /** type u8, session u64, body length u32. */
  static final int HEADER = 13;
  /** Reset messages are diagnostics: longer ones are cut when encoded. */
  static final int MAX_MESSAGE = 512;

  private FrameType() {}
}
