package dev.weft.node.admin;

import static io.netty.handler.codec.http.HttpMethod.DELETE;
import static io.netty.handler.codec.http.HttpMethod.GET;
import static io.netty.handler.codec.http.HttpMethod.POST;
import static java.util.concurrent.CompletableFuture.completedFuture;

import dev.weft.identity.Identity;
import dev.weft.mux.Wire;
import dev.weft.node.Expose;
import dev.weft.node.Forward;
import dev.weft.node.HostPort;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;

/** The admin API's routes (documented in docs/admin-api.md), each a plain function over the node. */
final class AdminApi {
  record LinkRequest(Identity peer, String endpoint) {}

  record MigrateRequest(String stream) {}

  record MoveAllRequest(String to) {}

  /** How many sessions a move of every session actually moved. */
  record Moved(int moved) {}

  record ConnectRequest(Identity peer, String service) {}

  record ResetRequest(String reason) {}

  /** What the peer of a session reset by {@code DELETE /sessions/{id}} sees without a reason. */
  static final String DEFAULT_RESET_REASON = "reset by the node's operator";

  private AdminApi() {}

  static Routes routes(NodeControl node) {
    return new Routes()
        .add(GET, "/status", call -> completedFuture(node.status()))
        .add(GET, "/peers", call -> completedFuture(node.peers()))
        .add(POST, "/peers/{peer}/ping", call -> node.ping(Identity.parse(call.param("peer"))))
        .add(GET, "/streams", call -> completedFuture(node.streams()))
        .add(POST, "/streams", call -> {
          LinkRequest link = call.body(LinkRequest.class);
          require(link.peer(), "peer");
          require(link.endpoint(), "endpoint");
          return node.link(link.peer(), link.endpoint());
        })
        .add(DELETE, "/streams/{id}", call -> node.unlink(call.param("id"), call.flag("drain")))
        .add(POST, "/streams/{id}/migrate", call ->
            node.migrateAll(call.param("id"), require(call.body(MoveAllRequest.class).to(), "to"))
                .thenApply(Moved::new))
        .add(GET, "/sessions", call -> completedFuture(node.sessions()))
        .add(GET, "/sessions/{id}", call -> completedFuture(node.session(call.param("id"))))
        .add(DELETE, "/sessions/{id}", call -> {
          node.reset(call.param("id"), resetReason(call));
          return nothing();
        })
        .add(POST, "/sessions/{id}/migrate", call ->
            node.migrate(call.param("id"), require(call.body(MigrateRequest.class).stream(), "stream")))
        .add(GET, "/exposes", call -> completedFuture(node.exposes()))
        .add(POST, "/exposes", call -> {
          Expose expose = call.body(Expose.class);
          node.expose(expose);
          return completedFuture(expose);
        })
        .add(DELETE, "/exposes/{service}", call -> {
          node.unexpose(call.param("service"));
          return nothing();
        })
        .add(GET, "/forwards", call -> completedFuture(node.forwards()))
        .add(POST, "/forwards", call -> node.forward(call.body(Forward.class)))
        .add(DELETE, "/forwards/{port}", call ->
            node.unforward(HostPort.parsePort(call.param("port"))));
  }

  /** From {@code ?reason=}, else a JSON body's {@code reason}, else the default. */
  private static String resetReason(Call call) throws IOException {
    String reason = call.query().containsKey("reason") ? call.query().get("reason").get(0)
        : call.body().length > 0 ? call.body(ResetRequest.class).reason() : null;
    if (reason == null || reason.isBlank()) {
      return DEFAULT_RESET_REASON;
    }
    if (reason.getBytes(StandardCharsets.UTF_8).length > Wire.MAX_MESSAGE) {
      throw new IllegalArgumentException("reason exceeds " + Wire.MAX_MESSAGE + " bytes");
    }
    return reason;
  }

  private static CompletableFuture<Void> nothing() {
    return completedFuture(null);
  }

  static <T> T require(T value, String field) {
    if (value == null) {
      throw new IllegalArgumentException("field '" + field + "' is missing");
    }
    return value;
  }
}
