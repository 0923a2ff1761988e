package dev.weft.node.admin;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.cookie.Cookie;
import io.netty.handler.codec.http.cookie.CookieHeaderNames;
import io.netty.handler.codec.http.cookie.DefaultCookie;
import io.netty.handler.codec.http.cookie.ServerCookieDecoder;
import io.netty.handler.codec.http.cookie.ServerCookieEncoder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The dashboard's way in without the token in a URL: whoever holds the token asks for a one-time,
 * short-lived login code; a browser trades it at {@code /login} for an HttpOnly, SameSite=Strict
 * session cookie. Codes and sessions are kept only as SHA-256 digests (a lookup leaks nothing
 * through timing) and bounded in number: the oldest give way. All of it lives in memory, so a
 * restart logs every browser out.
 */
final class DashboardLogins {
  static final String COOKIE = "weft_dashboard";
  static final Duration CODE_LIFETIME = Duration.ofSeconds(60);
  static final Duration SESSION_LIFETIME = Duration.ofHours(12);
  static final int MAX_CODES = 16;
  static final int MAX_SESSIONS = 32;

  /** What {@code weft dashboard} gets: a code for {@code /login?code=}, good once until {@code expires}. */
  record LoginCode(String code, Instant expires) {}

  private final Clock clock;
  private final Map<String, Instant> codes = new LinkedHashMap<>();
  private final Map<String, Instant> sessions = new LinkedHashMap<>();

  DashboardLogins(Clock clock) {
    this.clock = clock;
  }

  synchronized LoginCode newCode() {
    String code = AdminAccess.newToken();
    Instant expires = clock.instant().plus(CODE_LIFETIME);
    keep(codes, code, expires, MAX_CODES);
    return new LoginCode(code, expires);
  }

  /** A new session's Set-Cookie value, or empty if the code is unknown, used or expired. */
  synchronized Optional<String> redeem(String code) {
    Instant expires = codes.remove(digest(code));
    if (expires == null || !clock.instant().isBefore(expires)) {
      return Optional.empty();
    }
    String session = AdminAccess.newToken();
    keep(sessions, session, clock.instant().plus(SESSION_LIFETIME), MAX_SESSIONS);
    DefaultCookie cookie = new DefaultCookie(COOKIE, session);
    cookie.setHttpOnly(true);
    cookie.setSameSite(CookieHeaderNames.SameSite.Strict);
    cookie.setPath("/");
    cookie.setMaxAge(SESSION_LIFETIME.toSeconds());
    return Optional.of(ServerCookieEncoder.STRICT.encode(cookie));
  }

  /**
   * Whether a browser's request carries a live session cookie and, if it may change anything (any
   * method but GET and HEAD), names the node's own origin: another site's page cannot use it.
   */
  boolean admits(HttpRequest request) {
    String cookie = cookie(request);
    return cookie != null && live(cookie) && (readOnly(request.method()) || sameOrigin(request));
  }

  private static boolean readOnly(HttpMethod method) {
    return method.equals(HttpMethod.GET) || method.equals(HttpMethod.HEAD);
  }

  /** The {@code Origin} is the origin the browser addressed ({@code Host}); browsers set both. */
  static boolean sameOrigin(HttpRequest request) {
    String origin = request.headers().get(HttpHeaderNames.ORIGIN);
    String host = request.headers().get(HttpHeaderNames.HOST);
    return origin != null && host != null && origin.equals("http://" + host);
  }

  private static String cookie(HttpRequest request) {
    String header = request.headers().get(HttpHeaderNames.COOKIE);
    if (header == null) {
      return null;
    }
    for (Cookie c : ServerCookieDecoder.STRICT.decode(header)) {
      if (c.name().equals(COOKIE)) {
        return c.value();
      }
    }
    return null;
  }

  private synchronized boolean live(String session) {
    Instant expires = sessions.get(digest(session));
    return expires != null && clock.instant().isBefore(expires);
  }

  /** Adds {@code secret}, first dropping what expired and, beyond {@code max}, the oldest. */
  private void keep(Map<String, Instant> digests, String secret, Instant expires, int max) {
    Instant now = clock.instant();
    digests.values().removeIf(e -> !now.isBefore(e));
    for (Iterator<String> oldest = digests.keySet().iterator(); digests.size() >= max; ) {
      oldest.next();
      oldest.remove();
    }
    digests.put(digest(secret), expires);
  }

  private static String digest(String secret) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
          .digest(secret.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java runtime has SHA-256", e);
    }
  }
}
