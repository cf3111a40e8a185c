package gauntlet.spring;

import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.net.BindException;
import java.util.stream.Collectors;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.boot.web.server.PortInUseException;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.event.EventListener;
import org.springframework.core.env.Environment;

/**
 * Gauntlet's Spring Boot reference server: Spring MVC on embedded Tomcat,
 * settings in application.properties, the endpoints of
 * reference-servers/CONTRACT.md in {@link ContractController}.
 */
@SpringBootApplication
public class Application {
    private final Environment env;

    Application(Environment env) {
        this.env = env;
    }

    /** Starts Boot; a taken port is reported on stderr in the words the harness looks for. */
    public static void main(String[] args) {
        SpringApplication app = new SpringApplication(Application.class);
        // Our own hook below replaces Boot's so that the exit status is 0.
        app.setRegisterShutdownHook(false);
        ConfigurableApplicationContext context;
        try {
            context = app.run(args);
        } catch (RuntimeException e) {
            for (Throwable t = e; t != null; t = t.getCause()) {
                if (t instanceof PortInUseException || t instanceof BindException) {
                    System.err.println("address already in use: 127.0.0.1:" + System.getenv("PORT"));
                    System.exit(1);
                }
            }
            throw e;
        }
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            // SIGTERM: Tomcat's graceful shutdown gives running requests up
            // to 1 s (spring.lifecycle.timeout-per-shutdown-phase), then the
            // context closes; halt(0) makes the exit status 0 rather than the
            // JVM's 143 for SIGTERM.
            context.close();
            Runtime.getRuntime().halt(0);
        }, "gauntlet-shutdown"));
    }

    /** Prints the contract's ready line once Tomcat listens and the context is up. */
    @EventListener
    void ready(ApplicationReadyEvent event) {
        int port = ((WebServerApplicationContext) event.getApplicationContext()).getWebServer().getPort();
        boolean virtual = Runtime.version().feature() >= 21
                && env.getProperty("spring.threads.virtual.enabled", Boolean.class, false);
        System.out.printf("listening on 127.0.0.1:%d (%s %s, Spring Boot %s, Spring MVC on Tomcat %s, %s, %d CPUs, %s)%n",
                port, System.getProperty("java.vm.name"), Runtime.version(),
                SpringApplication.class.getPackage().getImplementationVersion(),
                org.apache.catalina.util.ServerInfo.getServerNumber(),
                virtual ? "virtual thread per request" : "Tomcat's platform thread pool",
                Runtime.getRuntime().availableProcessors(), collector());
        System.out.flush();
    }

    /** The garbage collector the JVM actually runs (ergonomics pick it by CPUs and memory). */
    static String collector() {
        return ManagementFactory.getGarbageCollectorMXBeans().stream()
                .map(GarbageCollectorMXBean::getName)
                .collect(Collectors.joining(" + "));
    }
}
