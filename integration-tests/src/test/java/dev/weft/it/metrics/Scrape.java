package dev.weft.it.metrics;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;

/** One scrape in Prometheus text format, with its samples looked up by name and label pairs. */
record Scrape(String text, List<String> samples) {
  static Scrape parse(byte[] text) {
    return parse(new String(text, StandardCharsets.UTF_8));
  }

  static Scrape parse(String text) {
    return new Scrape(text, text.lines().filter(l -> !l.isEmpty() && !l.startsWith("#")).toList());
  }

  /** True if a sample of {@code name} carries every one of {@code labels} ({@code key="value"}). */
  boolean has(String name, String... labels) {
    return samples.stream().anyMatch(l -> matches(l, name, labels));
  }

  /** The value of the one sample of {@code name} with {@code labels}; fails if none or several. */
  double value(String name, String... labels) {
    List<String> found = samples.stream().filter(l -> matches(l, name, labels)).toList();
    if (found.size() != 1) {
      throw new AssertionError(found.size() + " samples of " + name + " " + Arrays.toString(labels)
          + " in:\n" + text);
    }
    String line = found.get(0);
    return Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
  }

  private static boolean matches(String line, String name, String... labels) {
    int end = line.indexOf('{');
    if (end < 0) {
      end = line.indexOf(' ');
    }
    if (!line.substring(0, end).equals(name)) {
      return false;
    }
    String labelText = line.substring(end, line.lastIndexOf(' '));
    return Arrays.stream(labels).allMatch(label -> labelText.contains(label));
  }
}
