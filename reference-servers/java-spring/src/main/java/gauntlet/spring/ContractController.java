package gauntlet.spring;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

import jakarta.servlet.http.HttpServletRequest;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.event.EventListener;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectReader;
import tools.jackson.databind.json.JsonMapper;

/**
 * The endpoints of reference-servers/CONTRACT.md. Handlers run on a virtual
 * thread each (spring.threads.virtual.enabled on JDK 21+), so {@code /sleep}
 * is a plain {@code Thread.sleep} that holds no OS thread.
 */
@RestController
class ContractController {
    static final int MAX_ECHO_BODY = 1024 * 1024;
    private static final Pattern INTEGER = Pattern.compile("-?[0-9]+");
    private static final byte[] PLAINTEXT = "Hello, World!".getBytes(StandardCharsets.UTF_8);
    private static final byte[] JSON = "{\"message\":\"Hello, World!\"}".getBytes(StandardCharsets.UTF_8);

    private final JsonMapper mapper;
    private final ObjectReader strictReader;
    private final Fanout fanout;

    ContractController(JsonMapper mapper, Fanout fanout) {
        this.mapper = mapper;
        // One JSON value and nothing after it.
        this.strictReader = mapper.reader().with(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
        this.fanout = fanout;
    }

    /** Loads the upstream client's classes once the server answers (not on the startup clock). */
    @EventListener
    void warmUpFanout(ApplicationReadyEvent event) {
        if (!fanout.configured()) {
            return;
        }
        int port = ((WebServerApplicationContext) event.getApplicationContext()).getWebServer().getPort();
        Thread warmUp = new Thread(() -> fanout.warmUp(URI.create("http://127.0.0.1:" + port + "/plaintext")),
                "fanout-warm-up");
        warmUp.setDaemon(true);
        warmUp.start();
    }

    record CpuAnswer(int n, int primes) {
    }

    record SleepAnswer(int slept_ms) {
    }

    record AllocAnswer(int kb, int objects, long checksum) {
    }

    record FanoutAnswer(int requested, int arrived, int missed, int deadline_ms) {
    }

    @GetMapping("/plaintext")
    ResponseEntity<byte[]> plaintext() {
        return ResponseEntity.ok().contentType(MediaType.TEXT_PLAIN).body(PLAINTEXT);
    }

    @GetMapping("/json")
    ResponseEntity<byte[]> json() {
        return ResponseEntity.ok().contentType(MediaType.APPLICATION_JSON).body(JSON);
    }

    /**
     * Reads the body itself (at most 1 MiB + 1 byte) rather than through
     * {@code @RequestBody}: Spring's converters have no size cap for JSON,
     * and an answer of up to 1 MiB is sent as bytes so that it carries
     * Content-Length rather than chunked encoding.
     */
    @PostMapping("/echo")
    ResponseEntity<byte[]> echo(HttpServletRequest request) throws IOException {
        if (request.getContentLengthLong() > MAX_ECHO_BODY) {
            throw tooLarge();
        }
        byte[] body;
        try (InputStream in = request.getInputStream()) {
            body = in.readNBytes(MAX_ECHO_BODY + 1);
        }
        if (body.length > MAX_ECHO_BODY) {
            throw tooLarge();
        }
        if (body.length == 0) {
            throw new ApiError(400, "request body must be one valid JSON value (got an empty body)");
        }
        JsonNode value;
        try {
            value = strictReader.readTree(body);
        } catch (JacksonException e) {
            throw new ApiError(400, "request body must be one valid JSON value");
        }
        if (value == null || value.isMissingNode()) {
            throw new ApiError(400, "request body must be one valid JSON value");
        }
        return ResponseEntity.ok().contentType(MediaType.APPLICATION_JSON).body(mapper.writeValueAsBytes(value));
    }

    private static ApiError tooLarge() {
        return new ApiError(413, "request body must be at most " + MAX_ECHO_BODY + " bytes");
    }

    @GetMapping("/cpu")
    CpuAnswer cpu(@RequestParam(required = false) String n) {
        int count = intParam("n", n, 0, 1_000_000);
        return new CpuAnswer(count, countPrimes(count));
    }

    @GetMapping("/sleep")
    SleepAnswer sleep(@RequestParam(required = false) String ms) throws InterruptedException {
        int millis = intParam("ms", ms, 0, 10_000);
        Thread.sleep(millis);
        return new SleepAnswer(millis);
    }

    @GetMapping("/alloc")
    AllocAnswer alloc(@RequestParam(required = false) String kb) {
        int k = intParam("kb", kb, 0, 65_536);
        int objects = k * 16;
        return new AllocAnswer(k, objects, allocate(objects));
    }

    @GetMapping("/fanout")
    FanoutAnswer fanout(@RequestParam(required = false) String n,
                        @RequestParam(name = "deadline_ms", required = false) String deadlineMs) {
        long arrivedAt = System.nanoTime();
        int calls = intParam("n", n, 1, 10_000);
        int deadline = intParam("deadline_ms", deadlineMs, 1, 60_000);
        if (!fanout.configured()) {
            throw new ApiError(503, "UPSTREAM_URL is not set");
        }
        int arrived = fanout.call(calls, arrivedAt + deadline * 1_000_000L);
        return new FanoutAnswer(calls, arrived, calls - arrived, deadline);
    }

    /** Reads a decimal integer in [lo, hi], else a 400 naming the parameter and its range. */
    static int intParam(String name, String raw, int lo, int hi) {
        if (raw != null && INTEGER.matcher(raw).matches() && raw.length() <= 11) {
            long value = Long.parseLong(raw);
            if (value >= lo && value <= hi) {
                return (int) value;
            }
        }
        throw new ApiError(400, "query parameter \"" + name + "\" must be an integer from " + lo + " to " + hi
                + " (got \"" + (raw == null ? "" : raw.replace("\\", "\\\\").replace("\"", "\\\"")) + "\")");
    }

    /** The contract's trial division, exactly: no sieve, no skipping even divisors. */
    static int countPrimes(int n) {
        int count = 0;
        for (int i = 2; i <= n; i++) {
            boolean prime = true;
            for (int d = 2; d * d <= i; d++) {
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
        List<byte[]> held = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            byte[] obj = new byte[64];
            for (int j = 0; j < 64; j++) {
                obj[j] = (byte) (i + j);
            }
            held.add(obj);
        }
        long sum = 0;
        for (byte[] obj : held) {
            for (byte b : obj) {
                sum += b & 0xff;
            }
        }
        return sum;
    }
}
