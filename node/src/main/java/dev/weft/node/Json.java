package dev.weft.node;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonDeserializer;
import com.fasterxml.jackson.databind.JsonSerializer;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import dev.weft.identity.Identity;
import java.io.IOException;

/** The one Jackson configuration for events, admin API bodies and the data directory's files. */
public final class Json {
  private static final ObjectMapper MAPPER = create();

  private Json() {}

  /** Shared, thread-safe mapper: ISO-8601 instants, identities as hex text, unknown fields refused. */
  public static ObjectMapper mapper() {
    return MAPPER;
  }

  private static ObjectMapper create() {
    SimpleModule weft = new SimpleModule("weft");
    weft.addSerializer(Identity.class, new JsonSerializer<>() {
      @Override
      public void serialize(Identity value, JsonGenerator gen, SerializerProvider provider)
          throws IOException {
        gen.writeString(value.toString());
      }
    });
    weft.addDeserializer(Identity.class, new JsonDeserializer<>() {
      @Override
      public Identity deserialize(JsonParser p, DeserializationContext ctx) throws IOException {
        try {
          return Identity.parse(p.getValueAsString());
        } catch (IllegalArgumentException e) {
          return (Identity) ctx.handleWeirdStringValue(Identity.class, p.getText(), e.getMessage());
        }
      }
    });
    return new ObjectMapper()
        .registerModule(new JavaTimeModule())
        .registerModule(weft)
        .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
        .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);
  }
}
