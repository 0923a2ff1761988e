package dev.weft.link;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(10)
class EndpointTest {
  @Test
  void parsesAndRoundTrips() {
    for (String text : new String[] {"tcp:127.0.0.1:7410", "kcp:[::1]:7411", "tcp:example.org:1", "kcp:node-1.lan:0",
        "tcp:[fe80::1%eth0]:80"}) {
      assertEquals(text, Endpoint.parse(text).toString());
    }
    Endpoint e = Endpoint.parse("kcp:[::1]:7411");
    assertEquals(Transport.KCP, e.transport());
    assertEquals("::1", e.host());
    assertEquals(7411, e.port());
  }

  @Test
  void relayedEndpointsNameTheRelayAndItsAddress() {
    String relay = "ab".repeat(32);
    Endpoint e = Endpoint.parse("relay:" + relay + "@kcp:[::1]:7411");
    assertEquals("relay:" + relay + "@kcp:[::1]:7411", e.toString());
    assertTrue(e.relayed());
    assertEquals(relay, e.relay().toString());
    assertEquals(Endpoint.parse("kcp:[::1]:7411"), e.hop());
    Map<String, String> cases = Map.of(
        "relay:" + relay + "@relay:" + relay + "@tcp:1.2.3.4:5", "not through another",
        "relay:" + relay + "tcp:1.2.3.4:5", "expected relay:RELAY@tcp:HOST:PORT",
        "relay:nothex@tcp:1.2.3.4:5", "identity",
        "relay:1.2.3.4:5", "expected relay:RELAY@tcp:HOST:PORT");
    cases.forEach((text, expected) -> {
      IllegalArgumentException x = assertThrows(IllegalArgumentException.class, () -> Endpoint.parse(text), text);
      assertTrue(x.getMessage().contains(expected), text + " -> " + x.getMessage());
    });
  }

  @Test
  void malformedEndpointsSayWhatIsWrong() {
    Map<String, String> cases = Map.of(
        "udp:1.2.3.4:5", "unknown transport 'udp'",
        "tcp:1.2.3.4", "no port",
        "tcp:1.2.3.4:99999", "outside 0-65535",
        "tcp:1.2.3.4:x1", "not a number",
        "tcp:::1:80", "in brackets",
        "kcp:[::1:80", "[ADDRESS]:PORT",
        "tcp:bad host:1", "invalid host",
        "127.0.0.1", "no transport",
        "", "empty endpoint");
    cases.forEach((text, expected) -> {
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Endpoint.parse(text), text);
      assertTrue(e.getMessage().contains(expected), text + " -> " + e.getMessage());
    });
  }

  @Test
  void streamIdIsSixteenHexDigits() {
    StreamId id = new StreamId(0x00ab_cdef_0123_4567L);
    assertEquals("00abcdef01234567", id.toString());
    assertEquals(id, StreamId.parse("00abcdef01234567"));
    assertEquals(new StreamId(-1L), StreamId.parse("ffffffffffffffff"));
    assertThrows(IllegalArgumentException.class, () -> StreamId.parse("123"));
  }
}
