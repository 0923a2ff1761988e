package dev.weft.node.admin;

import io.netty.handler.codec.http.HttpMethod;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionStage;

/** Method + path pattern ({@code /sessions/{id}/migrate}) → handler. */
final class Routes {
  /** A handler answers with a value to send as JSON, or null for 204 No Content. */
  @FunctionalInterface
  interface Handler {
    CompletionStage<?> handle(Call call) throws Exception;
  }

  private record Route(HttpMethod method, List<String> segments, Handler handler) {}

  /** The outcome of looking a request up. */
  sealed interface Match {}

  record Found(Handler handler, Map<String, String> params) implements Match {}

  record WrongMethod(List<HttpMethod> allowed) implements Match {}

  record NotFound() implements Match {}

  private final List<Route> routes = new ArrayList<>();

  Routes add(HttpMethod method, String pattern, Handler handler) {
    routes.add(new Route(method, split(pattern), handler));
    return this;
  }

  Match match(HttpMethod method, String path) {
    List<String> segments = split(path);
    List<HttpMethod> allowed = new ArrayList<>();
    for (Route route : routes) {
      Map<String, String> params = bind(route.segments(), segments);
      if (params == null) {
        continue;
      }
      if (route.method().equals(method)) {
        return new Found(route.handler(), params);
      }
      allowed.add(route.method());
    }
    return allowed.isEmpty() ? new NotFound() : new WrongMethod(allowed);
  }

  private static Map<String, String> bind(List<String> pattern, List<String> path) {
    if (pattern.size() != path.size()) {
      return null;
    }
    Map<String, String> params = new HashMap<>();
    for (int i = 0; i < pattern.size(); i++) {
      String p = pattern.get(i);
      if (p.startsWith("{") && p.endsWith("}")) {
        params.put(p.substring(1, p.length() - 1), path.get(i));
      } else if (!p.equals(path.get(i))) {
        return null;
      }
    }
    return params;
  }

  private static List<String> split(String path) {
    List<String> out = new ArrayList<>();
    for (String s : path.split("/")) {
      if (!s.isEmpty()) {
        out.add(s);
      }
    }
    return out;
  }
}
