package dev.weft.node;

import dev.weft.identity.Identity;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Where this node's relays last said they see it (docs/protocol.md §26), one address per relay:
 * candidates for reaching this node, each one relay's claim, never taken as proven.
 */
final class ObservedAddresses {
  private final Map<Identity, InetSocketAddress> byRelay = new ConcurrentHashMap<>();
  private final EventBus events;

  ObservedAddresses(EventBus events) {
    this.events = events;
  }

  /** {@code relay} reports seeing this node at {@code address}: an event if that is news. */
  void report(Identity relay, InetSocketAddress address) {
    if (!address.equals(byRelay.put(relay, address))) {
      events.publish(new Event.AddressObserved(events.clock().instant(), relay, text(address)));
    }
  }

  /** {@code relay}'s report no longer holds (its reservation is lost, or it knows no address). */
  void forget(Identity relay) {
    byRelay.remove(relay);
  }

  /** The distinct IP addresses relays see this node at: its hole-punching candidates' hosts. */
  List<InetAddress> ips() {
    return byRelay.values().stream().map(InetSocketAddress::getAddress).distinct().toList();
  }

  List<ObservedAddress> all() {
    return byRelay.entrySet().stream().map(e -> new ObservedAddress(text(e.getValue()), e.getKey())).toList();
  }

  private static String text(InetSocketAddress address) {
    return address.getAddress().getHostAddress() + ":" + address.getPort();
  }
}
