package com.oviron.callidus.cloud;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.oviron.callidus.cloud.testing.Await;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What every {@link MqttConnection} does, the fake as much as the real one: run against {@code FakeMqttConnection}
 * (FakeMqttConnectionContractTest) and {@code PahoMqttConnection} on mosquitto (PahoMqttConnectionPortIT), so that
 * what a test learns on the fake holds on the real link.
 */
public abstract class MqttConnectionPortContract {
    protected static final Duration WAIT = Duration.ofSeconds(30);
    protected static final String COMMANDS = "callidus/v1/CAL-PORT-1/cmd";

    /** Drives one connection and its "broker" for a test. */
    protected interface Driver extends AutoCloseable {
        MqttConnection connection();

        /** Starts the connection and brings its session up; returns once it is up. */
        void up() throws Exception;

        /** From now on the broker's acknowledgements do not come (the real one: the link freezes). */
        void holdAcknowledgements();

        /** The broker acknowledges what it got (the fake: by hand; the real one does by itself). */
        void acknowledge();

        /** The broker's side ends the session, without a reason code. */
        void endSession();

        /** The cloud sends {@code text} on {@code topic}; true once the unit's listener has it. */
        boolean deliver(String topic, String text, List<String> got) throws Exception;
    }

    protected abstract Driver driver() throws Exception;

    private Driver d;

    @BeforeEach
    void setUp() throws Exception {
        d = driver();
    }

    @AfterEach
    void tearDown() throws Exception {
        d.close();
    }

    private static Throwable failure(CompletableFuture<Void> f) {
        ExecutionException e = assertThrows(ExecutionException.class, () -> f.get(WAIT.toSeconds(), TimeUnit.SECONDS));
        return e.getCause();
    }

    @Test
    void a_publish_without_a_session_fails_at_once_with_not_connected() {
        CompletableFuture<Void> f = d.connection().publish("callidus/v1/CAL-PORT-1/events", new byte[] {1}, 1, false);
        assertTrue(failure(f) instanceof NotConnectedException);
    }

    @Test
    void an_acknowledged_publish_completes() throws Exception {
        d.up();
        CompletableFuture<Void> f = d.connection().publish("callidus/v1/CAL-PORT-1/events", new byte[] {2}, 1, false);
        d.acknowledge();
        f.get(WAIT.toSeconds(), TimeUnit.SECONDS);
        assertTrue(d.connection().isConnected());
    }

    @Test
    void a_listener_added_while_the_session_is_up_is_told_at_once() throws Exception {
        d.up();
        List<String> events = new CopyOnWriteArrayList<>();
        d.connection().addListener(new ConnectionListener() {
            @Override
            public void connected() {
                events.add("up");
            }

            @Override
            public void disconnected(String reason) {
                events.add("down");
            }
        });
        Await.until("told", WAIT, () -> events.equals(List.of("up")));
    }

    @Test
    void a_session_that_ends_fails_what_it_still_owed_and_tells_the_listeners() throws Exception {
        List<String> events = new CopyOnWriteArrayList<>();
        d.connection().addListener(new ConnectionListener() {
            @Override
            public void connected() {
                events.add("up");
            }

            @Override
            public void disconnected(String reason) {
                events.add("down");
            }
        });
        d.up();
        d.holdAcknowledgements();
        CompletableFuture<Void> owed = d.connection().publish("callidus/v1/CAL-PORT-1/telemetry", new byte[] {3}, 1,
                false);
        d.endSession();
        Throwable why = failure(owed);
        assertTrue(why instanceof NotConnectedException, why.toString());
        Await.until(() -> "told down: " + events, WAIT, () -> events.contains("down"));
        assertEquals("up", events.get(0));
        assertFalse(events.indexOf("down") < events.indexOf("up"));
    }

    @Test
    void a_subscription_made_before_the_session_gets_messages_once_it_is_up() throws Exception {
        List<String> got = new CopyOnWriteArrayList<>();
        List<MessageProperties> properties = new CopyOnWriteArrayList<>();
        d.connection().subscribe("callidus/v1/+/cmd", 1, new MessageListener() {
            @Override
            public void arrived(String topic, byte[] payload) {
                got.add(new String(payload, StandardCharsets.UTF_8));
            }

            @Override
            public void arrived(String topic, byte[] payload, MessageProperties p) {
                properties.add(p);
                arrived(topic, payload);
            }
        });
        d.up();
        Await.until("delivered", WAIT, () -> {
            try {
                return d.deliver(COMMANDS, "hello", got);
            } catch (Exception e) {
                throw new AssertionError(e);
            }
        });
        assertEquals("hello", got.get(0));
        assertFalse(properties.isEmpty(), "the properties' variant was called");
    }
}
