package dev.weft.it.netns;

import dev.weft.identity.Identity;
import dev.weft.identity.NodeKey;
import dev.weft.link.Endpoint;
import dev.weft.link.Linker;
import dev.weft.link.Stream;
import java.util.concurrent.TimeUnit;

/**
 * A KCP dialer to run inside a namespace: {@code CookieDialer ENDPOINT IDENTITY} links once and
 * prints "linked MILLIS" (from dial to ACCEPT), or "failed REASON".
 */
public final class CookieDialer {
  private CookieDialer() {}

  public static void main(String[] args) {
    try (Linker linker = Linker.builder(NodeKey.generate()).build()) {
      long start = System.nanoTime();
      Stream stream = linker.dial(Endpoint.parse(args[0]), Identity.parse(args[1])).get(30, TimeUnit.SECONDS);
      System.out.println("linked " + TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start));
      stream.close("done");
    } catch (Exception e) {
      System.out.println("failed " + e);
    }
    System.out.flush();
  }
}
