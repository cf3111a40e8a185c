package gauntlet.spring;

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

import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Service;

/**
 * Calls the upstream ({@code UPSTREAM_URL}) N times at once through one
 * keep-alive JDK HttpClient; the same client code as java-httpserver, so the
 * two Java servers differ only in the server side.
 */
@Service
class Fanout {
    private final String base;
    private final HttpClient client;

    Fanout(@Value("${UPSTREAM_URL:}") String upstreamUrl) {
        this.base = upstreamUrl.endsWith("/") ? upstreamUrl.substring(0, upstreamUrl.length() - 1) : upstreamUrl;
        // HTTP/1.1 explicitly: the default would try an h2c upgrade on every new connection.
        this.client = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(10))
                .build();
    }

    /** True when {@code UPSTREAM_URL} is set. */
    boolean configured() {
        return !base.isEmpty();
    }

    /**
     * Makes one request to {@code target} (this server's own /plaintext) so
     * that java.net.http's classes are loaded before the first /fanout.
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
            // Once the deadline has passed, calls not yet issued could not arrive.
            if (System.nanoTime() > deadlineNanos) {
                break;
            }
            HttpRequest request = HttpRequest.newBuilder(URI.create(base + "/item?i=" + i)).GET().build();
            CompletableFuture<HttpResponse<Void>> send = client.sendAsync(request, HttpResponse.BodyHandlers.discarding());
            sends.add(send);
            // Never completes exceptionally: a failed call simply does not count.
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
        // Abandon the calls still in flight, off the request's path.
        CompletableFuture.runAsync(() -> sends.forEach(send -> send.cancel(true)));
        return result;
    }
}
