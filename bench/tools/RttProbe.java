import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Arrays;

/**
 * Request/response latency through a TCP path (direct, {@code ssh -L}, {@code weft forward}).
 *
 * <pre>
 * java RttProbe.java serve BIND_HOST PORT        echo server; prints "listening PORT" when bound
 * java RttProbe.java rtt HOST PORT COUNT [SIZE]  one connection, COUNT timed SIZE-byte (default 64) round trips
 * java RttProbe.java open HOST PORT COUNT        COUNT x (connect, 1-byte round trip, close): opening latency
 * java RttProbe.java watch HOST PORT SECONDS      64-byte round trips for SECONDS, each printed as "sample
 *                                                END_EPOCH_MS MICROS", so a stall (a migration pause, a
 *                                                failover) can be matched to the moment it was caused
 * </pre>
 * Clients end with one line: {@code n=… p50_us=… p90_us=… p99_us=… max_us=…}.
 */
public class RttProbe {
    private static final int READ_TIMEOUT_MS = 10_000;

    public static void main(String[] args) throws Exception {
        if (args.length < 3) {
            usage();
        }
        switch (args[0]) {
            case "serve" -> serve(args[1], Integer.parseInt(args[2]));
            case "rtt" -> print(roundTrips(args[1], Integer.parseInt(args[2]), count(args),
                    args.length > 4 ? Integer.parseInt(args[4]) : 64));
            case "open" -> print(opens(args[1], Integer.parseInt(args[2]), count(args)));
            case "watch" -> print(watch(args[1], Integer.parseInt(args[2]), count(args)));
            default -> usage();
        }
    }

    private static int count(String[] args) {
        if (args.length < 4) {
            usage();
        }
        return Integer.parseInt(args[3]);
    }

    private static void usage() {
        System.err.println("usage: RttProbe serve BIND_HOST PORT | rtt HOST PORT COUNT [SIZE] | open HOST PORT COUNT"
                + " | watch HOST PORT SECONDS");
        System.exit(2);
    }

    private static void serve(String bind, int port) throws IOException {
        try (ServerSocket server = new ServerSocket()) {
            server.setReuseAddress(true);
            server.bind(new InetSocketAddress(InetAddress.getByName(bind), port), 1024);
            System.out.println("listening " + server.getLocalPort());
            System.out.flush();
            while (true) {
                Socket socket = server.accept();
                Thread echo = new Thread(() -> echo(socket), "echo");
                echo.setDaemon(true);
                echo.start();
            }
        }
    }

    private static void echo(Socket socket) {
        try (socket; InputStream in = socket.getInputStream(); OutputStream out = socket.getOutputStream()) {
            socket.setTcpNoDelay(true);
            byte[] buffer = new byte[64 * 1024];
            for (int n; (n = in.read(buffer)) > 0; ) {
                out.write(buffer, 0, n);
            }
        } catch (IOException closedByPeer) {
            // the client decides when a connection ends; nothing to report
        }
    }

    private static long[] roundTrips(String host, int port, int count, int size) throws IOException {
        try (Socket socket = connect(host, port)) {
            DataInputStream in = new DataInputStream(socket.getInputStream());
            OutputStream out = socket.getOutputStream();
            byte[] request = new byte[size];
            byte[] reply = new byte[size];
            // Warm the JIT and the path's buffers before timing, so the figures describe the path.
            for (int i = 0; i < Math.min(2_000, count / 5 + 1); i++) {
                out.write(request);
                in.readFully(reply);
            }
            long[] samples = new long[count];
            for (int i = 0; i < count; i++) {
                long start = System.nanoTime();
                out.write(request);
                in.readFully(reply);
                samples[i] = System.nanoTime() - start;
            }
            return samples;
        }
    }

    private static long[] watch(String host, int port, int seconds) throws IOException {
        try (Socket socket = connect(host, port)) {
            socket.setSoTimeout(seconds * 1000 + READ_TIMEOUT_MS);
            DataInputStream in = new DataInputStream(socket.getInputStream());
            OutputStream out = socket.getOutputStream();
            byte[] request = new byte[64];
            long[] samples = new long[1 << 16];
            int count = 0;
            StringBuilder log = new StringBuilder(1 << 20); // printed afterwards: printing must not slow the loop
            long end = System.nanoTime() + seconds * 1_000_000_000L;
            for (long now = System.nanoTime(); now < end; ) {
                out.write(request);
                in.readFully(request);
                long done = System.nanoTime();
                log.append("sample ").append(System.currentTimeMillis()).append(' ').append((done - now) / 1000).append('\n');
                if (count == samples.length) {
                    samples = Arrays.copyOf(samples, count * 2);
                }
                samples[count++] = done - now;
                now = done;
            }
            System.out.print(log);
            return Arrays.copyOf(samples, count);
        }
    }

    private static long[] opens(String host, int port, int count) throws IOException {
        long[] samples = new long[count];
        for (int i = 0; i < count; i++) {
            long start = System.nanoTime();
            try (Socket socket = connect(host, port)) {
                socket.getOutputStream().write(1);
                if (socket.getInputStream().read() < 0) {
                    throw new IOException("connection closed before the first reply");
                }
                samples[i] = System.nanoTime() - start;
            }
        }
        return samples;
    }

    private static Socket connect(String host, int port) throws IOException {
        Socket socket = new Socket();
        socket.setTcpNoDelay(true);
        socket.connect(new InetSocketAddress(host, port), READ_TIMEOUT_MS);
        socket.setSoTimeout(READ_TIMEOUT_MS);
        return socket;
    }

    private static void print(long[] nanos) {
        Arrays.sort(nanos);
        System.out.printf("n=%d p50_us=%.1f p90_us=%.1f p99_us=%.1f max_us=%.1f%n", nanos.length,
                percentile(nanos, 50), percentile(nanos, 90), percentile(nanos, 99), nanos[nanos.length - 1] / 1e3);
    }

    /** Nearest-rank percentile of sorted samples, in microseconds. */
    private static double percentile(long[] sorted, double p) {
        int rank = (int) Math.ceil(p / 100.0 * sorted.length);
        return sorted[Math.max(0, rank - 1)] / 1e3;
    }
}
