package dev.weft.it.netns;

import dev.weft.identity.NodeKey;
import dev.weft.link.CookieStats;
import dev.weft.link.Endpoint;
import dev.weft.link.Linker;
import dev.weft.link.Listener;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A KCP listener to run inside a namespace ({@link Namespace#startJava}): {@code CookieListener
 * HOST} prints "ready IDENTITY PORT" once bound, then answers each line read with
 * "stats STARTED VERIFIED UNVERIFIED REPLIES REPLY_BYTES ANSWERED_BYTES LINKS".
 */
public final class CookieListener {
  private CookieListener() {}

  public static void main(String[] args) throws Exception {
    AtomicInteger links = new AtomicInteger();
    try (Linker linker = Linker.builder(NodeKey.generate()).onStream(stream -> links.incrementAndGet()).build()) {
      Listener listener = linker.listen(Endpoint.parse("kcp:" + args[0] + ":0")).get(30, TimeUnit.SECONDS);
      System.out.println("ready " + linker.identity() + " " + listener.endpoint().port());
      System.out.flush();
      BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
      while (in.readLine() != null) {
        CookieStats s = linker.cookieStats();
        System.out.println("stats " + s.started() + " " + s.verified() + " " + s.unverified() + " " + s.replies()
            + " " + s.replyBytes() + " " + s.answeredBytes() + " " + links.get());
        System.out.flush();
      }
    }
  }
}
