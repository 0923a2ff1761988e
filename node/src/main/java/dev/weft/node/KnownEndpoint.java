package dev.weft.node;

import dev.weft.identity.Identity;

/** Where a peer was reached with {@code link}: tried again when a session needs a stream. */
public record KnownEndpoint(Identity peer, String endpoint) {}
