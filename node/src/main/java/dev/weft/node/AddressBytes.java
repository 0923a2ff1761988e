package dev.weft.node;

import io.netty.buffer.ByteBuf;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.Optional;

/**
 * An IP address and port on the wire, as relays report observed addresses and hole punching
 * exchanges candidates (docs/protocol.md §26, §29): {@code alen u8 || address || port u16}, where
 * {@code alen} is 4 (IPv4), 16 (IPv6) or 0 (no address follows and the port is 0).
 */
final class AddressBytes {
  private AddressBytes() {}

  static void write(ByteBuf out, Optional<InetSocketAddress> address) {
    byte[] ip = address.map(a -> a.getAddress() == null ? new byte[0] : a.getAddress().getAddress())
        .orElse(new byte[0]);
    out.writeByte(ip.length).writeBytes(ip).writeShort(ip.length == 0 ? 0 : address.orElseThrow().getPort());
  }

  /**
   * How many bytes the address at {@code offset} in {@code in} takes, or -1 while its length byte
   * has not arrived; throws {@link IllegalArgumentException} for an {@code alen} other than 0, 4, 16.
   */
  static int length(ByteBuf in, int offset) {
    if (in.readableBytes() <= offset) {
      return -1;
    }
    int alen = in.getUnsignedByte(in.readerIndex() + offset);
    if (alen != 0 && alen != 4 && alen != 16) {
      throw new IllegalArgumentException("an address of " + alen + " bytes");
    }
    return 1 + alen + 2;
  }

  /** Reads one address whose bytes have all arrived (see {@link #length}). */
  static Optional<InetSocketAddress> read(ByteBuf in) {
    byte[] ip = new byte[in.readUnsignedByte()];
    in.readBytes(ip);
    int port = in.readUnsignedShort();
    try {
      return ip.length == 0 ? Optional.empty() : Optional.of(new InetSocketAddress(InetAddress.getByAddress(ip), port));
    } catch (UnknownHostException e) {
      throw new IllegalArgumentException("address: " + e.getMessage(), e);
    }
  }
}
