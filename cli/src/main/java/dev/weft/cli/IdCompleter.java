package dev.weft.cli;

import dev.weft.identity.Aliases;
import dev.weft.node.admin.PeerInfo;
import dev.weft.node.admin.SessionInfo;
import dev.weft.node.admin.StreamInfo;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.jline.reader.Candidate;
import org.jline.reader.Completer;
import org.jline.reader.LineReader;
import org.jline.reader.ParsedLine;

/**
 * Completes arguments with the aliases of the data directory and the peer, stream and session ids
 * of its running node, fetched again when older than {@link #FRESH_MS}. Commands and options are
 * picocli's completer's.
 */
final class IdCompleter implements Completer {
  private static final long FRESH_MS = 2_000;

  private final Path dataDir;
  private List<Candidate> cached = List.of();
  private long fetchedAt;

  IdCompleter(Path dataDir) {
    this.dataDir = dataDir;
  }

  @Override
  public void complete(LineReader reader, ParsedLine line, List<Candidate> candidates) {
    if (line.wordIndex() == 0 || line.word().startsWith("-")) {
      return;
    }
    long now = System.currentTimeMillis();
    if (now - fetchedAt > FRESH_MS) {
      cached = fetch();
      fetchedAt = now;
    }
    candidates.addAll(cached);
  }

  private List<Candidate> fetch() {
    List<Candidate> ids = new ArrayList<>();
    try {
      Aliases.load(dataDir).all().keySet().forEach(name -> ids.add(candidate(name, "aliases")));
    } catch (IOException | RuntimeException e) {
      // no aliases file, or a broken one: `weft alias ls` says what is wrong
    }
    try {
      AdminClient admin = AdminClient.forDataDir(dataDir);
      AdminJson.list(PeerInfo.class, admin.get("/peers"))
          .forEach(p -> ids.add(candidate(p.peer().toString(), "peers")));
      AdminJson.list(StreamInfo.class, admin.get("/streams"))
          .forEach(s -> ids.add(candidate(s.id(), "streams")));
      AdminJson.list(SessionInfo.class, admin.get("/sessions"))
          .forEach(s -> ids.add(candidate(s.id(), "sessions")));
    } catch (Failure | UncheckedIOException e) {
      // no node runs: only the aliases
    }
    return ids;
  }

  private static Candidate candidate(String value, String group) {
    return new Candidate(value, value, group, null, null, null, true);
  }
}
