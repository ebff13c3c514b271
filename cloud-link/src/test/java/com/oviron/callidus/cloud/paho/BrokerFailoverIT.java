package com.oviron.callidus.cloud.paho;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.oviron.callidus.cloud.Backoff;
import com.oviron.callidus.cloud.LinkSettings;
import com.oviron.callidus.cloud.MalformedMessageException;
import com.oviron.callidus.cloud.MqttProtocol;
import com.oviron.callidus.cloud.SyncSettings;
import com.oviron.callidus.cloud.TelemetryBatch;
import com.oviron.callidus.cloud.TelemetryBatchCodec;
import com.oviron.callidus.cloud.TelemetrySync;
import com.oviron.callidus.cloud.Topics;
import com.oviron.callidus.cloud.testing.Await;
import com.oviron.callidus.cloud.testing.CloudSubscriber;
import com.oviron.callidus.cloud.testing.MosquittoBroker;
import com.oviron.callidus.store.Durability;
import com.oviron.callidus.store.NewReading;
import com.oviron.callidus.store.sqlite.SqliteTelemetryOutbox;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code mqtt.brokerUris} against three independent mosquitto brokers: the unit starts on the first; the broker it
 * is connected to is stopped, and the unit moves on to another within its backoff and goes on sending from its
 * outbox; then that one is stopped too. The brokers share nothing, so the cloud subscribes on all three (each
 * with a persistent session, as a cloud consumer would on a cluster); after the stopped ones come back, every
 * sequence number the unit accepted has arrived, once after dropping duplicates by sequence.
 */
class BrokerFailoverIT {
    private static final Duration WAIT = Duration.ofSeconds(90);
    private static final String DEVICE = "CAL-FAILOVER-1";

    @TempDir
    Path dir;

    @ParameterizedTest
    @EnumSource(value = MqttProtocol.class, names = {"AUTO", "MQTT_3_1_1"})
    void the_unit_moves_to_another_broker_when_its_broker_goes_and_every_reading_arrives(MqttProtocol protocol)
            throws Exception {
        List<MosquittoBroker> brokers = new ArrayList<>();
        List<CloudSubscriber> cloud = new ArrayList<>();
        ScheduledExecutorService syncThread = Executors.newSingleThreadScheduledExecutor();
        AtomicBoolean writing = new AtomicBoolean(true);
        Topics topics = new Topics(DEVICE);
        try {
            for (int i = 0; i < 3; i++) {
                brokers.add(MosquittoBroker.start(dir.resolve("broker-" + i)));
            }
            Map<Long, Integer> seen = new ConcurrentHashMap<>();
            for (int i = 0; i < 3; i++) {
                cloud.add(new CloudSubscriber(brokers.get(i).uri(), "cloud-ingest-" + i, topics.telemetry()));
            }
            LinkSettings settings = new LinkSettings(brokers.get(0).uri(), DEVICE, Duration.ofSeconds(5),
                    Duration.ofSeconds(5), new Backoff(Duration.ofMillis(200), Duration.ofSeconds(2)), Optional.empty(),
                    Optional.empty(), 32).withBrokers(brokers.stream().map(MosquittoBroker::uri).toList())
                    .withProtocol(protocol).withPersistentSession(true);
            try (SqliteTelemetryOutbox outbox = SqliteTelemetryOutbox.open(dir.resolve("outbox.db"), Durability.NORMAL)) {
                PahoMqttConnection link = new PahoMqttConnection(settings, topics.status(), DEVICE, "test",
                        Clock.systemUTC());
                TelemetrySync sync = new TelemetrySync(outbox, link, topics, new SyncSettings(20, 4,
                        Duration.ofMillis(100), 0), syncThread, Clock.systemUTC());
                AtomicLong written = new AtomicLong();
                Thread writer = new Thread(() -> {
                    while (writing.get()) {
                        try {
                            long t = System.currentTimeMillis();
                            outbox.append(List.of(new NewReading("supply_v", t, 230.0, 0),
                                    new NewReading("air_bar", t, 5.5, 0)));
                            written.addAndGet(2);
                            Thread.sleep(20); // the sampler's period, not a synchronisation
                        } catch (InterruptedException e) {
                            return;
                        } catch (Exception e) {
                            throw new IllegalStateException(e);
                        }
                    }
                }, "test-sampler");
                try {
                    sync.start();
                    link.start();
                    writer.start();
                    Await.until("on the first broker", WAIT, () -> onBroker(link, brokers.get(0)));
                    assertEquals(protocol == MqttProtocol.MQTT_3_1_1 ? "3.1.1" : "5",
                            link.activeSession().orElseThrow().protocol());
                    awaitArrivals(cloud, seen, 100);

                    brokers.get(0).stop();
                    Await.until(() -> "moved on from broker 0; now " + link.activeSession(), WAIT,
                            () -> link.activeSession().filter(s -> !s.brokerUri().equals(brokers.get(0).uri()))
                                    .isPresent());
                    String second = link.activeSession().orElseThrow().brokerUri();
                    assertEquals(brokers.get(1).uri(), second, "the next one in the list");
                    long before = seen.size();
                    awaitArrivals(cloud, seen, before + 100);

                    brokers.get(1).stop();
                    Await.until(() -> "moved on from broker 1; now " + link.activeSession(), WAIT,
                            () -> link.activeSession().map(s -> s.brokerUri().equals(brokers.get(2).uri()))
                                    .orElse(false));
                    before = seen.size();
                    awaitArrivals(cloud, seen, before + 100);
                    assertNotEquals(second, link.activeSession().orElseThrow().brokerUri());

                    writing.set(false);
                    writer.join(10_000);
                    long last = outbox.lastSeq();
                    Await.until(() -> "all acknowledged; stats " + sync.stats(), WAIT,
                            () -> sync.stats().acknowledgedSeq() == last);
                    // the stopped brokers come back with what they kept for the cloud's persistent sessions
                    brokers.get(0).start();
                    brokers.get(1).start();
                    Await.until(() -> "every sequence at the cloud; missing " + missing(seen, last), WAIT, () -> {
                        collect(cloud, seen);
                        return missing(seen, last).isEmpty();
                    });
                    assertEquals(0, outbox.deadLetterCount());
                    assertTrue(written.get() == last, "every accepted reading was written");
                } finally {
                    writing.set(false);
                    writer.interrupt();
                    sync.close();
                    link.close();
                }
            }
        } finally {
            syncThread.shutdownNow();
            for (CloudSubscriber c : cloud) {
                try {
                    c.close();
                } catch (Exception e) {
                    // a subscriber still reconnecting to a stopped broker: the test's verdict is elsewhere
                }
            }
            brokers.forEach(MosquittoBroker::close);
        }
    }

    private static boolean onBroker(PahoMqttConnection link, MosquittoBroker broker) {
        return link.activeSession().map(s -> s.brokerUri().equals(broker.uri())).orElse(false);
    }

    private static void awaitArrivals(List<CloudSubscriber> cloud, Map<Long, Integer> seen, long atLeast) {
        Await.until(() -> "at least " + atLeast + " readings at the cloud, got " + seen.size(), WAIT, () -> {
            collect(cloud, seen);
            return seen.size() >= atLeast;
        });
    }

    /** Decodes every batch the cloud has, counting each sequence number. */
    private static void collect(List<CloudSubscriber> cloud, Map<Long, Integer> seen) {
        seen.clear();
        for (CloudSubscriber c : cloud) {
            for (CloudSubscriber.Received r : c.received()) {
                try {
                    TelemetryBatch batch = TelemetryBatchCodec.decode(r.payload());
                    for (long s = batch.firstSeq(); s <= batch.lastSeq(); s++) {
                        seen.merge(s, 1, Integer::sum);
                    }
                } catch (MalformedMessageException e) {
                    throw new AssertionError(e);
                }
            }
        }
    }

    private static List<Long> missing(Map<Long, Integer> seen, long last) {
        BitSet have = new BitSet();
        seen.keySet().forEach(s -> have.set(s.intValue()));
        List<Long> gaps = new ArrayList<>();
        for (long s = 1; s <= last && gaps.size() < 20; s++) {
            if (!have.get((int) s)) {
                gaps.add(s);
            }
        }
        return gaps;
    }
}
