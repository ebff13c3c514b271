package com.oviron.callidus.tools.fleet;

import com.oviron.callidus.cloud.LiveSnapshot;
import com.oviron.callidus.cloud.MalformedMessageException;
import com.rabbitmq.client.Address;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * Watches the units' live snapshots while a backlog is replayed (a queue of its own on {@code amq.topic},
 * routing key {@code callidus.v1.*.live}, deleted with the connection) and records how old the newest reading
 * of each snapshot is when it arrives: live data must stay current while the telemetry stream carries the past.
 */
final class LiveProbe implements AutoCloseable {
    private final Connection connection;
    private final List<Long> ages = Collections.synchronizedList(new ArrayList<>());

    private LiveProbe(Connection connection) {
        this.connection = connection;
    }

    /** Connects once the cluster is back (it retries), or records nothing without AMQP addresses. */
    static LiveProbe start(Optional<String> amqp) {
        return new LiveProbe(null).connectLater(amqp);
    }

    private LiveProbe connectLater(Optional<String> amqp) {
        if (amqp.isEmpty()) {
            return this;
        }
        Thread t = new Thread(() -> {
            List<Address> addresses = new ArrayList<>();
            for (String a : amqp.get().split(",")) {
                String[] hp = a.trim().split(":");
                addresses.add(new Address(hp[0], Integer.parseInt(hp[1])));
            }
            ConnectionFactory f = new ConnectionFactory();
            f.setAutomaticRecoveryEnabled(true);
            for (int attempt = 0; attempt < 600; attempt++) {
                try {
                    Connection c = f.newConnection(addresses, "callidus-fleet-live");
                    Channel ch = c.createChannel();
                    String q = ch.queueDeclare().getQueue();
                    ch.queueBind(q, "amq.topic", "callidus.v1.*.live");
                    ch.basicConsume(q, true, (tag, m) -> record(m.getBody()), tag -> { });
                    holder = c;
                    return;
                } catch (Exception e) {
                    try {
                        Thread.sleep(500);
                    } catch (InterruptedException ie) {
                        return;
                    }
                }
            }
        }, "fleet-live-probe");
        t.setDaemon(true);
        t.start();
        return this;
    }

    private volatile Connection holder;

    private void record(byte[] body) {
        try {
            LiveSnapshot s = LiveSnapshot.decode(body);
            long newest = s.readings().stream().mapToLong(LiveSnapshot.Reading::timestampMillis).max().orElse(0);
            if (newest > 0) {
                ages.add(System.currentTimeMillis() - newest);
            }
        } catch (MalformedMessageException e) {
            // not counted
        }
    }

    int count() {
        return ages.size();
    }

    String ageSummary() {
        List<Long> sorted;
        synchronized (ages) {
            sorted = new ArrayList<>(ages);
        }
        if (sorted.isEmpty()) {
            return "-";
        }
        Collections.sort(sorted);
        return String.format(Locale.ROOT, "%.1f s / %.1f s", sorted.get(sorted.size() / 2) / 1000.0,
                sorted.get(sorted.size() - 1) / 1000.0);
    }

    @Override
    public void close() {
        Connection c = holder != null ? holder : connection;
        if (c != null) {
            try {
                c.close(2000);
            } catch (Exception e) {
                // going anyway
            }
        }
    }
}
