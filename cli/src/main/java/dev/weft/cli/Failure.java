package dev.weft.cli;

import java.io.IOException;
import java.io.UncheckedIOException;
import picocli.CommandLine;

/**
 * An operation failed in a way the user should read as one line (exit code 1). Malformed
 * arguments are {@link IllegalArgumentException}s and exit with 2.
 */
final class Failure extends RuntimeException {
  Failure(String message) {
    super(message);
  }

  /** Prints {@code weft: MESSAGE} for any failure instead of a stack trace. */
  static final class Printer implements CommandLine.IExecutionExceptionHandler {
    @Override
    public int handleExecutionException(Exception e, CommandLine cli,
        CommandLine.ParseResult parseResult) {
      cli.getErr().println("weft: " + message(e));
      cli.getErr().flush();
      // Only argument parsing throws IllegalArgumentException on this side of the admin API.
      return e instanceof IllegalArgumentException ? 2 : 1;
    }

    private static String message(Throwable e) {
      Throwable cause = e instanceof UncheckedIOException ? e.getCause() : e;
      String text = cause.getMessage();
      if (text == null || text.isBlank()) {
        return cause.getClass().getSimpleName();
      }
      // Some JDK exceptions carry only a path or host as message; name the exception then.
      return cause instanceof IOException && !text.contains(" ")
          ? cause.getClass().getSimpleName() + ": " + text : text;
    }
  }
}
