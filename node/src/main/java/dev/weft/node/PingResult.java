package dev.weft.node;

/** The round trip measured on one stream. */
public record PingResult(String stream, String transport, long rttMicros) {}
