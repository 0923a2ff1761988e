package dev.weft.node;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JavaType;
import dev.weft.identity.AtomicFile;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;

/** A list of records kept as one JSON file in the data directory, always rewritten atomically. */
final class RecordFile<T> {
  private final Path file;
  private final JavaType type;

  RecordFile(Path file, Class<T> element) {
    this.file = file;
    this.type = Json.mapper().getTypeFactory().constructCollectionType(List.class, element);
  }

  /** The saved list; empty if the file does not exist yet. A damaged file is an error naming it. */
  List<T> load() throws IOException {
    try {
      List<T> items = Json.mapper().readValue(Files.readAllBytes(file), type);
      return items == null ? List.of() : List.copyOf(items);
    } catch (NoSuchFileException e) {
      return List.of();
    } catch (JsonProcessingException e) {
      throw new IOException(file + " is damaged: " + e.getOriginalMessage(), e);
    }
  }

  void save(List<T> items) throws IOException {
    AtomicFile.write(file, Json.mapper().writerWithDefaultPrettyPrinter().writeValueAsBytes(items),
        AtomicFile.OWNER_ONLY);
  }
}
