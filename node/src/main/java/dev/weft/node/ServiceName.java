package dev.weft.node;

import java.util.regex.Pattern;

/** Service names are short, lowercase and safe in URLs, file names and shell arguments. */
public final class ServiceName {
  private static final Pattern VALID = Pattern.compile("[a-z0-9][a-z0-9._-]{0,63}");

  private ServiceName() {}

  /** Throws with a readable reason unless {@code name} is a valid service name. */
  public static String check(String name) {
    if (name == null || !VALID.matcher(name).matches()) {
      throw new IllegalArgumentException("invalid service name '" + name
          + "': use 1-64 of a-z 0-9 . _ - starting with a letter or digit");
    }
    return name;
  }
}
