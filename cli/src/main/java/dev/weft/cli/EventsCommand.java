package dev.weft.cli;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "events", description = "Follow the node's events until interrupted.")
final class EventsCommand extends WeftCommand {
  @Option(names = "--json", description = "One JSON object per line.")
  boolean json;

  @Override
  public void run() {
    PrintWriter out = out();
    try (BufferedReader lines = new BufferedReader(
        new InputStreamReader(admin().events(), StandardCharsets.UTF_8))) {
      String line;
      while ((line = lines.readLine()) != null) {
        if (line.startsWith("data: ")) {
          String data = line.substring("data: ".length());
          out.println(json ? data : describe(AdminJson.object(data.getBytes(StandardCharsets.UTF_8))));
          out.flush();
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    throw new Failure("the node stopped");
  }

  /** {@code 12:01:02.345 stream-closed  stream=… peer=… reason=…}. */
  private static String describe(Map<String, Object> event) {
    StringBuilder line = new StringBuilder();
    String at = String.valueOf(event.getOrDefault("at", ""));
    line.append(at.length() >= 23 ? at.substring(11, 23) : at).append(' ')
        .append(String.format("%-18s", event.getOrDefault("type", "")));
    event.forEach((name, value) -> {
      if (!name.equals("type") && !name.equals("at")) {
        line.append(' ').append(name).append('=').append(value);
      }
    });
    return line.toString();
  }
}
