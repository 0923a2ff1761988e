package dev.weft.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.weft.node.Json;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Iterator;
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
          out.println(json ? data : describe(Json.mapper().readTree(data)));
          out.flush();
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    throw new Failure("the node stopped");
  }

  /** {@code 12:01:02.345 stream-closed  stream=… peer=… reason=…}. */
  private String describe(JsonNode event) {
    StringBuilder line = new StringBuilder();
    String at = event.path("at").asText();
    line.append(at.length() >= 23 ? at.substring(11, 23) : at).append(' ')
        .append(String.format("%-18s", event.path("type").asText()));
    for (Iterator<Map.Entry<String, JsonNode>> it = event.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> field = it.next();
      if (!field.getKey().equals("type") && !field.getKey().equals("at")) {
        line.append(' ').append(field.getKey()).append('=').append(field.getValue().asText());
      }
    }
    return line.toString();
  }
}
