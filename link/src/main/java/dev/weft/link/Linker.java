package dev.weft.link;

import dev.weft.identity.Identity;
import dev.weft.identity.NodeKey;
import io.jpower.kcp.netty.UkcpChannel;
import io.jpower.kcp.netty.UkcpChannelOption;
import io.jpower.kcp.netty.UkcpClientChannel;
import io.netty.bootstrap.AbstractBootstrap;
import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.bootstrap.UkcpServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.GlobalEventExecutor;
import java.net.InetSocketAddress;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Opens authenticated, encrypted {@link Stream}s: dials peers and listens for them over TCP and
 * KCP. Owns (or borrows) the event loops.
 *
 * <p>Every stream, dialled or accepted, is passed to the {@code onStream} callback on its own event
 * loop as soon as its handshake completes and before any of its data is read: that is where upper
 * layers add their handlers to {@code stream.channel().pipeline()}.
 */
public final class Linker implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(Linker.class);
  private static final SecureRandom RANDOM = new SecureRandom();
  /** The largest byte threshold {@link Builder#rekeyAfter} takes (2^31: half what a peer accepts). */
  public static final long MAX_REKEY_BYTES = Rekeying.MAX_AFTER_BYTES;
  /** KCP's window by default and its bounds, in bytes (see {@link Builder#kcpWindow}). */
  public static final int DEFAULT_KCP_WINDOW = KcpSettings.DEFAULT_WINDOW_BYTES;
  public static final int MIN_KCP_WINDOW = KcpSettings.MIN_WINDOW_BYTES;
  public static final int MAX_KCP_WINDOW = KcpSettings.MAX_WINDOW_BYTES;
  /** Writability flips at these many buffered bytes: enough to keep a fast link busy. */
  static final WriteBufferWaterMark WATER_MARK = new WriteBufferWaterMark(512 * 1024, 2 * 1024 * 1024);

  private final LinkConfig config;
  private final EventLoopGroup tcpGroup;
  private final EventLoopGroup kcpGroup;
  private final boolean ownsGroups;
  private final int maxPendingHandshakes;
  private final int handshakesPerSecond;
  private final int handshakeBurst;
  /** Inbound handshakes in progress on all listeners. */
  private final AtomicInteger pending = new AtomicInteger();
  private final HandshakeRate rate;
  private final CookieLoad cookieLoad;
  private final KcpSettings kcp;
  private final CookieStats.Counters cookieCounters = new CookieStats.Counters();
  private final ChannelGroup channels = new DefaultChannelGroup("weft-links", GlobalEventExecutor.INSTANCE);

  private Linker(Builder b) {
    this.config = LinkConfig.create(b.nodeKey, b.handshakeTimeout, b.idleTimeout, b.rekeying, b.accessPolicy,
        b.onStream, b.onInboundFailure);
    this.ownsGroups = b.tcpGroup == null;
    if (ownsGroups) {
      this.tcpGroup = LinkEventLoops.tcp(b.threads, new DefaultThreadFactory("weft-link-tcp"));
      this.kcpGroup = LinkEventLoops.kcp(new DefaultThreadFactory("weft-link-kcp"));
    } else {
      this.tcpGroup = b.tcpGroup;
      this.kcpGroup = b.kcpGroup;
    }
    this.maxPendingHandshakes = b.maxPendingHandshakes;
    this.handshakesPerSecond = b.handshakesPerSecond;
    this.handshakeBurst = b.handshakeBurst;
    this.rate = new HandshakeRate(b.handshakesPerSecond, b.handshakeBurst);
    this.cookieLoad = new CookieLoad(b.cookieThreshold, pending::get, b.maxPendingHandshakes);
    this.kcp = b.kcp;
  }

  public static Builder builder(NodeKey nodeKey) {
    return new Builder(nodeKey);
  }

  public Identity identity() {
    return config.nodeKey().identity();
  }

  /** Binds a listener; port 0 picks a free port (see {@link Listener#endpoint()}). */
  public CompletableFuture<Listener> listen(Endpoint endpoint) {
    if (endpoint.relayed()) {
      return CompletableFuture.failedFuture(new IllegalArgumentException("cannot listen on a relayed endpoint"));
    }
    ChannelInitializer<Channel> accept = new ChannelInitializer<>() {
      @Override
      protected void initChannel(Channel ch) {
        // A KCP source has had its rate checked before its conversation was made (KcpListenerGate).
        accept(ch, (InetSocketAddress) ch.remoteAddress(), endpoint.transport(), endpoint.transport() == Transport.TCP);
      }
    };
    InetSocketAddress address = new InetSocketAddress(endpoint.host(), endpoint.port());
    ChannelFuture bound = switch (endpoint.transport()) {
      case TCP -> new ServerBootstrap().group(tcpGroup)
          .channel(LinkEventLoops.serverChannel(tcpGroup))
          .childOption(ChannelOption.TCP_NODELAY, true)
          .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK, WATER_MARK)
          .childHandler(accept)
          .bind(address);
      case KCP -> kcpOptions(new UkcpServerBootstrap().group(kcpGroup)
          .channelFactory(() -> KcpListenerGate.channel(rate, cookieLoad, cookieCounters))
          .handler(new KcpCloseWaits())
          .childOption(UkcpChannelOption.UKCP_AUTO_SET_CONV, true)
          .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK, WATER_MARK)
          .childHandler(accept))
          .bind(address);
      case RELAY -> throw new IllegalStateException("an endpoint's transport is never relay");
    };
    CompletableFuture<Listener> result = new CompletableFuture<>();
    bound.addListener(f -> {
      if (f.isSuccess()) {
        channels.add(bound.channel());
        result.complete(new Listener(endpoint, bound.channel()));
      } else {
        result.completeExceptionally(f.cause());
      }
    });
    return result;
  }

  /** Null to go ahead with a handshake from {@code source} (counted as pending), else why not. */
  private String admit(InetSocketAddress source, boolean checkRate) {
    if (checkRate && !rate.tryAcquire(source.getAddress(), System.nanoTime())) {
      return "handshake rate limit reached for " + source.getAddress().getHostAddress()
          + " (" + handshakesPerSecond + "/s, burst " + handshakeBurst + ")";
    }
    if (pending.incrementAndGet() > maxPendingHandshakes) {
      pending.decrementAndGet();
      return "too many handshakes in progress (" + maxPendingHandshakes + ")";
    }
    return null;
  }

  /** Inbound handshakes in progress now, on all listeners. */
  public int pendingHandshakes() {
    return pending.get();
  }

  public int maxPendingHandshakes() {
    return maxPendingHandshakes;
  }

  /** Source addresses (IPv6: /64 prefixes) that are over their handshake rate right now. */
  public int throttledSources() {
    return rate.throttled(System.nanoTime());
  }

  /** What the KCP listeners did with datagrams from new sources: cookies asked for, sent, checked. */
  public CookieStats cookieStats() {
    return cookieCounters.snapshot();
  }

  /** How often the streams of this Linker changed their transport keys, each way. */
  public RekeyStats rekeyStats() {
    return config.rekeys().snapshot();
  }

  /**
   * Dials {@code endpoint} and completes once the peer has proven to be {@code expected} and
   * accepted the link. Fails with {@link IdentityMismatchException}, {@link RefusedException},
   * {@link HandshakeException} or the transport's connect error.
   */
  public CompletableFuture<Stream> dial(Endpoint endpoint, Identity expected) {
    return dial(endpoint, expected, null);
  }

  /**
   * As {@link #dial(Endpoint, Identity)}, a TCP stream running on {@code loop}, one of this
   * Linker's TCP loops (null: the next in turn), so that work already on that loop, such as the
   * peer's other sessions, needs no thread hop. KCP streams always run on the KCP loop.
   */
  public CompletableFuture<Stream> dial(Endpoint endpoint, Identity expected, EventLoop loop) {
    return dial(endpoint, expected, loop, null).result();
  }

  /**
   * Dials a KCP {@code endpoint} from the local UDP port {@code localPort}, the port whose NAT
   * mapping was announced to the peer (hole punching, docs/nat.md), and gives up after
   * {@code timeout}. A dial that fails completes only once its socket is closed, so the port can be
   * bound again at once.
   */
  public CompletableFuture<Stream> dialFrom(Endpoint endpoint, Identity expected, int localPort, Duration timeout) {
    if (endpoint.transport() != Transport.KCP) {
      return CompletableFuture.failedFuture(new IllegalArgumentException("only KCP is dialled from a chosen port"));
    }
    Dial dial = dial(endpoint, expected, null, new InetSocketAddress(localPort));
    CompletableFuture<Stream> done = new CompletableFuture<>();
    dial.result().orTimeout(timeout.toMillis(), TimeUnit.MILLISECONDS).whenComplete((stream, e) -> {
      if (e == null) {
        done.complete(stream);
      } else {
        dial.connected().channel().close().addListener(f -> done.completeExceptionally(e));
      }
    });
    return done;
  }

  /** A dial under way: its handshake's outcome, and the socket's connect. */
  private record Dial(CompletableFuture<Stream> result, ChannelFuture connected) {}

  private Dial dial(Endpoint endpoint, Identity expected, EventLoop loop, InetSocketAddress local) {
    Objects.requireNonNull(expected, "expected identity");
    CompletableFuture<Stream> result = new CompletableFuture<>();
    if (endpoint.relayed()) {
      result.completeExceptionally(new IllegalArgumentException(
          "a relayed endpoint is linked through a session to the relay, not dialled"));
      return new Dial(result, null);
    }
    ChannelInitializer<Channel> init = new ChannelInitializer<>() {
      @Override
      protected void initChannel(Channel ch) {
        if (ch instanceof UkcpClientChannel kcp) {
          kcp.conv(RANDOM.nextInt() | 1);
          KcpSocketErrors.install(kcp);
          KcpDialerCookie.install(kcp);
          KcpRuntimeTuning.install(kcp, Linker.this.kcp.windowSegments());
        }
        install(ch, Handshake.dialer(config, endpoint.transport(), expected, result));
      }
    };
    int connectTimeout = (int) Math.min(Integer.MAX_VALUE, config.handshakeTimeout().toMillis());
    ChannelFuture connected = switch (endpoint.transport()) {
      case TCP -> new Bootstrap().group(loop != null ? loop : tcpGroup)
          .channel(LinkEventLoops.socketChannel(tcpGroup))
          .option(ChannelOption.TCP_NODELAY, true)
          .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, connectTimeout)
          .option(ChannelOption.WRITE_BUFFER_WATER_MARK, WATER_MARK)
          .handler(init)
          .connect(endpoint.socketAddress());
      case KCP -> kcpOptions(new Bootstrap().group(kcpGroup).channel(UkcpClientChannel.class)
          .option(ChannelOption.WRITE_BUFFER_WATER_MARK, WATER_MARK)
          .handler(init))
          .localAddress(local)
          .connect(endpoint.socketAddress());
      case RELAY -> throw new IllegalStateException("an endpoint's transport is never relay");
    };
    connected.addListener(f -> {
      if (f.isSuccess()) {
        channels.add(connected.channel());
      } else {
        result.completeExceptionally(f.cause());
      }
    });
    return new Dial(result, connected);
  }

  /**
   * Dials {@code expected} over bytes carried some other way (a session through a relay): the
   * link runs on one end of a {@link CarrierPipe} on {@code loop}, and {@code carrier} is given
   * the other end, before any byte passes, to bridge to whatever carries them. The stream's
   * transport is {@link Transport#RELAY}; it shows {@code addresses} as its own.
   */
  public CompletableFuture<Stream> dialCarried(Identity expected, PipeAddresses addresses, EventLoop loop,
      Consumer<Channel> carrier) {
    Objects.requireNonNull(expected, "expected identity");
    CompletableFuture<Stream> result = new CompletableFuture<>();
    CarrierPipe.open(loop, ch -> {
      ch.attr(PipeAddresses.KEY).set(addresses);
      install(ch, Handshake.dialer(config, Transport.RELAY, expected, result));
    }, carrier).exceptionally(e -> {
      result.completeExceptionally(e);
      return null;
    });
    return result;
  }

  /**
   * Accepts a link carried some other way, as {@link #dialCarried} dials one: counted among the
   * pending handshakes (closed at once beyond their cap) and checked by the access policy like any
   * other. The stream arrives through the {@code onStream} callback.
   */
  public CompletableFuture<Void> acceptCarried(PipeAddresses addresses, EventLoop loop, Consumer<Channel> carrier) {
    return CarrierPipe.open(loop, ch -> {
      ch.attr(PipeAddresses.KEY).set(addresses);
      accept(ch, addresses.remote(), Transport.RELAY, false);
    }, carrier);
  }

  /**
   * Starts the listener's side of a handshake on a new inbound channel, or refuses it before any
   * handshake work: a source over its rate, or a SYN or datagram flood beyond the pending cap, gets
   * closed, not buffered.
   */
  private void accept(Channel ch, InetSocketAddress source, Transport transport, boolean checkRate) {
    String refusal = admit(source, checkRate);
    if (refusal != null) {
      config.onInboundFailure().accept(new HandshakeException(ch.remoteAddress(), refusal + "; closed at once",
          HandshakeOutcome.NOT_ADMITTED));
      // Not ch.close() here: kcp-netty registers a new child in its map only after this
      // initializer returns, so closing now would leave the dead child in that map for good.
      ch.eventLoop().execute(ch::close);
      return;
    }
    if (ch instanceof UkcpChannel child) {
      KcpRuntimeTuning.install(child, kcp.windowSegments());
    }
    AtomicInteger once = new AtomicInteger();
    Runnable settled = () -> {
      if (once.getAndIncrement() == 0) {
        pending.decrementAndGet();
      }
    };
    ch.closeFuture().addListener(f -> settled.run());
    install(ch, Handshake.listener(config, transport, settled));
  }

  /** Closes listeners and streams (each stream sends its close message) and stops owned event loops. */
  @Override
  public void close() {
    channels.close().awaitUninterruptibly(SecureChannel.CLOSE_LINGER_MILLIS + 1000, TimeUnit.MILLISECONDS);
    if (ownsGroups) {
      tcpGroup.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
      kcpGroup.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
    }
  }

  private void install(Channel ch, Handshake handshake) {
    channels.add(ch);
    BandwidthReprobe.install(ch);
    TcpSendBuffer.install(ch);
    handshakePipeline(ch.pipeline(), handshake);
  }

  /** The handlers of a fresh connection (also what the handshake fuzz test drives). */
  static void handshakePipeline(ChannelPipeline pipeline, Handshake handshake) {
    pipeline.addLast("hello", new HelloDecoder(!handshake.initiator()));
    pipeline.addLast("frames", new MessageDecoder(1, LinkProtocol.MAX_HANDSHAKE_MESSAGE));
    pipeline.addLast("handshake", handshake);
  }

  @SuppressWarnings({"unchecked", "rawtypes"})
  private <B extends AbstractBootstrap<?, ?>> B kcpOptions(B bootstrap) {
    for (Map.Entry<ChannelOption<?>, Object> option : kcp.options().entrySet()) {
      if (bootstrap instanceof UkcpServerBootstrap server) {
        server.childOption((ChannelOption) option.getKey(), option.getValue());
      } else {
        ((AbstractBootstrap) bootstrap).option((ChannelOption) option.getKey(), option.getValue());
      }
    }
    for (Map.Entry<ChannelOption<?>, Object> option : kcp.socketOptions().entrySet()) {
      ((AbstractBootstrap) bootstrap).option((ChannelOption) option.getKey(), option.getValue());
    }
    return bootstrap;
  }

  /** Configures a {@link Linker}. */
  public static final class Builder {
    private final NodeKey nodeKey;
    private Duration handshakeTimeout = Duration.ofSeconds(10);
    private Duration idleTimeout = Duration.ofSeconds(30);
    private Rekeying rekeying = Rekeying.DEFAULT;
    private AccessPolicy accessPolicy = AccessPolicy.OPEN;
    private Consumer<Stream> onStream = stream -> { };
    private Consumer<HandshakeException> onInboundFailure =
        e -> log.debug("inbound handshake failed: {}", e.getMessage());
    private int threads = Math.max(1, Runtime.getRuntime().availableProcessors());
    private int maxPendingHandshakes = 256;
    private int handshakesPerSecond = 20;
    private int handshakeBurst = 10;
    private int cookieThreshold = 10;
    private KcpSettings kcp = KcpSettings.DEFAULTS;
    private EventLoopGroup tcpGroup;
    private EventLoopGroup kcpGroup;

    private Builder(NodeKey nodeKey) {
      this.nodeKey = Objects.requireNonNull(nodeKey, "nodeKey");
    }

    /** Time from connect to an accepted link, each direction (default 10 s). */
    public Builder handshakeTimeout(Duration timeout) {
      this.handshakeTimeout = positive(timeout, "handshake timeout");
      return this;
    }

    /** A stream that receives nothing for this long closes; keepalives go out at a third of it (default 30 s). */
    public Builder idleTimeout(Duration timeout) {
      this.idleTimeout = positive(timeout, "idle timeout");
      return this;
    }

    /**
     * A stream changes its sending key (REKEY, docs/protocol.md §6.1) before its next message once
     * {@code bytes} have been sent under the current key or {@code interval} has passed since it
     * took over (default 2^30 bytes or 2 minutes; bytes at most 2^31, the peer's limit being 2^32).
     */
    public Builder rekeyAfter(long bytes, Duration interval) {
      this.rekeying = new Rekeying(bytes, interval, rekeying.receiveLimit());
      return this;
    }

    /** The most bytes a peer may send under one key, the protocol's 2^32: tests lower it. */
    Builder rekeyReceiveLimit(long bytes) {
      this.rekeying = new Rekeying(rekeying.afterBytes(), rekeying.afterTime(), bytes);
      return this;
    }

    /** Who may link in (default: anyone who completes the handshake). */
    public Builder accessPolicy(AccessPolicy policy) {
      this.accessPolicy = Objects.requireNonNull(policy);
      return this;
    }

    /** Called on the stream's event loop when a link is up, before any of its data is read. */
    public Builder onStream(Consumer<Stream> callback) {
      this.onStream = Objects.requireNonNull(callback);
      return this;
    }

    /** Told about every inbound connection whose handshake failed or was refused, with why. */
    public Builder onInboundFailure(Consumer<HandshakeException> callback) {
      this.onInboundFailure = Objects.requireNonNull(callback);
      return this;
    }

    /** Threads of the TCP event loop group this Linker creates (default: one per core). */
    public Builder threads(int threads) {
      if (threads < 1) {
        throw new IllegalArgumentException("threads must be at least 1");
      }
      this.threads = threads;
      return this;
    }

    /**
     * Inbound connections each source address may start: {@code perSecond} on average, up to
     * {@code burst} at once (default 20/s, burst 10). Beyond it they are closed unanswered.
     */
    public Builder handshakeRate(int perSecond, int burst) {
      if (perSecond < 1 || burst < 1) {
        throw new IllegalArgumentException("handshake rate and burst must be at least 1");
      }
      this.handshakesPerSecond = perSecond;
      this.handshakeBurst = burst;
      return this;
    }

    /**
     * New KCP sources a second, node-wide, beyond which each must first prove with a cookie that it
     * receives at its address (docs/protocol.md §2.3; default 10, half a source's handshake rate,
     * so that spoofed datagrams below it cannot empty a real address's bucket). 0: always.
     */
    public Builder cookieThreshold(int perSecond) {
      if (perSecond < 0) {
        throw new IllegalArgumentException("cookie threshold must not be negative");
      }
      this.cookieThreshold = perSecond;
      return this;
    }

    /**
     * KCP's receive window and the ceiling of its adaptive send window, in bytes (default 4.5 MiB,
     * 64 KiB to 64 MiB): the most a KCP link keeps in flight, so about its throughput × round
     * trip. UDP socket buffers are twice this.
     */
    public Builder kcpWindow(int bytes) {
      this.kcp = new KcpSettings(bytes);
      return this;
    }

    /** Inbound handshakes in progress on all listeners beyond which new connections are closed (default 256). */
    public Builder maxPendingHandshakes(int max) {
      if (max < 1) {
        throw new IllegalArgumentException("maxPendingHandshakes must be at least 1");
      }
      this.maxPendingHandshakes = max;
      return this;
    }

    /**
     * Borrowed event loops, not shut down by {@link Linker#close()}: {@code tcp} epoll or NIO,
     * {@code kcp} NIO (kcp-netty only runs on NIO).
     */
    public Builder eventLoops(EventLoopGroup tcp, EventLoopGroup kcp) {
      if (!(kcp instanceof NioEventLoopGroup)) {
        throw new IllegalArgumentException("KCP needs a NioEventLoopGroup");
      }
      this.tcpGroup = Objects.requireNonNull(tcp);
      this.kcpGroup = kcp;
      return this;
    }

    public Linker build() {
      return new Linker(this);
    }

    private static Duration positive(Duration d, String what) {
      if (d == null || d.isNegative() || d.isZero()) {
        throw new IllegalArgumentException(what + " must be positive");
      }
      return d;
    }
  }
}
