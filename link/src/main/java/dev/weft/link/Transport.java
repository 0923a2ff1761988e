package dev.weft.link;

/** How a stream's bytes travel. */
public enum Transport {
  /** TCP (native epoll where available). */
  TCP("tcp"),
  /** KCP over UDP, in stream mode. */
  KCP("kcp"),
  /**
   * A session through a relay node, itself carried by a TCP or KCP stream to the relay: only a
   * stream's transport, never a listener's or a dialled endpoint's (see {@link Endpoint#relay()}).
   */
  RELAY("relay");

  private final String scheme;

  Transport(String scheme) {
    this.scheme = scheme;
  }

  /** The endpoint prefix: {@code tcp}, {@code kcp} or {@code relay}. */
  public String scheme() {
    return scheme;
  }

  /** The transport a socket endpoint names: {@code tcp} or {@code kcp}. */
  static Transport ofScheme(String scheme) {
    for (Transport t : values()) {
      if (t != RELAY && t.scheme.equals(scheme)) {
        return t;
      }
    }
    throw new IllegalArgumentException("unknown transport '" + scheme + "' (expected tcp or kcp)");
  }
}
