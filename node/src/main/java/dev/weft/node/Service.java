package dev.weft.node;

import dev.weft.identity.Identity;
import dev.weft.mux.Session;

/**
 * What an exposed service does with each session a peer opens to it. Called on the peer's
 * executor before any data is delivered: install a handler (or take the blocking streams to
 * another thread) and return at once.
 */
@FunctionalInterface
public interface Service {
  void open(Session session, Identity peer);
}
