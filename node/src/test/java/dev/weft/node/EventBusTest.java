package dev.weft.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.weft.identity.Identity;
import dev.weft.identity.NodeKey;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(10)
class EventBusTest {
  private static final Instant T = Instant.parse("2025-01-02T03:04:05Z");
  private final EventBus bus = new EventBus(Clock.fixed(T, ZoneOffset.UTC));
  private final Identity peer = NodeKey.generate().identity();

  @Test
  void eventsSerialiseWithTypeAndFields() throws Exception {
    JsonNode json = Json.mapper().valueToTree(
        new Event.StreamClosed(T, "00000000000000ff", peer, "reset by peer"));
    assertEquals("stream-closed", json.get("type").asText());
    assertEquals("2025-01-02T03:04:05Z", json.get("at").asText());
    assertEquals(peer.toString(), json.get("peer").asText());
    assertEquals("reset by peer", json.get("reason").asText());
    assertEquals(new Event.StreamClosed(T, "00000000000000ff", peer, "reset by peer"),
        Json.mapper().treeToValue(json, Event.class));
  }

  @Test
  void everySubscriberGetsEveryEventInOrder() throws Exception {
    try (Subscription a = bus.subscribe(8); Subscription b = bus.subscribe(8)) {
      bus.publish(new Event.PeerLinked(T, peer));
      bus.publish(new Event.PeerUnlinked(T, peer));
      for (Subscription s : new Subscription[] {a, b}) {
        assertEquals(new Event.PeerLinked(T, peer), s.poll(Duration.ofSeconds(1)));
        assertEquals(new Event.PeerUnlinked(T, peer), s.poll());
        assertNull(s.poll());
      }
    }
  }

  @Test
  void aFullSubscriberDropsAndIsToldHowMany() {
    try (Subscription slow = bus.subscribe(2); Subscription fast = bus.subscribe(100)) {
      for (int i = 0; i < 10; i++) {
        bus.publish(new Event.PeerLinked(T, peer)); // never blocks, though slow is full after 2
      }
      assertEquals(new Event.Overflow(T, 8), slow.poll());
      assertInstanceOf(Event.PeerLinked.class, slow.poll());
      assertInstanceOf(Event.PeerLinked.class, slow.poll());
      assertNull(slow.poll());
      assertEquals(8, slow.droppedTotal());
      assertEquals(0, fast.droppedTotal());
      assertEquals(8, bus.dropped());
    }
  }

  @Test
  void trafficSamplesReachOnlyTheSubscriptionsThatAskForThem() throws Exception {
    Event.Traffic sample = new Event.Traffic(T,
        java.util.List.of(new Event.Traffic.StreamRate("00000000000000ff", 2048, 10, 412, 1)),
        java.util.List.of(new Event.Traffic.SessionBytes("0000000000000001", "00000000000000ff", 4096, 20)));
    try (Subscription plain = bus.subscribe(8)) {
      assertFalse(bus.wantsTraffic());
      try (Subscription traffic = bus.subscribe(8, true)) {
        assertTrue(bus.wantsTraffic());
        bus.publish(sample);
        bus.publish(new Event.PeerLinked(T, peer));
        assertEquals(sample, traffic.poll());
        assertInstanceOf(Event.PeerLinked.class, traffic.poll());
        assertInstanceOf(Event.PeerLinked.class, plain.poll());
        assertNull(plain.poll());
      }
      assertFalse(bus.wantsTraffic());
    }
    JsonNode json = Json.mapper().valueToTree(sample);
    assertEquals("traffic", json.get("type").asText());
    assertEquals(2048, json.get("streams").get(0).get("inPerSecond").asLong());
    assertEquals(sample, Json.mapper().treeToValue(json, Event.class));
  }

  @Test
  void availabilityIsSignalledAndClosedSubscriptionsStopReceiving() {
    AtomicInteger signals = new AtomicInteger();
    Subscription s = bus.subscribe(4);
    s.onAvailable(signals::incrementAndGet);
    bus.publish(new Event.PeerLinked(T, peer));
    assertEquals(1, signals.get());
    s.close();
    bus.publish(new Event.PeerLinked(T, peer));
    assertEquals(1, signals.get());
    assertNull(s.poll());
    // The bus lets go of a closed subscription: what it dropped no longer counts.
    Subscription full = bus.subscribe(1);
    bus.publish(new Event.PeerLinked(T, peer));
    bus.publish(new Event.PeerLinked(T, peer));
    assertEquals(1, bus.dropped());
    full.close();
    assertEquals(0, bus.dropped());
  }
}
