package dev.weft.node;

import dev.weft.identity.Identity;

/**
 * An address a relay reported seeing this node at (docs/protocol.md §26): behind a NAT, the NAT's
 * mapping. One relay's claim, so a candidate for reaching this node, never taken as proven.
 *
 * @param address {@code HOST:PORT} as the relay saw it
 * @param by the relay that reported it, over its authenticated stream
 */
public record ObservedAddress(String address, Identity by) {}
