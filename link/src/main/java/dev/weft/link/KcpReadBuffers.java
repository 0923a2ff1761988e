package dev.weft.link;

import java.lang.reflect.Field;
import java.util.List;

/**
 * The one hook on kcp-netty 1.5.2's datagram path: its channels read datagrams into a list held by
 * their {@code Unsafe} and only then hand them to KCP (the listener creating a conversation for a
 * new source on the way), with no handler in between. Replacing that list, reached by reflection
 * as {@link KcpCloseWaits} reaches kcp-netty's maps, puts a filter where each datagram arrives.
 * The field is final, which newer JDKs warn about (JEP 500); a kcp-netty without it fails here, at
 * listen or dial time, instead of running unprotected.
 */
final class KcpReadBuffers {
  private KcpReadBuffers() {}

  /** Makes {@code unsafe} read its datagrams into {@code filter}. */
  static void replace(Object unsafe, List<Object> filter) {
    try {
      Field field = unsafe.getClass().getDeclaredField("readBuf");
      field.setAccessible(true);
      if (!((List<?>) field.get(unsafe)).isEmpty()) {
        throw new IllegalStateException("kcp-netty's read buffer is in use");
      }
      field.set(unsafe, filter);
    } catch (ReflectiveOperationException | RuntimeException e) {
      throw new IllegalStateException("cannot filter kcp-netty's datagrams (kcp-netty 1.5.2 expected)", e);
    }
  }
}
