package dev.weft.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import dev.weft.node.Json;
import dev.weft.node.admin.AdminAccess;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.ConnectException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Map;

/**
 * Calls the admin API of the node that runs on a data directory. Answers are JSON bytes, read with
 * {@link AdminJson}; request bodies are written with the node's own mapper, which only the
 * commands that send one load.
 */
final class AdminClient {
  /** Operations that wait on the network (link, migrate, ping) may take this long. */
  private static final int TIMEOUT_MS = 60_000;
  /** A listing of every session of a full node is a few MiB; more is not a weft node talking. */
  static final int MAX_ANSWER = 64 * 1024 * 1024;

  private final Path dataDir;
  private final AdminAccess access;
  private final LoopbackHttp http;

  private AdminClient(Path dataDir, AdminAccess access) {
    this.dataDir = dataDir;
    this.access = access;
    this.http = new LoopbackHttp(access.host(), access.port());
  }

  static AdminClient forDataDir(Path dataDir) {
    Path file = AdminAccess.path(dataDir);
    byte[] json;
    try {
      json = Files.readAllBytes(file);
    } catch (NoSuchFileException e) {
      throw notRunning(dataDir);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    try {
      return new AdminClient(dataDir, AdminJson.read(AdminAccess.class, json));
    } catch (Failure e) {
      throw new Failure(file + " is corrupt: " + e.getMessage());
    }
  }

  static Failure notRunning(Path dataDir) {
    return new Failure("no node is running for " + dataDir);
  }

  AdminAccess access() {
    return access;
  }

  byte[] get(String path) {
    return send("GET", path, null);
  }

  byte[] post(String path, Object body) {
    return send("POST", path, json(body));
  }

  byte[] delete(String path) {
    return send("DELETE", path, null);
  }

  /** The raw event stream (server-sent events), until the node stops or the caller closes it. */
  InputStream events() {
    LoopbackHttp.Response response = exchange("GET", "/events", null, 0);
    if (response.status() != 200) {
      throw failure(response);
    }
    return response.body();
  }

  private byte[] send(String method, String path, byte[] body) {
    LoopbackHttp.Response response = exchange(method, path, body, TIMEOUT_MS);
    if (response.status() / 100 != 2) {
      throw failure(response);
    }
    try {
      return response.bytes(MAX_ANSWER);
    } catch (IOException e) {
      throw broken(e);
    }
  }

  private LoopbackHttp.Response exchange(String method, String path, byte[] body, int timeoutMs) {
    try {
      return http.exchange(method, path, access.token(), body, timeoutMs);
    } catch (ConnectException e) {
      throw notRunning(dataDir);
    } catch (IOException e) {
      throw broken(e);
    }
  }

  private Failure broken(IOException e) {
    return new Failure("admin API at " + access.baseUri() + " failed: " + e.getMessage());
  }

  /** The node's {@code {"error": "..."}} message, else the status. */
  private Failure failure(LoopbackHttp.Response response) {
    String fallback = "admin API answered HTTP " + response.status();
    try {
      Object error = AdminJson.tree(response.bytes(MAX_ANSWER)) instanceof Map<?, ?> map
          ? map.get("error") : null;
      return new Failure(error instanceof String text ? text : fallback);
    } catch (IOException | Failure e) {
      return new Failure(fallback);
    }
  }

  private static byte[] json(Object body) {
    if (body == null) {
      return new byte[0];
    }
    try {
      return Json.mapper().writeValueAsBytes(body);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }
}
