package dev.weft.link;

/**
 * How a handshake ended, in the few kinds an operator counts: every {@link HandshakeException}
 * says which failure it is ({@link HandshakeException#outcome()}).
 */
public enum HandshakeOutcome {
  /** The link was established. */
  ACCEPTED,
  /** This node's access policy (or its streams-per-peer limit) refused the proven peer. */
  REFUSED_HERE,
  /** Refused before any handshake work: the source was over its rate, or too many were pending. */
  NOT_ADMITTED,
  /** The other end proved its identity, then refused this node. */
  REFUSED_BY_PEER,
  /** The dialled endpoint proved another identity than the one asked for. */
  WRONG_IDENTITY,
  /** Anything else: timeout, malformed or unauthentic message, connection lost or not made. */
  FAILED
}
