package dev.weft.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import dev.weft.node.Json;
import dev.weft.node.admin.AdminAccess;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;

/** Calls the admin API of the node that runs on a data directory. */
final class AdminClient {
  /** Operations that wait on the network (link, migrate, ping) may take this long. */
  private static final Duration TIMEOUT = Duration.ofSeconds(60);
  private final Path dataDir;
  private final AdminAccess access;
  private final HttpClient http;

  private AdminClient(Path dataDir, AdminAccess access) {
    this.dataDir = dataDir;
    this.access = access;
    this.http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  }

  static AdminClient forDataDir(Path dataDir) {
    try {
      return AdminAccess.read(dataDir).map(access -> new AdminClient(dataDir, access))
          .orElseThrow(() -> notRunning(dataDir));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static Failure notRunning(Path dataDir) {
    return new Failure("no node is running for " + dataDir);
  }

  AdminAccess access() {
    return access;
  }

  JsonNode get(String path) {
    return send(request(path).GET());
  }

  JsonNode post(String path, Object body) {
    return send(request(path).POST(json(body)));
  }

  JsonNode delete(String path) {
    return send(request(path).DELETE());
  }

  /** The raw event stream (server-sent events), until the node stops or the caller closes it. */
  InputStream events() {
    HttpResponse<InputStream> response = exchange(request("/events").timeout(Duration.ofDays(3650)).GET(),
        HttpResponse.BodyHandlers.ofInputStream());
    if (response.statusCode() != 200) {
      try (InputStream body = response.body()) {
        throw failure(response.statusCode(), new String(body.readAllBytes()));
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    return response.body();
  }

  private HttpRequest.Builder request(String path) {
    return HttpRequest.newBuilder(URI.create(access.baseUri() + path))
        .timeout(TIMEOUT)
        .header("Authorization", "Bearer " + access.token())
        .header("Content-Type", "application/json");
  }

  private static HttpRequest.BodyPublisher json(Object body) {
    try {
      return HttpRequest.BodyPublishers.ofByteArray(Json.mapper().writeValueAsBytes(body));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  private JsonNode send(HttpRequest.Builder request) {
    HttpResponse<String> response = exchange(request, HttpResponse.BodyHandlers.ofString());
    if (response.statusCode() / 100 != 2) {
      throw failure(response.statusCode(), response.body());
    }
    try {
      return response.body().isEmpty() ? Json.mapper().nullNode()
          : Json.mapper().readTree(response.body());
    } catch (JsonProcessingException e) {
      throw new Failure("the node answered with malformed JSON: " + e.getOriginalMessage());
    }
  }

  private <T> HttpResponse<T> exchange(HttpRequest.Builder request,
      HttpResponse.BodyHandler<T> handler) {
    try {
      return http.send(request.build(), handler);
    } catch (ConnectException e) {
      throw notRunning(dataDir);
    } catch (IOException e) {
      throw new Failure("admin API at " + access.baseUri() + " failed: " + e.getMessage());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new Failure("interrupted");
    }
  }

  private static Failure failure(int status, String body) {
    try {
      JsonNode error = Json.mapper().readTree(body).path("error");
      if (error.isTextual()) {
        return new Failure(error.asText());
      }
    } catch (JsonProcessingException e) {
      // not JSON: fall through to the status line
    }
    return new Failure("admin API answered HTTP " + status);
  }
}
