package dev.weft.node;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import dev.weft.identity.Identity;
import java.time.Instant;
import java.util.List;

/**
 * Something that happened in a node, as seen by operators and embedding applications.
 *
 * <p>Serialises to one JSON object: a {@code "type"} field naming the event, {@code "at"}, and the
 * record's components. Stream and session ids are their 16-hex-digit text.
 */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "type")
@JsonSubTypes({
  @JsonSubTypes.Type(value = Event.PeerLinked.class, name = "peer-linked"),
  @JsonSubTypes.Type(value = Event.PeerUnlinked.class, name = "peer-unlinked"),
  @JsonSubTypes.Type(value = Event.LinkRefused.class, name = "link-refused"),
  @JsonSubTypes.Type(value = Event.DialerRefused.class, name = "dialer-refused"),
  @JsonSubTypes.Type(value = Event.StreamOpened.class, name = "stream-opened"),
  @JsonSubTypes.Type(value = Event.StreamClosed.class, name = "stream-closed"),
  @JsonSubTypes.Type(value = Event.StreamSuspicion.class, name = "stream-suspicion"),
  @JsonSubTypes.Type(value = Event.SessionOpened.class, name = "session-opened"),
  @JsonSubTypes.Type(value = Event.SessionRejected.class, name = "session-rejected"),
  @JsonSubTypes.Type(value = Event.SessionClosed.class, name = "session-closed"),
  @JsonSubTypes.Type(value = Event.MigrationStarted.class, name = "migration-started"),
  @JsonSubTypes.Type(value = Event.MigrationDone.class, name = "migration-done"),
  @JsonSubTypes.Type(value = Event.MigrationFailed.class, name = "migration-failed"),
  @JsonSubTypes.Type(value = Event.FailoverStarted.class, name = "failover-started"),
  @JsonSubTypes.Type(value = Event.FailoverDone.class, name = "failover"),
  @JsonSubTypes.Type(value = Event.Overflow.class, name = "overflow"),
  @JsonSubTypes.Type(value = Event.Traffic.class, name = "traffic"),
  @JsonSubTypes.Type(value = Event.ReservationMade.class, name = "reservation-made"),
  @JsonSubTypes.Type(value = Event.ReservationRenewed.class, name = "reservation-renewed"),
  @JsonSubTypes.Type(value = Event.ReservationLost.class, name = "reservation-lost"),
  @JsonSubTypes.Type(value = Event.RelayRefused.class, name = "relay-refused"),
  @JsonSubTypes.Type(value = Event.AddressObserved.class, name = "address-observed"),
  @JsonSubTypes.Type(value = Event.HolePunchStarted.class, name = "hole-punch-started"),
  @JsonSubTypes.Type(value = Event.HolePunchSucceeded.class, name = "hole-punch-succeeded"),
  @JsonSubTypes.Type(value = Event.HolePunchFailed.class, name = "hole-punch-failed"),
  @JsonSubTypes.Type(value = Event.SessionsMovedDirect.class, name = "sessions-moved-direct"),
})
public sealed interface Event {
  /** When the node saw it. */
  Instant at();

  /** The first stream to {@code peer} is up. */
  record PeerLinked(Instant at, Identity peer) implements Event {}

  /** The last stream to {@code peer} is gone. */
  record PeerUnlinked(Instant at, Identity peer) implements Event {}

  /** A handshake completed but the node's link policy refused the peer. */
  record LinkRefused(Instant at, Identity peer, String remote, String reason) implements Event {}

  /**
   * A dialer at {@code remote} refused this node in the handshake (it expected another identity).
   * It refused instead of proving its own identity, so who it is stays unknown.
   */
  record DialerRefused(Instant at, String remote, String reason) implements Event {}

  /** A stream finished its handshake; {@code dialled} is true when this node dialled it. */
  record StreamOpened(Instant at, String stream, Identity peer, String transport, String remote,
      boolean dialled) implements Event {}

  record StreamClosed(Instant at, String stream, Identity peer, String reason) implements Event {}

  /**
   * A stream went silent ({@code suspect}: the peer owed an answer and said nothing for
   * {@code silentMillis}, several probe timeouts; its sessions move to a healthy stream) or
   * answered again ({@code suspect} false, {@code silentMillis} 0).
   */
  record StreamSuspicion(Instant at, String stream, Identity peer, boolean suspect, long silentMillis)
      implements Event {}

  /** {@code inbound} is true when the peer opened it. */
  record SessionOpened(Instant at, String session, Identity peer, String service, String stream,
      boolean inbound) implements Event {}

  /** A peer asked for a service and was refused (unknown service, not allowed, target down). */
  record SessionRejected(Instant at, Identity peer, String service, String reason)
      implements Event {}

  record SessionClosed(Instant at, String session, Identity peer, String reason)
      implements Event {}

  record MigrationStarted(Instant at, String session, String from, String to) implements Event {}

  /** {@code pauseMicros}: how long the session's writes were held. */
  record MigrationDone(Instant at, String session, String from, String to, long pauseMicros)
      implements Event {}

  record MigrationFailed(Instant at, String session, String from, String to, String reason)
      implements Event {}

  /** A session's stream died; it waits (up to the failover grace period) for another one. */
  record FailoverStarted(Instant at, String session, String from, String reason) implements Event {}

  /** A session of a dead stream resumed on another one, {@code millis} after the failure. */
  record FailoverDone(Instant at, String session, String from, String to, long millis)
      implements Event {}

  /** This subscriber fell behind and {@code dropped} events were not delivered to it. */
  record Overflow(Instant at, long dropped) implements Event {}

  /**
   * A once-a-second sample, delivered only to subscriptions that ask for it (it would drown the
   * other events): each stream's throughput over the last interval, and the byte counts of the
   * sessions that moved data in it.
   */
  record Traffic(Instant at, List<StreamRate> streams, List<SessionBytes> sessions)
      implements Event {
    /** Bytes per second through a stream's sessions; {@code rttMicros} -1 before a Pong. */
    public record StreamRate(String stream, long inPerSecond, long outPerSecond, long rttMicros,
        int sessions) {}

    public record SessionBytes(String session, String stream, long bytesIn, long bytesOut) {}
  }

  /** This node holds a reservation at {@code relay} now, for {@code lifetimeSeconds} unless renewed. */
  record ReservationMade(Instant at, Identity relay, String endpoint, long lifetimeSeconds) implements Event {}

  record ReservationRenewed(Instant at, Identity relay, long lifetimeSeconds) implements Event {}

  /** A live reservation could not be renewed (the relay went away, restarted, or refused). */
  record ReservationLost(Instant at, Identity relay, String reason) implements Event {}

  /**
   * This node, a relay, refused {@code peer}'s request ({@code reserve} or {@code connect to X});
   * {@code code} is the refusal's name in docs/protocol.md §4.2.
   */
  record RelayRefused(Instant at, Identity peer, String request, String code, String reason)
      implements Event {}

  /**
   * {@code relay} reports seeing this node at {@code address} ({@code HOST:PORT}), another than it
   * reported before: a candidate address (docs/nat.md), not a proven one.
   */
  record AddressObserved(Instant at, Identity relay, String address) implements Event {}

  /**
   * This node began hole punching with {@code peer} over the relayed stream {@code relayed}
   * ({@code role}: {@code initiator}, the end that dialled the relayed stream, or
   * {@code responder}); {@code candidates}: the addresses it announced ({@code HOST:PORT}).
   */
  record HolePunchStarted(Instant at, Identity peer, String relayed, String role, List<String> candidates)
      implements Event {}

  /**
   * A direct stream to {@code peer} is up, {@code millis} after the punch began; {@code dialled}:
   * this node dialled it (and moves the sessions), else the peer did.
   */
  record HolePunchSucceeded(Instant at, Identity peer, long millis, boolean dialled) implements Event {}

  /**
   * A hole punch with {@code peer} ended without a direct stream; sessions stay on the relay. The
   * initiator tries again in {@code retrySeconds} (0: this end does not retry, the other does).
   */
  record HolePunchFailed(Instant at, Identity peer, String reason, long retrySeconds) implements Event {}

  /**
   * {@code sessions} sessions moved live from the relayed stream {@code from} to the direct stream
   * {@code to}; {@code relayedKept}: the relayed stream stays as a standby, else it is closed.
   */
  record SessionsMovedDirect(Instant at, Identity peer, String from, String to, int sessions, boolean relayedKept)
      implements Event {}
}
