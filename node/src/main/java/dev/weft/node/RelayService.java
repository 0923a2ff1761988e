package dev.weft.node;

import dev.weft.identity.Identity;
import dev.weft.mux.Session;

/**
 * The {@value RelayRequest#SERVICE} service every node exposes (docs/protocol.md part 4): RESERVE
 * and CONNECT go to the node's {@link Relay} if it relays, and are refused with NOT_A_RELAY if not;
 * INCOMING, a relay announcing a relayed stream, goes to {@link RelayedLinks}.
 */
final class RelayService implements Service {
  /** Null unless the node relays. */
  private final Relay relay;
  private final RelayedLinks links;

  RelayService(Relay relay, RelayedLinks links) {
    this.relay = relay;
    this.links = links;
  }

  @Override
  public void open(Session session, Identity peer) {
    RelayRequest request;
    try {
      request = RelayRequest.decode(session.args());
    } catch (IllegalArgumentException e) {
      answer(session, RelayReply.refused(RelayReply.Code.MALFORMED, e.getMessage()));
      return;
    }
    switch (request.kind()) {
      case INCOMING -> links.incoming(session, peer, request.peer());
      case RESERVE, CONNECT -> {
        if (relay == null) {
          answer(session, RelayReply.refused(RelayReply.Code.NOT_A_RELAY, "this node does not relay"));
        } else if (request.kind() == RelayRequest.Kind.RESERVE) {
          relay.reserve(session, peer);
        } else {
          relay.connect(session, peer, request.peer());
        }
      }
    }
  }

  private static void answer(Session session, RelayReply refusal) {
    session.write(refusal.encode(false));
    session.close();
  }
}
