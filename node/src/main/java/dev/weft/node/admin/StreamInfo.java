package dev.weft.node.admin;

import dev.weft.identity.Identity;
import java.time.Instant;

/** One live stream; {@code rttMicros} is the smoothed round trip, -1 before the first ping. */
public record StreamInfo(String id, Identity peer, String transport, String local, String remote,
    boolean dialled, Instant opened, long rttMicros, int sessions) {}
