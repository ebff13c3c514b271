package com.oviron.callidus.tools.fleet;

import java.io.IOException;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The bytes the broker received from and sent to the units, as its own sockets count them: Linux's
 * {@code ss -tin} lists every established TCP socket with {@code bytes_received} and {@code bytes_acked};
 * the broker's sockets are those whose local port is one of its MQTT listeners. RabbitMQ 3.10 does not report
 * per-connection byte counters for MQTT connections ({@code rabbitmqctl list_mqtt_connections} has none), so
 * the kernel's counters are the broker side's figure. Everything on the wire after TCP: MQTT headers,
 * PUBACKs, pings. A socket closed between two readings takes its bytes with it: compare readings of a window
 * without reconnects.
 */
final class BrokerBytes {
    private static final Pattern RECEIVED = Pattern.compile("bytes_received:(\\d+)");
    private static final Pattern ACKED = Pattern.compile("bytes_acked:(\\d+)");

    /** @param received bytes the broker received; @param sent bytes it sent (acknowledged by the peer) */
    record Reading(long received, long sent, int sockets) {
        Reading minus(Reading earlier) {
            return new Reading(received - earlier.received, sent - earlier.sent, sockets);
        }
    }

    private BrokerBytes() {
    }

    static Reading read(List<Integer> brokerPorts) throws IOException {
        StringBuilder filter = new StringBuilder();
        for (int p : brokerPorts) {
            filter.append(filter.length() == 0 ? "( " : " or ").append("sport = :").append(p);
        }
        filter.append(" )");
        Process p = new ProcessBuilder("ss", "-tinH", "state", "established", filter.toString())
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        try {
            if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
                throw new IOException("ss failed: " + out);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
        return parse(out);
    }

    static Reading parse(String ssOutput) {
        long received = 0;
        long sent = 0;
        int sockets = 0;
        Matcher r = RECEIVED.matcher(ssOutput);
        while (r.find()) {
            received += Long.parseLong(r.group(1));
            sockets++;
        }
        Matcher a = ACKED.matcher(ssOutput);
        while (a.find()) {
            sent += Long.parseLong(a.group(1));
        }
        return new Reading(received, sent, sockets);
    }
}
