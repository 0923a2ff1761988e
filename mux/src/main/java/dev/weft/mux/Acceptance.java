package dev.weft.mux;

import java.util.function.Consumer;

/** An {@link Acceptor}'s answer: accept (with what to do once open) or reject with a reason. */
public record Acceptance(Reason rejection, Consumer<Session> onOpen) {
  /** Accepts; {@code onOpen} runs on the table's executor before any data is delivered. */
  public static Acceptance accept(Consumer<Session> onOpen) {
    return new Acceptance(null, onOpen);
  }

  public static Acceptance reject(Reason reason) {
    return new Acceptance(reason, null);
  }

  public boolean accepted() {
    return rejection == null;
  }
}
