package dev.weft.node;

import dev.weft.identity.Identity;
import dev.weft.mux.Acceptance;
import dev.weft.mux.Acceptor;
import dev.weft.mux.LogLimit;
import dev.weft.mux.Reason;
import java.util.NoSuchElementException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The services this node exposes, and the access check every inbound session goes through. */
final class ExposedServices {
  private static final Logger LOG = LoggerFactory.getLogger(ExposedServices.class);

  private record Exposed(Service service, Access access) {}

  private final ConcurrentMap<String, Exposed> exposed = new ConcurrentHashMap<>();
  private final EventBus events;

  ExposedServices(EventBus events) {
    this.events = events;
  }

  void add(String name, Service service, Access access) {
    ServiceName.check(name);
    if (exposed.putIfAbsent(name, new Exposed(service, access)) != null) {
      throw new IllegalStateException("service " + name + " is already exposed");
    }
  }

  void remove(String name) {
    if (exposed.remove(name) == null) {
      throw new NoSuchElementException("no service " + name + " is exposed");
    }
  }

  int size() {
    return exposed.size();
  }

  /** Decides the sessions {@code peer} opens: unknown services and refused peers are rejected. */
  Acceptor acceptorFor(Identity peer) {
    LogLimit logLimit = new LogLimit(System::nanoTime); // runs on the peer's table executor, like the acceptor
    return query -> {
      Exposed target = exposed.get(query.service());
      if (target == null) {
        return reject(peer, query.service(), Reason.NO_SUCH_SERVICE, "no such service", logLimit);
      }
      String refusal = target.access().refusal(peer);
      if (refusal != null) {
        return reject(peer, query.service(), Reason.ACCESS_DENIED, refusal, logLimit);
      }
      return Acceptance.accept(session -> target.service().open(session, peer));
    };
  }

  private Acceptance reject(Identity peer, String service, Reason reason, String why, LogLimit logLimit) {
    if (logLimit.allow(LOG)) {
      LOG.info("refused session from {} to {}: {}", peer.shortText(), service, why);
    }
    events.publish(new Event.SessionRejected(events.clock().instant(), peer, service, why));
    return Acceptance.reject(reason);
  }
}
