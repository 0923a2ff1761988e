package dev.weft.link;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.ChannelPromise;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.unix.RawUnixChannelOption;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Makes a TCP link's congestion control measure the path afresh when a burst starts after a quiet
 * spell, as a new connection would. A long-lived link carries light exchanges between bursts
 * (pings, credits, a session's opening); BBR counts each as a round trip, and once ten pass
 * without a full-rate sample its bandwidth filter takes the next one as the path's rate. Under
 * loss that sample is often one of the light exchanges (a loss pending makes it count), so the
 * next burst starts paced at a few Mbit/s and BBR's steady state climbs back at 25 % per
 * 8 round trips: 5 s iperf3 runs at 5 % loss averaged 1-2 MB/s where a fresh connection got 18.
 * Setting the socket's congestion control to another one and back re-initialises it (Linux
 * ignores setting the one in use): BBR starts over in its start-up phase, cubic and reno in slow
 * start, from the current congestion window. Epoll sockets only; a failure turns it off for the
 * connection.
 */
final class BandwidthReprobe extends ChannelOutboundHandlerAdapter {
  private static final Logger LOG = LoggerFactory.getLogger(BandwidthReprobe.class);
  /** setsockopt(IPPROTO_TCP, TCP_CONGESTION), a name of at most TCP_CA_NAME_MAX (16) bytes. */
  static final RawUnixChannelOption CONGESTION = new RawUnixChannelOption("TCP_CONGESTION", 6, 13, 16);
  /** Writes within one bucket that make it busy: far above pings and credits, below any bulk rate. */
  static final long BUCKET_NANOS = TimeUnit.MILLISECONDS.toNanos(100);
  static final int BUSY_BYTES = 64 * 1024;
  /** A burst after this long without a busy bucket is probed afresh (BBR forgets after 10 round trips). */
  static final long QUIET_NANOS = TimeUnit.SECONDS.toNanos(1);

  private final LongSupplier clock;
  private long bucketStart;
  private long bucketBytes;
  private long lastBusy;
  private boolean broken;

  BandwidthReprobe(LongSupplier clock) {
    this.clock = clock;
    this.lastBusy = clock.getAsLong(); // a new connection is in its start-up phase already
  }

  /** Adds the handler to {@code channel} if it is a native (epoll) TCP socket. */
  static void install(Channel channel) {
    if (channel instanceof EpollSocketChannel) {
      channel.pipeline().addFirst("reprobe", new BandwidthReprobe(System::nanoTime));
    }
  }

  @Override
  public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) throws Exception {
    if (msg instanceof ByteBuf buf && burstStarts(buf.readableBytes()) && !broken) {
      broken = !reprobe(ctx.channel());
    }
    ctx.write(msg, promise);
  }

  /** Counts {@code bytes} written now; whether they start a burst after a quiet spell. */
  boolean burstStarts(int bytes) {
    long now = clock.getAsLong();
    if (now - bucketStart >= BUCKET_NANOS) {
      bucketStart = now;
      bucketBytes = 0;
    }
    bucketBytes += bytes;
    if (bucketBytes < BUSY_BYTES) {
      return false;
    }
    boolean starts = now - lastBusy >= QUIET_NANOS;
    lastBusy = now;
    return starts;
  }

  /** Re-initialises the socket's congestion control; false if the socket refused. */
  static boolean reprobe(Channel channel) {
    String current;
    try {
      current = name(channel.config().getOption(CONGESTION));
      if (!channel.config().setOption(CONGESTION, value(current.equals("reno") ? "cubic" : "reno"))) {
        return false;
      }
    } catch (RuntimeException e) {
      LOG.debug("{}: congestion control not re-initialised: {}", channel.remoteAddress(), e.toString());
      return false;
    }
    try {
      channel.config().setOption(CONGESTION, value(current));
    } catch (RuntimeException e) {
      LOG.warn("{}: congestion control {} could not be restored: {}", channel.remoteAddress(), current, e.toString());
      return false;
    }
    LOG.debug("{}: a burst after a quiet spell: {} probes the path afresh", channel.remoteAddress(), current);
    return true;
  }

  /** The congestion control's name in a getsockopt answer (NUL-terminated). */
  static String name(ByteBuffer answer) {
    ByteBuffer bytes = answer.duplicate();
    StringBuilder name = new StringBuilder();
    while (bytes.hasRemaining()) {
      byte b = bytes.get();
      if (b == 0) {
        break;
      }
      name.append((char) b);
    }
    return name.toString();
  }

  /** A setsockopt value naming congestion control {@code name}. */
  static ByteBuffer value(String name) {
    ByteBuffer value = ByteBuffer.allocateDirect(CONGESTION.length());
    value.put(name.getBytes(StandardCharsets.US_ASCII)).position(0);
    return value;
  }
}
