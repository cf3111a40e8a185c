package gauntlet;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * Gauntlet's Java reference server: the JDK's com.sun.net.httpserver,
 * implementing reference-servers/CONTRACT.md. Each exchange runs on a virtual
 * thread when the JDK is 21 or newer, else on a fixed pool of platform threads.
 */
public final class Server {
    static final int MAX_ECHO_BODY = 1024 * 1024;
    /** The platform-thread pool size (JDKs before 21, or JAVA_THREADS=platform): Tomcat's default maxThreads. */
    static final int PLATFORM_POOL_THREADS = 200;
    private static final byte[] PLAINTEXT_BODY = "Hello, World!".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] JSON_BODY = "{\"message\":\"Hello, World!\"}".getBytes(StandardCharsets.US_ASCII);
    private static final Map<String, String> ROUTES = Map.of(
            "/plaintext", "GET",
            "/json", "GET",
            "/echo", "POST",
            "/cpu", "GET",
            "/sleep", "GET",
            "/alloc", "GET",
            "/fanout", "GET");

    private final Fanout fanout;

    private Server(Fanout fanout) {
        this.fanout = fanout;
    }

    /** A query parameter outside its range: answered 400 with the message. */
    static final class BadRequest extends Exception {
        private static final long serialVersionUID = 1L;

        BadRequest(String message) {
            super(message);
        }
    }

    public static void main(String[] args) throws IOException {
        int port = Integer.parseInt(System.getenv().getOrDefault("PORT", "0"));
        String upstream = System.getenv("UPSTREAM_URL");
        Server app = new Server(upstream == null || upstream.isEmpty() ? null : new Fanout(upstream));

        String model;
        ExecutorService executor;
        // JAVA_THREADS=platform selects the fixed platform-thread pool on any
        // JDK (the java-httpserver-platform server), for the comparison with
        // virtual threads; unset or "virtual", JDK 21+ uses virtual threads.
        String threads = System.getenv().getOrDefault("JAVA_THREADS", "virtual");
        if (!threads.equals("virtual") && !threads.equals("platform")) {
            throw new IllegalArgumentException("JAVA_THREADS must be \"virtual\" or \"platform\", not \"" + threads + "\"");
        }
        if (Runtime.version().feature() >= 21 && threads.equals("virtual")) {
            executor = virtualThreadPerTaskExecutor();
            model = "virtual thread per request";
        } else {
            executor = Executors.newFixedThreadPool(PLATFORM_POOL_THREADS);
            model = "fixed pool of " + PLATFORM_POOL_THREADS + " platform threads";
        }

        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", port), 4096);
        server.createContext("/", app::handle);
        server.setExecutor(executor);
        server.start();

        if (app.fanout != null) {
            app.fanout.warmUp(URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/plaintext"));
        }

        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            // Give running exchanges up to 1 s, then stop; halt(0) makes the
            // exit status 0 rather than the JVM's 143 for SIGTERM.
            server.stop(1);
            executor.shutdownNow();
            Runtime.getRuntime().halt(0);
        }));

        System.out.printf("listening on 127.0.0.1:%d (%s %s, com.sun.net.httpserver, %s, %d CPUs, %s)%n",
                server.getAddress().getPort(), System.getProperty("java.vm.name"),
                Runtime.version(), model, Runtime.getRuntime().availableProcessors(), collector());
        System.out.flush();
    }

    /**
     * The garbage collector the JVM actually runs, from its MXBeans: the
     * default depends on the CPUs it sees (Serial on one CPU, G1 on two or
     * more with enough memory), so it is printed rather than assumed.
     */
    static String collector() {
        List<String> names = new ArrayList<>();
        for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
            names.add(gc.getName());
        }
        String joined = String.join(", ", names);
        String kind;
        if (joined.contains("G1")) {
            kind = "G1";
        } else if (joined.contains("MarkSweepCompact") || joined.contains("Copy")) {
            kind = "Serial";
        } else if (joined.contains("PS ")) {
            kind = "Parallel";
        } else if (joined.contains("ZGC")) {
            kind = "ZGC";
        } else if (joined.contains("Shenandoah")) {
            kind = "Shenandoah";
        } else if (joined.contains("Epsilon") || names.isEmpty()) {
            kind = "no";
        } else {
            kind = "unknown";
        }
        return kind + " GC (" + joined + ")";
    }

    /** Executors.newVirtualThreadPerTaskExecutor(), looked up at run time so the classes also run on JDK 17. */
    private static ExecutorService virtualThreadPerTaskExecutor() {
        try {
            return (ExecutorService) Executors.class.getMethod("newVirtualThreadPerTaskExecutor").invoke(null);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("JDK 21+ without virtual threads", e);
        }
    }

    private void handle(HttpExchange ex) throws IOException {
        try (ex) {
            String path = ex.getRequestURI().getPath();
            String method = ROUTES.get(path);
            if (method == null) {
                sendError(ex, 404, "no such path: " + path);
                return;
            }
            if (!method.equals(ex.getRequestMethod())) {
                ex.getResponseHeaders().set("Allow", method);
                sendError(ex, 405, path + " accepts " + method + " only");
                return;
            }
            try {
                route(ex, path, query(ex.getRequestURI().getRawQuery()));
            } catch (BadRequest e) {
                sendError(ex, 400, e.getMessage());
            }
        } catch (RuntimeException e) {
            // Never let one request take the server down; the exchange is closed above.
            System.err.println("request failed: " + e);
        }
    }

    private void route(HttpExchange ex, String path, Map<String, String> query) throws IOException, BadRequest {
        switch (path) {
            case "/plaintext":
                send(ex, 200, "text/plain; charset=utf-8", PLAINTEXT_BODY);
                break;
            case "/json":
                send(ex, 200, "application/json", JSON_BODY);
                break;
            case "/echo":
                echo(ex);
                break;
            case "/cpu": {
                long n = intParam(query, "n", 0, 1_000_000);
                sendJson(ex, 200, "{\"n\":" + n + ",\"primes\":" + countPrimes(n) + "}");
                break;
            }
            case "/sleep": {
                long ms = intParam(query, "ms", 0, 10_000);
                try {
                    // On a virtual thread this unmounts it: no OS thread waits.
                    Thread.sleep(ms);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
                sendJson(ex, 200, "{\"slept_ms\":" + ms + "}");
                break;
            }
            case "/alloc": {
                long kb = intParam(query, "kb", 0, 65_536);
                int count = (int) kb * 16;
                sendJson(ex, 200, "{\"kb\":" + kb + ",\"objects\":" + count + ",\"checksum\":" + allocate(count) + "}");
                break;
            }
            case "/fanout": {
                long arrivedAt = System.nanoTime();
                int n = (int) intParam(query, "n", 1, 10_000);
                int deadlineMs = (int) intParam(query, "deadline_ms", 1, 60_000);
                if (fanout == null) {
                    sendError(ex, 503, "UPSTREAM_URL is not set");
                    return;
                }
                int arrived = fanout.call(n, arrivedAt + deadlineMs * 1_000_000L);
                sendJson(ex, 200, "{\"requested\":" + n + ",\"arrived\":" + arrived + ",\"missed\":" + (n - arrived)
                        + ",\"deadline_ms\":" + deadlineMs + "}");
                break;
            }
            default:
                sendError(ex, 404, "no such path: " + path);
        }
    }

    private static void echo(HttpExchange ex) throws IOException {
        String declared = ex.getRequestHeaders().getFirst("Content-Length");
        if (declared != null && declared.length() > 7) { // 8+ digits: over 1 MiB for sure
            tooLarge(ex);
            return;
        }
        if (declared != null && declared.chars().allMatch(Character::isDigit) && Long.parseLong(declared) > MAX_ECHO_BODY) {
            tooLarge(ex);
            return;
        }
        byte[] body;
        try (InputStream in = ex.getRequestBody()) {
            body = in.readNBytes(MAX_ECHO_BODY + 1);
        }
        if (body.length > MAX_ECHO_BODY) {
            tooLarge(ex);
            return;
        }
        Object value;
        try {
            String text = StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(body))
                    .toString();
            value = Json.parse(text);
        } catch (CharacterCodingException | Json.ParseException | StackOverflowError e) {
            sendError(ex, 400, "request body must be one valid JSON value");
            return;
        }
        sendJson(ex, 200, Json.write(value));
    }

    private static void tooLarge(HttpExchange ex) throws IOException {
        // Closing the connection afterwards: the rest of the body is never read.
        ex.getResponseHeaders().set("Connection", "close");
        sendError(ex, 413, "request body must be at most " + MAX_ECHO_BODY + " bytes");
    }

    /** The contract's trial division, exactly: no sieve, no skipping even divisors. */
    static long countPrimes(long n) {
        long count = 0;
        for (long i = 2; i <= n; i++) {
            boolean prime = true;
            for (long d = 2; d * d <= i; d++) {
                if (i % d == 0) {
                    prime = false;
                    break;
                }
            }
            if (prime) {
                count++;
            }
        }
        return count;
    }

    /** Allocates {@code count} separate 64-byte arrays, all alive at once, and sums their bytes. */
    static long allocate(int count) {
        byte[][] held = new byte[count][];
        for (int i = 0; i < count; i++) {
            byte[] obj = new byte[64];
            for (int j = 0; j < 64; j++) {
                obj[j] = (byte) (i + j);
            }
            held[i] = obj;
        }
        long sum = 0;
        for (byte[] obj : held) {
            for (byte b : obj) {
                sum += b & 0xff;
            }
        }
        return sum;
    }

    private static Map<String, String> query(String raw) {
        Map<String, String> params = new HashMap<>();
        if (raw == null || raw.isEmpty()) {
            return params;
        }
        for (String pair : raw.split("&")) {
            int eq = pair.indexOf('=');
            String name = eq < 0 ? pair : pair.substring(0, eq);
            String value = eq < 0 ? "" : pair.substring(eq + 1);
            try {
                params.putIfAbsent(URLDecoder.decode(name, StandardCharsets.UTF_8),
                        URLDecoder.decode(value, StandardCharsets.UTF_8));
            } catch (IllegalArgumentException e) {
                // A malformed %-escape: the parameter counts as missing.
            }
        }
        return params;
    }

    /** Reads query parameter {@code name} as a decimal integer in [lo, hi]. */
    static long intParam(Map<String, String> query, String name, long lo, long hi) throws BadRequest {
        String raw = query.get(name);
        if (raw != null && raw.matches("-?[0-9]{1,18}")) {
            long value = Long.parseLong(raw);
            if (value >= lo && value <= hi) {
                return value;
            }
        }
        throw new BadRequest("query parameter \"" + name + "\" must be an integer from " + lo + " to " + hi
                + " (got " + Json.write(raw == null ? "" : raw) + ")");
    }

    /** Sends a whole response with an explicit Content-Length (never chunked). */
    private static void send(HttpExchange ex, int status, String contentType, byte[] body) throws IOException {
        ex.getResponseHeaders().set("Content-Type", contentType);
        ex.sendResponseHeaders(status, body.length == 0 ? -1 : body.length);
        try (OutputStream out = ex.getResponseBody()) {
            out.write(body);
        }
    }

    private static void sendJson(HttpExchange ex, int status, String json) throws IOException {
        send(ex, status, "application/json", json.getBytes(StandardCharsets.UTF_8));
    }

    private static void sendError(HttpExchange ex, int status, String message) throws IOException {
        sendJson(ex, status, "{\"error\":" + Json.write(message) + "}");
    }
}
