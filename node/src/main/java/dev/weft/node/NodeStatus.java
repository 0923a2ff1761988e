package dev.weft.node;

import dev.weft.identity.Identity;
import java.time.Instant;
import java.util.List;

/** A node at a glance. */
public record NodeStatus(Identity identity, String version, Instant started, List<String> listeners,
    int peers, int streams, int sessions, int exposes, int forwards, long eventsDropped,
    List<LimitUsage> limits) {}
