package dev.weft.link;

import dev.weft.identity.Identity;

/** What a finished handshake yields: who the peer is, the shared stream id and the two ciphers. */
record HandshakeResult(StreamId id, Identity remote, Transport transport, TransportCipher sender,
    TransportCipher receiver) {}
