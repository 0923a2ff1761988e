package dev.weft.identity;

import java.io.IOException;
import java.nio.file.Path;

/** The aliases file is damaged; the message names the file and line. */
public final class AliasFileException extends IOException {
  AliasFileException(Path file, int line, String message) {
    super("aliases file " + file + " line " + line + ": " + message);
  }
}
