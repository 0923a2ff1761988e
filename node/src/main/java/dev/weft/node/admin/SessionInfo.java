package dev.weft.node.admin;

import dev.weft.identity.Identity;
import java.time.Instant;

/** One session and the stream that carries it now; {@code migrations} counts its moves. */
public record SessionInfo(String id, Identity peer, String service, String stream, String state,
    boolean inbound, Instant opened, long bytesIn, long bytesOut, int migrations) {}
