package dev.weft.identity;

import java.io.IOException;
import java.nio.file.Path;

/** The node key file could not be created or loaded; the message names the file and the cause. */
public final class KeyFileException extends IOException {
  /** What went wrong, for callers that react differently (e.g. offer to create a missing key). */
  public enum Problem {
    /** Creating a key where one already exists: keys are never overwritten. */
    EXISTS,
    /** No key file in the data directory. */
    MISSING,
    /** The file's mode lets group or others access it. */
    INSECURE_PERMISSIONS,
    /** Truncated, damaged or not a weft key file. */
    CORRUPT,
    /** The file system failed. */
    IO
  }

  private final Problem problem;

  KeyFileException(Problem problem, Path file, String message, Throwable cause) {
    super("key file " + file + ": " + message, cause);
    this.problem = problem;
  }

  KeyFileException(Problem problem, Path file, String message) {
    this(problem, file, message, null);
  }

  public Problem problem() {
    return problem;
  }
}
