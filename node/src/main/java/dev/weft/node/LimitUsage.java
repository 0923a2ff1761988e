package dev.weft.node;

/**
 * One limit as {@code weft status} shows it: how much is in use now against the maximum. For the
 * handshake rate, {@code used} counts the source addresses over their rate right now and
 * {@code limit} is the rate per second.
 */
public record LimitUsage(String name, long used, long limit) {}
