package dev.weft.node.admin;

import dev.weft.identity.Identity;
import java.time.Instant;

/**
 * One live stream; {@code rttMicros} is the smoothed round trip, -1 before the first ping;
 * {@code state} is {@code attaching} until the peer's mux said Hello, then {@code live}, or
 * {@code suspect} while the peer owes an answer on it and has been silent for several probe
 * timeouts (its sessions moved to another stream, if there is one).
 */
public record StreamInfo(String id, Identity peer, String transport, String local, String remote,
    boolean dialled, Instant opened, long rttMicros, int sessions, String state) {}
