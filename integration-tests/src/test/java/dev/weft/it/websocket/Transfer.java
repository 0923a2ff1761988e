package dev.weft.it.websocket;

/** How many bytes went one way, and their CRC32C. */
record Transfer(long bytes, long crc) {}
