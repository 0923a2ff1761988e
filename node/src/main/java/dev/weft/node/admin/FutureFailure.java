package dev.weft.node.admin;

import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;

/** What a failed future failed with, without the wrappers that dependent stages and get() add. */
final class FutureFailure {
  private FutureFailure() {}

  static Throwable cause(Throwable error) {
    Throwable cause = error;
    while ((cause instanceof CompletionException || cause instanceof ExecutionException)
        && cause.getCause() != null) {
      cause = cause.getCause();
    }
    return cause;
  }
}
