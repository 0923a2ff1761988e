package dev.weft.node.admin;

import dev.weft.identity.Identity;
import java.time.Instant;

/**
 * One session and the stream that carries it now; {@code migrations} counts its moves.
 * {@code queued} is what this node holds of the bytes written to the session and not yet
 * consumed by the peer: at most the peer's window plus one write while backpressure holds.
 */
public record SessionInfo(String id, Identity peer, String service, String stream, String state,
    boolean inbound, Instant opened, long ageMillis, long bytesIn, long bytesOut, long queued,
    int migrations) {}
