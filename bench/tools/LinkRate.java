import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Full handshakes (links) per second between two running weft nodes, driven through the admin API
 * of the dialling node so that no CLI start-up is timed.
 *
 * <pre>
 * java LinkRate.java DATA_DIR PEER ENDPOINT COUNT CONCURRENCY
 * </pre>
 * Opens COUNT streams to PEER at ENDPOINT, at most CONCURRENCY at once, then unlinks them all.
 * Prints {@code links=… failed=… seconds=… links_per_s=…}.
 */
public class LinkRate {
    private static final Pattern STRING_FIELD = Pattern.compile("\"(\\w+)\"\\s*:\\s*\"([^\"]*)\"");
    private static final Pattern NUMBER_FIELD = Pattern.compile("\"(\\w+)\"\\s*:\\s*(\\d+)");

    public static void main(String[] args) throws Exception {
        if (args.length != 5) {
            System.err.println("usage: LinkRate DATA_DIR PEER ENDPOINT COUNT CONCURRENCY");
            System.exit(2);
        }
        String access = Files.readString(Path.of(args[0], "admin.json"));
        String base = "http://" + field(STRING_FIELD, access, "host") + ":" + field(NUMBER_FIELD, access, "port");
        String token = field(STRING_FIELD, access, "token");
        String body = "{\"peer\":\"" + args[1] + "\",\"endpoint\":\"" + args[2] + "\"}";
        int count = Integer.parseInt(args[3]);
        Semaphore inFlight = new Semaphore(Integer.parseInt(args[4]));

        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        ConcurrentLinkedQueue<String> streams = new ConcurrentLinkedQueue<>();
        AtomicInteger failed = new AtomicInteger();
        List<java.util.concurrent.CompletableFuture<?>> calls = new ArrayList<>();
        long start = System.nanoTime();
        for (int i = 0; i < count; i++) {
            inFlight.acquire();
            calls.add(http.sendAsync(request(base, "/streams", token).POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                            HttpResponse.BodyHandlers.ofString())
                    .whenComplete((response, error) -> {
                        inFlight.release();
                        if (error == null && response.statusCode() / 100 == 2) {
                            streams.add(field(STRING_FIELD, response.body(), "id"));
                        } else {
                            failed.incrementAndGet();
                        }
                    }));
        }
        for (var call : calls) {
            call.exceptionally(error -> null).join();
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        for (String stream : streams) {
            http.send(request(base, "/streams/" + stream, token).DELETE().build(), HttpResponse.BodyHandlers.discarding());
        }
        System.out.printf("links=%d failed=%d seconds=%.3f links_per_s=%.1f%n",
                streams.size(), failed.get(), seconds, streams.size() / seconds);
        if (streams.isEmpty()) {
            System.exit(1);
        }
    }

    private static HttpRequest.Builder request(String base, String path, String token) {
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
