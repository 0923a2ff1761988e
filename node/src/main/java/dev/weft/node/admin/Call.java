package dev.weft.node.admin;

import dev.weft.node.Json;
import java.io.IOException;
import java.util.List;
import java.util.Map;

/** One admin request as a handler sees it: path parameters, query and the JSON body. */
record Call(Map<String, String> params, Map<String, List<String>> query, byte[] body) {
  String param(String name) {
    return params.get(name);
  }

  /** True if the query has {@code name} set to "true" or given without a value. */
  boolean flag(String name) {
    List<String> values = query.get(name);
    if (values == null) {
      return false;
    }
    String value = values.get(values.size() - 1);
    if (value.isEmpty() || value.equals("true")) {
      return true;
    }
    if (value.equals("false")) {
      return false;
    }
    throw new IllegalArgumentException("query parameter " + name + " must be true or false");
  }

  /** The body read as {@code type}; a missing or malformed body is a 400. */
  <T> T body(Class<T> type) throws IOException {
    if (body.length == 0) {
      throw new IllegalArgumentException("this request needs a JSON body");
    }
    T value = Json.mapper().readValue(body, type);
    if (value == null) {
      throw new IllegalArgumentException("the JSON body must be an object, not null");
    }
    return value;
  }
}
