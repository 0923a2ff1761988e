package dev.weft.cli;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.jr.ob.JSON;
import com.fasterxml.jackson.jr.ob.api.ReaderWriterProvider;
import com.fasterxml.jackson.jr.ob.api.ValueReader;
import com.fasterxml.jackson.jr.ob.impl.JSONReader;
import dev.weft.identity.Identity;
import dev.weft.node.HostPort;
import java.io.IOException;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * Reads the admin API's answers with jackson-jr instead of the node's databind mapper: a one-shot
 * command loads a few dozen Jackson classes instead of hundreds and skips building an ObjectMapper
 * (about 200 ms of a cold JVM; docs/benchmarks.md, "CLI startup"). Values the node writes as text
 * (identities, instants, addresses) are read back into their types.
 */
final class AdminJson {
  private static final JSON READER = JSON.std.with(new WeftTypes());
  private static final JSON PRETTY = JSON.std.with(JSON.Feature.PRETTY_PRINT_OUTPUT);

  private AdminJson() {}

  static <T> T read(Class<T> type, byte[] json) {
    try {
      return READER.beanFrom(type, json);
    } catch (IOException | RuntimeException e) {
      throw malformed(e);
    }
  }

  static <T> List<T> list(Class<T> type, byte[] json) {
    try {
      return READER.listOfFrom(type, json);
    } catch (IOException | RuntimeException e) {
      throw malformed(e);
    }
  }

  /** A JSON object as a map (nested values as maps, lists, strings, numbers, booleans). */
  static Map<String, Object> object(byte[] json) {
    try {
      return READER.mapFrom(json);
    } catch (IOException | RuntimeException e) {
      throw malformed(e);
    }
  }

  /** Any JSON value as maps, lists, strings, numbers and booleans. */
  static Object tree(byte[] json) {
    try {
      return READER.anyFrom(json);
    } catch (IOException | RuntimeException e) {
      throw malformed(e);
    }
  }

  /** The answer indented for people, as {@code --json} prints it. */
  static String pretty(byte[] json) {
    try {
      return PRETTY.asString(tree(json));
    } catch (IOException e) {
      throw malformed(e);
    }
  }

  private static Failure malformed(Exception e) {
    return new Failure("the node answered with malformed JSON: " + e.getMessage());
  }

  /** Identities, instants and HOST:PORT addresses, which the node writes as strings. */
  private static final class WeftTypes extends ReaderWriterProvider {
    @Override
    public ValueReader findValueReader(JSONReader context, Class<?> type) {
      if (type == Identity.class) {
        return new TextReader(type, Identity::parse);
      }
      if (type == Instant.class) {
        return new TextReader(type, Instant::parse);
      }
      if (type == HostPort.class) {
        return new TextReader(type, HostPort::parse);
      }
      return null;
    }
  }

  private static final class TextReader extends ValueReader {
    private final Function<String, ?> parse;

    TextReader(Class<?> type, Function<String, ?> parse) {
      super(type);
      this.parse = parse;
    }

    @Override
    public Object read(JSONReader reader, JsonParser parser) throws IOException {
      String text = parser.getValueAsString();
      return text == null ? null : parse.apply(text);
    }
  }
}
