package dev.weft.node.admin;

/** The round trip of one Ping on one stream; {@code rttMicros} is -1 if no Pong came in time. */
public record PingResult(String stream, String transport, long rttMicros) {}
