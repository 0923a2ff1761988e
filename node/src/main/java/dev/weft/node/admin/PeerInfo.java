package dev.weft.node.admin;

import dev.weft.identity.Identity;
import java.time.Instant;
import java.util.List;

/** A linked peer: how many streams and sessions it has, and where it was last reached. */
public record PeerInfo(Identity peer, int streams, int sessions, Instant linkedSince,
    List<String> endpoints) {}
