package dev.weft.link;

import io.netty.channel.Channel;
import io.netty.channel.ChannelOption;
import io.netty.channel.epoll.EpollChannelOption;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.socket.SocketChannel;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The kernel send buffer of a TCP link: as large as the system allows, with little of it unsent.
 *
 * <p>Why large: under loss TCP keeps every byte after a hole until the hole is filled, so what it
 * may hold unacknowledged, not its congestion window, sets the rate. Linux autotunes a send
 * buffer up to {@code net.ipv4.tcp_wmem}'s maximum (4 MiB by default); at 5 % loss on a 50 ms path
 * that was full of selectively acknowledged data behind holes most of the time, and a link carried
 * 9-20 MB/s, 21-34 with 8 MiB (bench/run's WAN). An explicit {@code SO_SNDBUF} may go up to
 * {@code net.core.wmem_max} (doubled by the kernel), so it is set only where that is larger than
 * what autotuning would reach.
 *
 * <p>Why little unsent: the kernel sends what it holds in order, so every byte queued there is a
 * byte an interactive session's frame waits behind; the mux interleaves sessions fairly only
 * while the bytes are still its own. {@code TCP_NOTSENT_LOWAT} makes the socket writable only
 * while less than {@link #UNSENT_BYTES} waits unsent, whatever the buffer holds in flight.
 */
final class TcpSendBuffer {
  private static final Logger LOG = LoggerFactory.getLogger(TcpSendBuffer.class);
  /** The most asked for, whatever {@code wmem_max} allows: the kernel doubles it. */
  static final int MAX_REQUEST = 16 * 1024 * 1024;
  /** Unsent bytes the kernel holds: at 100 MB/s about 10 ms, several event-loop wake-ups. */
  static final long UNSENT_BYTES = 1024 * 1024;

  private TcpSendBuffer() {}

  /** Sizes {@code channel}'s send buffer if it is a TCP socket; a refusal leaves the kernel's. */
  static void install(Channel channel) {
    if (!(channel instanceof SocketChannel)) {
      return;
    }
    int request = request(read("/proc/sys/net/core/wmem_max"), read("/proc/sys/net/ipv4/tcp_wmem"));
    try {
      if (request > 0) {
        channel.config().setOption(ChannelOption.SO_SNDBUF, request);
      }
      if (channel instanceof EpollSocketChannel) {
        channel.config().setOption(EpollChannelOption.TCP_NOTSENT_LOWAT, UNSENT_BYTES);
      }
    } catch (RuntimeException e) {
      LOG.debug("{}: send buffer left to the kernel: {}", channel.remoteAddress(), e.toString());
    }
  }

  /**
   * The {@code SO_SNDBUF} to ask for given the contents of {@code wmem_max} and {@code tcp_wmem},
   * or 0 to leave the buffer to autotuning (no larger buffer allowed, or not Linux).
   */
  static int request(String wmemMax, String tcpWmem) {
    try {
      long allowed = Math.min(Long.parseLong(wmemMax.trim()), MAX_REQUEST);
      String[] autotune = tcpWmem.trim().split("\\s+");
      long autotuneMax = Long.parseLong(autotune[autotune.length - 1]);
      return 2 * allowed > autotuneMax ? (int) allowed : 0;
    } catch (NumberFormatException e) {
      return 0;
    }
  }

  /** The first line of a /proc file ({@code Files.readString} sees a size of 0 and stops short). */
  private static String read(String file) {
    try (BufferedReader in = Files.newBufferedReader(Path.of(file))) {
      String line = in.readLine();
      return line == null ? "" : line;
    } catch (IOException | RuntimeException e) {
      return "";
    }
  }
}
