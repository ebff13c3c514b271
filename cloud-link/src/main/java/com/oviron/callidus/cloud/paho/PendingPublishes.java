package com.oviron.callidus.cloud.paho;

import com.oviron.callidus.cloud.NotConnectedException;
import com.oviron.callidus.cloud.PublishRefusedException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.concurrent.CompletableFuture;

/**
 * The publishes of the current session that await the broker's answer, oldest first, and what becomes of them
 * when the session ends (docs/protocol.md, "What counts as a refusal"). A session's client is never used again
 * after it ends, so whatever it still owed is answered here:
 *
 * <ul>
 *   <li>MQTT 3.1.1 has no refusal code: a broker that will not take a message drops the connection (AWS IoT
 *       does). A publish sent less than {@value #REFUSAL_WINDOW_MS} ms before the broker dropped the session fails
 *       with {@link PublishRefusedException}.
 *   <li>MQTT 5: a broker that drops the session for a message says why in its DISCONNECT (0x95 packet too large,
 *       0x90 topic name invalid, ...). With such a reason code, a publish sent less than
 *       {@value #REFUSAL_WINDOW_MS} ms before fails with {@link PublishRefusedException} carrying it; without one
 *       nothing was refused.
 *   <li>A drop before every SUBSCRIBE of the session was answered is the broker failing to serve the session, not
 *       a refusal of a message (RabbitMQ 3.10 drops a persistent session whose queue lives on a cluster node
 *       that is down, docs/adr/0025): what was sent fails with {@link NotConnectedException}.
 *   <li>Everything else, and every drop the unit made itself (the watchdog, closing), fails with
 *       {@link NotConnectedException}: the sender sends it again on the next session.
 * </ul>
 *
 * <p>Thread-safe: publishes are added by any thread, answered and failed on the connection's thread.
 */
final class PendingPublishes {
    static final long REFUSAL_WINDOW_MS = 2_000;

    /** How a session ended. */
    record Loss(String description, Kind kind, OptionalInt reasonCode) {
        enum Kind {
            /** The unit ended it (watchdog, close): nothing refused. */
            UNIT,
            /** The broker or the network ended it, without an MQTT 5 reason code. */
            DROPPED,
            /** An MQTT 5 broker sent DISCONNECT with a reason code. */
            BROKER_DISCONNECT,
            /** The broker or the network ended it before every SUBSCRIBE of the session was answered. */
            BEFORE_SUBSCRIBED
        }

        /** This loss, happened before the session's subscriptions were answered (a dropped one; others as they are). */
        Loss beforeSubscribed() {
            return kind == Kind.DROPPED ? new Loss(description + " (before the subscriptions were answered)",
                    Kind.BEFORE_SUBSCRIBED, reasonCode) : this;
        }

        static Loss byUnit(String description) {
            return new Loss(description, Kind.UNIT, OptionalInt.empty());
        }

        static Loss dropped(String description) {
            return new Loss(description, Kind.DROPPED, OptionalInt.empty());
        }

        static Loss disconnect(String description, int reasonCode) {
            return new Loss(description, Kind.BROKER_DISCONNECT, OptionalInt.of(reasonCode));
        }
    }

    private record Entry(CompletableFuture<Void> result, long sentNanos, boolean acknowledged) {
    }

    private final Map<Long, Entry> pending = new LinkedHashMap<>();
    private long nextId;
    private int acknowledgedCount;

    /** Adds a publish sent now; returns its key. */
    synchronized long add(CompletableFuture<Void> result, long nowNanos, boolean awaitsAcknowledgement) {
        long id = nextId++;
        pending.put(id, new Entry(result, nowNanos, awaitsAcknowledgement));
        if (awaitsAcknowledgement) {
            acknowledgedCount++;
        }
        return id;
    }

    /** Publishes with QoS 1 or 2 that await their acknowledgement. */
    synchronized int awaitingAcknowledgement() {
        return acknowledgedCount;
    }

    /** The publish was answered: its future, if it was still pending. */
    synchronized CompletableFuture<Void> remove(long id) {
        Entry e = pending.remove(id);
        if (e == null) {
            return null;
        }
        if (e.acknowledged()) {
            acknowledgedCount--;
        }
        return e.result();
    }

    /**
     * The session ended: fails every pending publish, oldest first, as described above.
     *
     * @param speaksMqtt5 whether the session spoke MQTT 5
     */
    void failAll(Loss loss, boolean speaksMqtt5, long nowNanos) {
        List<Entry> all;
        synchronized (this) {
            all = new ArrayList<>(pending.values());
            pending.clear();
            acknowledgedCount = 0;
        }
        for (Entry e : all) {
            long agoMs = (nowNanos - e.sentNanos()) / 1_000_000;
            e.result().completeExceptionally(failure(loss, speaksMqtt5, agoMs));
        }
    }

    static Exception failure(Loss loss, boolean speaksMqtt5, long sentMsAgo) {
        boolean recent = sentMsAgo < REFUSAL_WINDOW_MS;
        switch (loss.kind()) {
            case DROPPED -> {
                if (!speaksMqtt5 && recent) {
                    return new PublishRefusedException("the broker dropped the connection " + sentMsAgo
                            + " ms after this publish (MQTT 3.1.1 has no refusal code; a drop within "
                            + REFUSAL_WINDOW_MS + " ms counts as one): " + loss.description());
                }
            }
            case BROKER_DISCONNECT -> {
                int code = loss.reasonCode().orElse(0);
                if (recent && refusesAMessage(code)) {
                    return new PublishRefusedException(code, "the broker disconnected " + sentMsAgo
                            + " ms after this publish with reason code " + ReasonCodes.describe(code) + ": "
                            + loss.description());
                }
            }
            case UNIT, BEFORE_SUBSCRIBED -> {
                // the unit's own doing, or the broker could not serve the session: nothing was refused
            }
        }
        return new NotConnectedException("the session ended before the broker acknowledged: " + loss.description());
    }

    /** DISCONNECT reason codes that name something wrong with a message the client sent. */
    static boolean refusesAMessage(int code) {
        return switch (code) {
            case 0x87, 0x90, 0x95, 0x97, 0x99, 0x9A, 0x9B -> true;
            default -> false;
        };
    }

    /** Publishes awaiting an answer. */
    synchronized int size() {
        return pending.size();
    }
}
