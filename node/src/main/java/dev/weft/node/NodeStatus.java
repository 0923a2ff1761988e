package dev.weft.node;

import dev.weft.identity.Identity;
import dev.weft.link.CookieStats;
import dev.weft.link.RekeyStats;
import java.time.Instant;
import java.util.List;

/**
 * A node at a glance.
 *
 * @param cookies what the KCP listeners did with datagrams from new sources since the start
 * @param rekeys transport keys changed since the start, over all streams
 * @param observed addresses this node's relays see it at (candidates, not proven)
 */
public record NodeStatus(Identity identity, String version, Instant started, List<String> listeners,
    int peers, int streams, int sessions, int exposes, int forwards, long eventsDropped,
    List<LimitUsage> limits, CookieStats cookies, RekeyStats rekeys, List<ObservedAddress> observed) {}
