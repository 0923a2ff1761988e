package dev.weft.link;

/** How a stream's bytes travel. */
public enum Transport {
  /** TCP (native epoll where available). */
  TCP("tcp"),
  /** KCP over UDP, in stream mode. */
  KCP("kcp");

  private final String scheme;

  Transport(String scheme) {
    this.scheme = scheme;
  }

  /** The endpoint prefix: {@code tcp} or {@code kcp}. */
  public String scheme() {
    return scheme;
  }

  static Transport ofScheme(String scheme) {
    for (Transport t : values()) {
      if (t.scheme.equals(scheme)) {
        return t;
      }
    }
    throw new IllegalArgumentException("unknown transport '" + scheme + "' (expected tcp or kcp)");
  }
}
