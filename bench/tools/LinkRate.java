import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntFunction;
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
 * compiles the handshake path only after thousands of links, and this JVM's HTTP client warms up
 * too. Then opens COUNT streams to PEER at ENDPOINT, at most CONCURRENCY at once (timed), and
 * unlinks them all. Prints {@code links=… failed=… seconds=… links_per_s=…}.
 */
public class LinkRate {
    private static final Pattern STRING_FIELD = Pattern.compile("\"(\\w+)\"\\s*:\\s*\"([^\"]*)\"");
    private static final Pattern NUMBER_FIELD = Pattern.compile("\"(\\w+)\"\\s*:\\s*(\\d+)");

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final String base;
    private final String token;
    private final String body;

    private LinkRate(String dataDir, String peer, String endpoint) throws java.io.IOException {
        String access = Files.readString(Path.of(dataDir, "admin.json"));
        base = "http://" + field(STRING_FIELD, access, "host") + ":" + field(NUMBER_FIELD, access, "port");
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

        AtomicInteger warmupFailed = new AtomicInteger();
        inParallel(warmup, concurrency, i -> rate.link()
                .thenCompose(rate::unlink)
                .whenComplete((x, error) -> {
                    if (error != null) {
                        warmupFailed.incrementAndGet();
                    }
                }));
        if (warmupFailed.get() > 0) {
            System.err.println("LinkRate: " + warmupFailed.get() + " of " + warmup + " warm-up links failed");
        }

        ConcurrentLinkedQueue<String> streams = new ConcurrentLinkedQueue<>();
        AtomicInteger failed = new AtomicInteger();
        long start = System.nanoTime();
        inParallel(count, concurrency, i -> rate.link().whenComplete((stream, error) -> {
            if (error == null) {
                streams.add(stream);
            } else {
                failed.incrementAndGet();
            }
        }));
        double seconds = (System.nanoTime() - start) / 1e9;
        List<String> opened = List.copyOf(streams);
        inParallel(opened.size(), concurrency, i -> rate.unlink(opened.get(i)));
        System.out.printf("links=%d failed=%d seconds=%.3f links_per_s=%.1f%n",
                opened.size(), failed.get(), seconds, opened.size() / seconds);
        if (opened.isEmpty()) {
            System.exit(1);
        }
    }

    /** Runs {@code task(0..n-1)}, at most {@code concurrency} at once, and waits for all (failed or not). */
    private static void inParallel(int n, int concurrency, IntFunction<CompletableFuture<?>> task)
            throws InterruptedException {
        Semaphore inFlight = new Semaphore(concurrency);
        List<CompletableFuture<?>> calls = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            inFlight.acquire();
            calls.add(task.apply(i).whenComplete((x, error) -> inFlight.release()));
        }
        for (CompletableFuture<?> call : calls) {
            call.exceptionally(error -> null).join();
        }
    }

    /** POST /streams: completes with the new stream's id, or fails. */
    private CompletableFuture<String> link() {
        return http.sendAsync(request("/streams").POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                        HttpResponse.BodyHandlers.ofString())
                .thenApply(response -> {
                    if (response.statusCode() / 100 != 2) {
                        throw new IllegalStateException("POST /streams: " + response.statusCode() + " " + response.body());
                    }
                    return field(STRING_FIELD, response.body(), "id");
                });
    }

    private CompletableFuture<?> unlink(String stream) {
        return http.sendAsync(request("/streams/" + stream).DELETE().build(), HttpResponse.BodyHandlers.discarding());
    }

    private HttpRequest.Builder request(String path) {
        return HttpRequest.newBuilder(URI.create(base + path))
                .timeout(Duration.ofSeconds(60))
                .header("Authorization", "Bearer " + token)
                .header("Content-Type", "application/json");
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
