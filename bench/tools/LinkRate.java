import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Full handshakes (links) per second between two running weft nodes, driven through the admin API
 * of the dialling node so that no CLI start-up is timed.
 *
 * <pre>
 * java LinkRate.java DATA_DIR PEER ENDPOINT COUNT CONCURRENCY [WARMUP]
 * </pre>
 * First WARMUP links (default 0), each unlinked as soon as it is up, unrecorded: the nodes' JIT
 * compiles the handshake path only after thousands of links. Then opens COUNT streams to PEER at
 * ENDPOINT, at most CONCURRENCY at once (timed), and unlinks them all. Prints
 * {@code links=… failed=… seconds=… links_per_s=…}.
 *
 * <p>Each of CONCURRENCY threads sends its requests over one kept-alive HTTP/1.1 connection with
 * blocking sockets: the JDK's HttpClient spent more CPU per link than both nodes together, and on a
 * machine of two cores the client's CPU is taken from the nodes it measures.
 */
public class LinkRate {
    private static final Pattern STRING_FIELD = Pattern.compile("\"(\\w+)\"\\s*:\\s*\"([^\"]*)\"");
    private static final Pattern NUMBER_FIELD = Pattern.compile("\"(\\w+)\"\\s*:\\s*(\\d+)");

    private final InetSocketAddress admin;
    private final String token;
    private final String body;

    private LinkRate(String dataDir, String peer, String endpoint) throws IOException {
        String access = Files.readString(Path.of(dataDir, "admin.json"));
        admin = new InetSocketAddress(field(STRING_FIELD, access, "host"),
                Integer.parseInt(field(NUMBER_FIELD, access, "port")));
        token = field(STRING_FIELD, access, "token");
        body = "{\"peer\":\"" + peer + "\",\"endpoint\":\"" + endpoint + "\"}";
    }

    public static void main(String[] args) throws Exception {
        if (args.length != 5 && args.length != 6) {
            System.err.println("usage: LinkRate DATA_DIR PEER ENDPOINT COUNT CONCURRENCY [WARMUP]");
            System.exit(2);
        }
        LinkRate rate = new LinkRate(args[0], args[1], args[2]);
        int count = Integer.parseInt(args[3]);
        int concurrency = Integer.parseInt(args[4]);
        int warmup = args.length == 6 ? Integer.parseInt(args[5]) : 0;

        int warmupFailed = rate.inParallel(warmup, concurrency, (http, i) -> http.unlink(http.link()));
        if (warmupFailed > 0) {
            System.err.println("LinkRate: " + warmupFailed + " of " + warmup + " warm-up links failed");
        }
        ConcurrentLinkedQueue<String> streams = new ConcurrentLinkedQueue<>();
        long start = System.nanoTime();
        int failed = rate.inParallel(count, concurrency, (http, i) -> streams.add(http.link()));
        double seconds = (System.nanoTime() - start) / 1e9;
        List<String> opened = List.copyOf(streams);
        rate.inParallel(opened.size(), concurrency, (http, i) -> http.unlink(opened.get(i)));
        System.out.printf(Locale.ROOT, "links=%d failed=%d seconds=%.3f links_per_s=%.1f%n",
                opened.size(), failed, seconds, opened.size() / seconds);
        if (opened.isEmpty()) {
            System.exit(1);
        }
    }

    interface Task {
        void run(Admin http, int index) throws IOException;
    }

    /** Runs tasks 0..n-1 on {@code concurrency} threads, each with its own connection; returns how many failed. */
    private int inParallel(int n, int concurrency, Task task) throws InterruptedException {
        AtomicInteger next = new AtomicInteger();
        AtomicInteger failed = new AtomicInteger();
        List<Thread> threads = new ArrayList<>();
        for (int t = 0; t < Math.min(n, concurrency); t++) {
            Thread thread = new Thread(() -> {
                Admin http = new Admin();
                for (int i = next.getAndIncrement(); i < n; i = next.getAndIncrement()) {
                    try {
                        task.run(http, i);
                    } catch (IOException | RuntimeException e) {
                        if (failed.getAndIncrement() == 0) {
                            System.err.println("LinkRate: " + e.getMessage());
                        }
                        http.close();
                    }
                }
                http.close();
            });
            thread.start();
            threads.add(thread);
        }
        for (Thread thread : threads) {
            thread.join();
        }
        return failed.get();
    }

    /** One kept-alive connection to the admin API, opened when first needed and again after an error. */
    private final class Admin {
        private Socket socket;
        private InputStream in;
        private OutputStream out;

        /** POST /streams: the new stream's id. */
        String link() throws IOException {
            return field(STRING_FIELD, call("POST", "/streams", body), "id");
        }

        void unlink(String stream) throws IOException {
            call("DELETE", "/streams/" + stream, "");
        }

        private String call(String method, String path, String content) throws IOException {
            if (socket == null) {
                socket = new Socket();
                socket.setTcpNoDelay(true);
                socket.setSoTimeout(60_000);
                socket.connect(admin, 5_000);
                in = new BufferedInputStream(socket.getInputStream());
                out = new BufferedOutputStream(socket.getOutputStream());
            }
            byte[] bytes = content.getBytes(StandardCharsets.UTF_8);
            out.write((method + " " + path + " HTTP/1.1\r\nHost: " + admin.getHostString() + "\r\nAuthorization: Bearer "
                    + token + "\r\nContent-Type: application/json\r\nContent-Length: " + bytes.length + "\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            out.write(bytes);
            out.flush();
            String status = line();
            int length = 0;
            boolean close = false;
            for (String header = line(); !header.isEmpty(); header = line()) {
                String name = header.substring(0, Math.max(0, header.indexOf(':'))).trim().toLowerCase(Locale.ROOT);
                String value = header.substring(header.indexOf(':') + 1).trim();
                if (name.equals("content-length")) {
                    length = Integer.parseInt(value);
                } else if (name.equals("connection") && value.equalsIgnoreCase("close")) {
                    close = true;
                }
            }
            String reply = new String(in.readNBytes(length), StandardCharsets.UTF_8);
            if (close) {
                close();
            }
            if (!status.startsWith("HTTP/1.1 2")) {
                throw new IOException(method + " " + path + ": " + status + " " + reply);
            }
            return reply;
        }

        private String line() throws IOException {
            ByteArrayOutputStream line = new ByteArrayOutputStream();
            for (int b = in.read(); b != '\n'; b = in.read()) {
                if (b < 0) {
                    throw new IOException("the admin API closed the connection");
                }
                if (b != '\r') {
                    line.write(b);
                }
            }
            return line.toString(StandardCharsets.US_ASCII);
        }

        void close() {
            if (socket != null) {
                try {
                    socket.close();
                } catch (IOException e) {
                    // closing is all that is left to do with it
                }
                socket = null;
            }
        }
    }

    private static String field(Pattern pattern, String json, String name) {
        Matcher matcher = pattern.matcher(json);
        while (matcher.find()) {
            if (matcher.group(1).equals(name)) {
                return matcher.group(2);
            }
        }
        throw new IllegalStateException("no \"" + name + "\" in " + json);
    }
}
