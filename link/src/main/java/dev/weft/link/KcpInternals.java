package dev.weft.link;

import java.lang.reflect.Field;

/** kcp-netty's private fields, which weft's KCP workarounds and tuning reach by reflection. */
final class KcpInternals {
  private KcpInternals() {}

  /** {@code owner}'s declared field {@code name}, made accessible. */
  static Field field(Class<?> owner, String name) throws NoSuchFieldException {
    Field field = owner.getDeclaredField(name);
    field.setAccessible(true);
    return field;
  }
}
