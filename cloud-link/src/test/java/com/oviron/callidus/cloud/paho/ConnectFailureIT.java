package com.oviron.callidus.cloud.paho;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.oviron.callidus.cloud.Backoff;
import com.oviron.callidus.cloud.LinkSettings;
import com.oviron.callidus.cloud.Topics;
import com.oviron.callidus.cloud.testing.Await;
import java.net.ServerSocket;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * The link's connect failures against real sockets and the real resolver, as the technician reads them in the
 * log: a port nothing listens on, and a host under {@code .invalid} (RFC 2606: never resolves).
 */
class ConnectFailureIT {
    /** Deadline for the first failed attempt; the resolver may take its own timeout on a machine without DNS. */
    private static final Duration WAIT = Duration.ofSeconds(60);

    private static PahoMqttConnection link(String uri) {
        LinkSettings settings = new LinkSettings(uri, "CAL-FAIL-1", Duration.ofSeconds(10), Duration.ofSeconds(10),
                new Backoff(Duration.ofMillis(100), Duration.ofMillis(500)), Optional.empty(), Optional.empty(), 16,
                Optional.empty());
        return new PahoMqttConnection(settings, new Topics("CAL-FAIL-1").status(), "CAL-FAIL-1", "test",
                Clock.systemUTC());
    }

    private static String firstFailure(String uri) {
        PahoMqttConnection link = link(uri);
        try {
            link.start();
            Await.until(() -> "a failed connect, last failure '" + link.lastFailure() + "'", WAIT,
                    () -> !link.lastFailure().isEmpty());
            assertFalse(link.isConnected());
            return link.lastFailure();
        } finally {
            link.close();
        }
    }

    @Test
    void a_port_nothing_listens_on_is_reported_as_connection_refused() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort(); // free again once closed: a connect to it is refused
        }
        String reason = firstFailure("tcp://127.0.0.1:" + port);
        assertTrue(reason.startsWith("connect failed: connection refused by 127.0.0.1:" + port
                + ": nothing accepts connections there"), reason);
    }

    @Test
    void a_host_that_does_not_resolve_is_reported_as_a_dns_problem() {
        String reason = firstFailure("tcp://broker.callidus.invalid:1883");
        assertTrue(reason.startsWith("connect failed: broker host 'broker.callidus.invalid' not found (DNS)"), reason);
    }
}
