package dev.weft.node;

/** A relay refused a reservation or a relayed stream; {@link #code()} says which refusal. */
public final class RelayRefusedException extends Exception {
  private final String code;

  RelayRefusedException(RelayReply refusal) {
    super("the relay refused: " + refusal.reason() + " (" + refusal.code() + ")");
    this.code = refusal.code().name();
  }

  /** The refusal's name in docs/protocol.md §4.2, e.g. {@code STREAMS_FULL}. */
  public String code() {
    return code;
  }
}
