package gauntlet;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;

/** Calls the upstream N times at once through one keep-alive HttpClient. */
final class Fanout {
    private final String base;
    private final HttpClient client;

    Fanout(String upstreamUrl) {
        this.base = upstreamUrl.endsWith("/") ? upstreamUrl.substring(0, upstreamUrl.length() - 1) : upstreamUrl;
        // HTTP/1.1 explicitly: the default would try an h2c upgrade on every new connection.
        this.client = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(10))
                .build();
    }

    /**
     * Makes one request through the client to {@code target} (this server's
     * own /plaintext) and waits for it, so that java.net.http's classes are
     * loaded before the first /fanout instead of during it. Failures are ignored.
     */
    void warmUp(URI target) {
        try {
            client.send(HttpRequest.newBuilder(target).timeout(Duration.ofSeconds(5)).GET().build(),
                    HttpResponse.BodyHandlers.discarding());
        } catch (IOException e) {
            // Only a warm-up: the first /fanout will simply be slower.
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Sends n requests at once and waits until all have answered or the
     * deadline (a System.nanoTime() value) has passed; returns how many
     * answered 200 by then. Calls still in flight are cancelled.
     */
    int call(int n, long deadlineNanos) {
        AtomicInteger arrived = new AtomicInteger();
        List<CompletableFuture<HttpResponse<Void>>> sends = new ArrayList<>(n);
        List<CompletableFuture<Void>> settled = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            // Issuing a call costs real time on this client; once the
            // deadline has passed, calls not yet issued could not arrive.
            if (System.nanoTime() > deadlineNanos) {
                break;
            }
            HttpRequest request = HttpRequest.newBuilder(URI.create(base + "/item?i=" + i)).GET().build();
            CompletableFuture<HttpResponse<Void>> send = client.sendAsync(request, HttpResponse.BodyHandlers.discarding());
            sends.add(send);
            // Never completes exceptionally, so allOf waits for every call;
            // a failed call simply does not count.
            settled.add(send.handle((resp, error) -> {
                if (error == null && resp.statusCode() == 200 && System.nanoTime() <= deadlineNanos) {
                    arrived.incrementAndGet();
                }
                return null;
            }));
        }
        try {
            CompletableFuture.allOf(settled.toArray(new CompletableFuture<?>[0]))
                    .get(Math.max(0, deadlineNanos - System.nanoTime()), TimeUnit.NANOSECONDS);
        } catch (TimeoutException | ExecutionException e) {
            // The deadline passed: calls not yet answered count as missed.
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        int result = arrived.get();
        // Abandon the calls still in flight (HttpClient aborts their
        // exchanges). Closing hundreds of connections takes a while, so it
        // happens off the request's path.
        CompletableFuture.runAsync(() -> sends.forEach(send -> send.cancel(true)));
        return result;
    }
}
