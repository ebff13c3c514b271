package com.oviron.callidus.tools.demo;

import com.oviron.callidus.cloud.ChannelCatalog;
import com.oviron.callidus.cloud.MalformedMessageException;
import com.oviron.callidus.cloud.StatusMessage;
import com.oviron.callidus.cloud.TelemetryBatch;
import com.oviron.callidus.cloud.TelemetryBatchCodec;
import com.oviron.callidus.cloud.Topics;
import com.oviron.callidus.store.TelemetryRecord;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.eclipse.paho.client.mqttv3.IMqttDeliveryToken;
import org.eclipse.paho.client.mqttv3.MqttCallbackExtended;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.eclipse.paho.client.mqttv3.MqttMessage;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;

/**
 * What the cloud sees, built only from docs/protocol.md: a subscriber with a persistent session that decodes
 * telemetry batches, drops duplicates by sequence number, detects gaps, and keeps the latest value of every
 * channel. It is the smallest possible version of Oviron's ingestion service.
 */
final class CloudView implements AutoCloseable {

    /** One line per channel for the display. */
    record ChannelValue(String id, String name, String unit, double value, long atMillis, int quality) {
    }

    /** Counters for the display. */
    record Summary(boolean connected, String unitStatus, long batches, long distinctReadings, long duplicates,
                   long highestContiguousSeq, long highestSeq, List<long[]> gaps, long lastBatchFirst,
                   long lastBatchLast, long lagMillis, long malformed) {
    }

    private final MqttClient client;
    private final Clock clock;
    private final Map<String, ChannelCatalog.Channel> catalog = new LinkedHashMap<>();
    private final Map<String, ChannelValue> latest = new LinkedHashMap<>();
    private final java.util.BitSet seen = new java.util.BitSet();
    private String unitStatus = "unknown";
    private long batches;
    private long distinct;
    private long duplicates;
    private long highestSeq;
    private long lastBatchFirst;
    private long lastBatchLast;
    private long lagMillis;
    private long malformed;

    CloudView(String brokerUri, Clock clock) throws MqttException {
        this.clock = clock;
        client = new MqttClient(brokerUri, "oviron-cloud-view", new MemoryPersistence());
        MqttConnectOptions options = new MqttConnectOptions();
        options.setCleanSession(false); // the broker keeps what arrives while the view is away
        options.setAutomaticReconnect(true);
        options.setMaxReconnectDelay(1_000);
        client.setCallback(new MqttCallbackExtended() {
            @Override
            public void connectComplete(boolean reconnect, String serverUri) {
            }

            @Override
            public void connectionLost(Throwable cause) {
            }

            @Override
            public void messageArrived(String topic, MqttMessage message) {
                onMessage(topic, message.getPayload());
            }

            @Override
            public void deliveryComplete(IMqttDeliveryToken token) {
            }
        });
        client.connect(options);
        client.subscribe(new String[] {Topics.allTelemetry(), Topics.allStatus(), Topics.allChannels()},
                new int[] {1, 1, 1});
    }

    private synchronized void onMessage(String topic, byte[] payload) {
        try {
            if (topic.endsWith("/telemetry")) {
                onTelemetry(TelemetryBatchCodec.decode(payload));
            } else if (topic.endsWith("/status")) {
                StatusMessage s = StatusMessage.decode(payload);
                unitStatus = (s.online() ? "online" : "offline") + " (" + s.reason() + ")";
            } else if (topic.endsWith("/channels")) {
                for (ChannelCatalog.Channel c : ChannelCatalog.decode(payload).channels()) {
                    catalog.put(c.id(), c);
                }
            }
        } catch (MalformedMessageException e) {
            malformed++;
        }
    }

    private void onTelemetry(TelemetryBatch batch) {
        batches++;
        lastBatchFirst = batch.firstSeq();
        lastBatchLast = batch.lastSeq();
        long newest = 0;
        for (TelemetryRecord r : batch.readings()) {
            int index = (int) r.seq();
            if (seen.get(index)) {
                duplicates++;
                continue;
            }
            seen.set(index);
            distinct++;
            highestSeq = Math.max(highestSeq, r.seq());
            newest = Math.max(newest, r.timestampMillis());
            ChannelValue before = latest.get(r.channelId());
            if (before == null || before.atMillis() <= r.timestampMillis()) {
                ChannelCatalog.Channel c = catalog.get(r.channelId());
                latest.put(r.channelId(), new ChannelValue(r.channelId(), c == null ? r.channelId() : c.name(),
                        c == null ? "" : c.unit(), r.value(), r.timestampMillis(), r.qualityCode()));
            }
        }
        if (newest > 0) {
            lagMillis = clock.millis() - newest;
        }
    }

    synchronized Summary summary() {
        long contiguous = seen.nextClearBit(1) - 1L;
        List<long[]> gaps = new ArrayList<>();
        int from = seen.nextClearBit(1);
        while (from < highestSeq && gaps.size() < 5) {
            int to = seen.nextSetBit(from);
            gaps.add(new long[] {from, to - 1L});
            from = seen.nextClearBit(to);
        }
        return new Summary(client.isConnected(), unitStatus, batches, distinct, duplicates, contiguous, highestSeq,
                gaps, lastBatchFirst, lastBatchLast, lagMillis, malformed);
    }

    synchronized List<ChannelValue> latestValues() {
        List<ChannelValue> out = new ArrayList<>();
        for (ChannelValue v : latest.values()) {
            ChannelCatalog.Channel c = catalog.get(v.id());
            out.add(c == null ? v : new ChannelValue(v.id(), c.name(), c.unit(), v.value(), v.atMillis(), v.quality()));
        }
        return out;
    }

    synchronized Optional<String> unitOf(String channelId) {
        return Optional.ofNullable(catalog.get(channelId)).map(ChannelCatalog.Channel::unit);
    }

    @Override
    public void close() throws MqttException {
        try {
            if (client.isConnected()) {
                client.disconnect(1_000);
            }
        } finally {
            client.close(true);
        }
    }
}
