import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Many parallel connections through one TCP path: aggregate throughput and fairness, or idle holding.
 *
 * <pre>
 * java Fanout.java source BIND_HOST PORT            server: after one byte from a client, streams to it until it closes
 * java Fanout.java sink HOST PORT CONNS SECONDS     CONNS downloads at once; once all deliver data and after a 1 s
 *                                                   warm-up, counts bytes per connection over SECONDS; prints conns,
 *                                                   aggregate MB/s and Jain's index
 * java Fanout.java hold HOST PORT CONNS SECONDS     CONNS connections to an echo server, each proven with a 1-byte
 *                                                   round trip; prints "holding N" and keeps them idle SECONDS
 * java Fanout.java echo BIND_HOST PORT              the echo server for hold: one thread, a few bytes per connection
 * </pre>
 * Bytes are counted where they arrive, so data still queued in the path is never counted as delivered.
 */
public class Fanout {
    private static final int CHUNK = 64 * 1024;
    private static final int SEND_BUFFER = 256 * 1024;
    private static final long WARM_UP_NANOS = 1_000_000_000L;
    private static final long ESTABLISH_NANOS = 120_000_000_000L;

    public static void main(String[] args) throws Exception {
        if (args.length < 3) {
            usage();
        }
        switch (args[0]) {
            case "source" -> source(args[1], Integer.parseInt(args[2]));
            case "sink" -> sink(args[1], Integer.parseInt(args[2]), arg(args, 3), arg(args, 4));
            case "hold" -> hold(args[1], Integer.parseInt(args[2]), arg(args, 3), arg(args, 4));
            case "echo" -> echo(args[1], Integer.parseInt(args[2]));
            default -> usage();
        }
    }

    private static int arg(String[] args, int index) {
        if (args.length <= index) {
            usage();
        }
        return Integer.parseInt(args[index]);
    }

    private static void usage() {
        System.err.println("usage: Fanout source BIND_HOST PORT | sink HOST PORT CONNS SECONDS | hold HOST PORT CONNS SECONDS"
                + " | echo BIND_HOST PORT");
        System.exit(2);
    }

    /** What a one-thread server does with a connection that is ready to read or write. */
    private interface Ready {
        void handle(SelectionKey key) throws IOException;
    }

    /**
     * Accepts and serves every connection on this thread; {@code sendBuffer} fixes each accepted
     * socket's send buffer (0 leaves the kernel's autotuning).
     */
    private static void serve(String bind, int port, int sendBuffer, Ready ready) throws IOException {
        try (Selector selector = Selector.open(); ServerSocketChannel server = ServerSocketChannel.open()) {
            server.bind(new InetSocketAddress(InetAddress.getByName(bind), port), 4096);
            server.configureBlocking(false);
            server.register(selector, SelectionKey.OP_ACCEPT);
            System.out.println("listening " + ((InetSocketAddress) server.getLocalAddress()).getPort());
            System.out.flush();
            while (true) {
                selector.select();
                for (SelectionKey key : selector.selectedKeys()) {
                    try {
                        if (!key.isAcceptable()) {
                            ready.handle(key);
                            continue;
                        }
                        SocketChannel channel = server.accept();
                        if (channel != null) {
                            if (sendBuffer > 0) {
                                channel.setOption(StandardSocketOptions.SO_SNDBUF, sendBuffer);
                            }
                            channel.configureBlocking(false);
                            channel.register(selector, SelectionKey.OP_READ);
                        }
                    } catch (IOException closedByPeer) {
                        key.channel().close(); // the sink closes every connection when its window ends
                    }
                }
                selector.selectedKeys().clear();
            }
        }
    }

    /**
     * One thread serves every connection in turn, so the source itself favours none of them. A
     * fixed send buffer: with kernel autotuning (up to tcp_wmem's 4 MiB) a thousand connections
     * through a flow-controlled path queue gigabytes, the kernel's TCP memory goes into pressure
     * and drops segments on every connection, measuring its recovery.
     */
    private static void source(String bind, int port) throws IOException {
        ByteBuffer chunk = ByteBuffer.allocateDirect(CHUNK);
        ByteBuffer request = ByteBuffer.allocate(1);
        serve(bind, port, SEND_BUFFER, key -> {
            if (key.isReadable()) {
                request.clear();
                if (((SocketChannel) key.channel()).read(request) < 0) {
                    key.channel().close();
                } else if (request.position() > 0) {
                    key.interestOps(SelectionKey.OP_WRITE);
                }
            } else if (key.isWritable()) {
                ((SocketChannel) key.channel()).write(chunk.duplicate());
            }
        });
    }

    /**
     * Sends back what each connection sends, on one thread with one small buffer: ten thousand
     * idle connections cost this process their sockets only, not a thread and buffer each.
     */
    private static void echo(String bind, int port) throws IOException {
        ByteBuffer buffer = ByteBuffer.allocate(4096);
        serve(bind, port, 0, key -> {
            SocketChannel channel = (SocketChannel) key.channel();
            buffer.clear();
            if (channel.read(buffer) < 0) {
                channel.close();
            } else {
                // hold's requests are one byte, far below the socket's send buffer.
                channel.write(buffer.flip());
            }
        });
    }

    private static void sink(String host, int port, int conns, int seconds) throws IOException {
        List<SocketChannel> channels = new ArrayList<>(conns);
        long[] received = new long[conns];
        try (Selector selector = Selector.open()) {
            for (int i = 0; i < conns; i++) {
                SocketChannel channel = SocketChannel.open(new InetSocketAddress(host, port));
                channels.add(channel);
                channel.write(ByteBuffer.wrap(new byte[] {1}));
                channel.configureBlocking(false);
                channel.register(selector, SelectionKey.OP_READ, i);
            }
            ByteBuffer buffer = ByteBuffer.allocateDirect(CHUNK);
            awaitFlowing(selector, buffer, received);
            long start = System.nanoTime();
            long windowStart = start + WARM_UP_NANOS;
            long windowEnd = windowStart + seconds * 1_000_000_000L;
            long[] atWindowStart = null;
            for (long now = start; now < windowEnd; now = System.nanoTime()) {
                if (atWindowStart == null && now >= windowStart) {
                    atWindowStart = received.clone();
                }
                readReady(selector, buffer, received);
            }
            report(conns, seconds, received, atWindowStart);
        } finally {
            for (SocketChannel channel : channels) {
                channel.close();
            }
        }
    }

    /** The clock starts only once every connection delivers data: opening them all is not timed. */
    private static void awaitFlowing(Selector selector, ByteBuffer buffer, long[] received) throws IOException {
        long deadline = System.nanoTime() + ESTABLISH_NANOS;
        while (Arrays.stream(received).anyMatch(n -> n == 0)) {
            if (System.nanoTime() > deadline) {
                throw new IOException(Arrays.stream(received).filter(n -> n == 0).count() + " of " + received.length
                        + " connections delivered nothing within " + ESTABLISH_NANOS / 1_000_000_000L + " s");
            }
            readReady(selector, buffer, received);
        }
    }

    private static void readReady(Selector selector, ByteBuffer buffer, long[] received) throws IOException {
        selector.select(10);
        for (SelectionKey key : selector.selectedKeys()) {
            int index = (Integer) key.attachment();
            buffer.clear();
            int n = ((SocketChannel) key.channel()).read(buffer);
            if (n < 0) {
                throw new IOException("connection " + index + " closed by the path during the measurement");
            }
            received[index] += n;
        }
        selector.selectedKeys().clear();
    }

    private static void report(int conns, int seconds, long[] received, long[] atWindowStart) {
        double sum = 0;
        double sumOfSquares = 0;
        double min = Double.MAX_VALUE;
        double max = 0;
        for (int i = 0; i < conns; i++) {
            double rate = (received[i] - atWindowStart[i]) / (double) seconds;
            sum += rate;
            sumOfSquares += rate * rate;
            min = Math.min(min, rate);
            max = Math.max(max, rate);
        }
        // Jain's fairness index: 1 when every connection gets the same share, 1/n when one gets all.
        double jain = sumOfSquares == 0 ? 0 : sum * sum / (conns * sumOfSquares);
        System.out.printf("conns=%d total_MBps=%.1f jain=%.4f min_MBps=%.3f max_MBps=%.3f%n",
                conns, sum / 1e6, jain, min / 1e6, max / 1e6);
    }

    private static void hold(String host, int port, int conns, int seconds) throws IOException, InterruptedException {
        List<Socket> sockets = new ArrayList<>(conns);
        try {
            for (int i = 0; i < conns; i++) {
                Socket socket = new Socket();
                sockets.add(socket);
                socket.connect(new InetSocketAddress(host, port), 10_000);
                socket.setSoTimeout(10_000);
                socket.getOutputStream().write(1);
                if (socket.getInputStream().read() < 0) {
                    throw new IOException("connection " + i + " closed before its first reply");
                }
            }
            System.out.println("holding " + conns);
            System.out.flush();
            Thread.sleep(seconds * 1000L);
        } finally {
            for (Socket socket : sockets) {
                socket.close();
            }
        }
    }
}
