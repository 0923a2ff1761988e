package dev.weft.mux;

/** A peer's request to open a session, as shown to the {@link Acceptor}. */
public record IncomingQuery(SessionId id, String service, byte[] args, long streamId) {}
