package dev.weft.node;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Where a UDP port of this node may be reached from outside: each address relays observed this
 * node at, with the port itself (a NAT that keeps ports, as Linux masquerade does when it can,
 * maps it there), then the host's own addresses (a peer on the same network). Hints only: a direct
 * stream is used only after a full handshake proves the peer's identity.
 */
final class PunchCandidates {
  private PunchCandidates() {}

  /** At most {@link PunchMessage#MAX_CANDIDATES}, observed addresses first; {@code bound} the socket's own address. */
  static List<InetSocketAddress> of(List<InetAddress> observed, InetAddress bound, int port) {
    Set<InetAddress> all = new LinkedHashSet<>(observed);
    if (bound.isAnyLocalAddress()) {
      all.addAll(hostAddresses());
    } else {
      all.add(bound);
    }
    return all.stream().limit(PunchMessage.MAX_CANDIDATES).map(ip -> new InetSocketAddress(ip, port)).toList();
  }

  private static List<InetAddress> hostAddresses() {
    try {
      return NetworkInterface.networkInterfaces().filter(PunchCandidates::up)
          .flatMap(NetworkInterface::inetAddresses)
          .filter(ip -> !ip.isLoopbackAddress() && !ip.isLinkLocalAddress() && !ip.isMulticastAddress())
          .toList();
    } catch (SocketException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static boolean up(NetworkInterface nic) {
    try {
      return nic.isUp() && !nic.isLoopback();
    } catch (SocketException e) {
      return false;
    }
  }

  /** A UDP port free now, for a dial whose mapping is announced before it is made. */
  static int freePort() {
    try (DatagramSocket socket = new DatagramSocket(0)) {
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
