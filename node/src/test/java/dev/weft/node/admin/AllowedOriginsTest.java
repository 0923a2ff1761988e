package dev.weft.node.admin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetSocketAddress;
import java.util.Set;
import org.junit.jupiter.api.Test;

class AllowedOriginsTest {
  private static final InetSocketAddress LOOPBACK = new InetSocketAddress("127.0.0.1", 7412);
  private final AllowedOrigins origins =
      new AllowedOrigins(Set.of(AllowedOrigins.normalize("https://Dash.Example:443/")));

  @Test
  void originsAreNormalizedAsBrowsersSendThem() {
    assertEquals("https://dash.example", AllowedOrigins.normalize("https://Dash.Example:443/"));
    assertEquals("http://10.0.0.2:8080", AllowedOrigins.normalize("HTTP://10.0.0.2:8080"));
    assertEquals("http://[::1]:7412", AllowedOrigins.normalize("http://[::1]:7412"));
    for (String bad : new String[] {"dash.example", "ftp://dash.example", "https://dash.example/app",
        "https://user@dash.example", "https://dash.example?x=1", "null", "https://"}) {
      assertThrows(IllegalArgumentException.class, () -> AllowedOrigins.normalize(bad), bad);
    }
  }

  @Test
  void theListenersOwnOriginAndListedOnesAreAllowed() {
    assertTrue(origins.allows("http://127.0.0.1:7412", LOOPBACK));
    assertTrue(origins.allows("http://localhost:7412", LOOPBACK));
    assertTrue(origins.allows("https://dash.example", LOOPBACK));
    assertTrue(new AllowedOrigins(Set.of()).allows("http://[::1]:7412",
        new InetSocketAddress("::1", 7412)));
  }

  @Test
  void anyOtherOriginIsRefused() {
    assertFalse(origins.allows("http://127.0.0.1:7413", LOOPBACK), "another port");
    assertFalse(origins.allows("https://127.0.0.1:7412", LOOPBACK), "another scheme");
    assertFalse(origins.allows("http://evil.example:7412", LOOPBACK), "a name is never resolved");
    assertFalse(origins.allows("https://dash.example:8443", LOOPBACK));
    assertFalse(origins.allows("null", LOOPBACK));
    assertFalse(origins.allows("http://localhost:7412", new InetSocketAddress("10.0.0.2", 7412)),
        "localhost is the listener only when it listens on loopback");
    assertFalse(origins.allows("http://10.0.0.3:7412", new InetSocketAddress("10.0.0.2", 7412)));
  }

  @Test
  void closeReasonsAreCutToWhatAFrameHolds() {
    assertEquals("short", WebSocketBridge.clip("short"));
    assertEquals(123, WebSocketBridge.clip("x".repeat(500)).length());
    String cut = WebSocketBridge.clip("é".repeat(100)); // two bytes each
    assertEquals(61, cut.length(), "never half a character");
  }
}
