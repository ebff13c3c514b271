package com.oviron.callidus.cloud.console;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.oviron.callidus.cloud.Topics;
import com.oviron.callidus.cloud.fake.FakeMqttConnection;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class RemoteConsoleLinkTest {
    private final Topics topics = new Topics("CAL-1");
    private final FakeMqttConnection mqtt = new FakeMqttConnection();
    private final HandClock clock = new HandClock();
    private final RemoteConsoleLink link = new RemoteConsoleLink(mqtt, topics, clock);
    private final List<String> ended = new CopyOnWriteArrayList<>();

    /** A clock the test moves by hand. */
    static final class HandClock extends java.time.Clock {
        private final java.util.concurrent.atomic.AtomicLong millis = new java.util.concurrent.atomic.AtomicLong(
                Instant.parse("2026-12-11T08:00:00Z").toEpochMilli());

        @Override
        public java.time.ZoneId getZone() {
            return java.time.ZoneOffset.UTC;
        }

        @Override
        public java.time.Clock withZone(java.time.ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return Instant.ofEpochMilli(millis.get());
        }

        void advance(Duration d) {
            millis.addAndGet(d.toMillis());
        }
    }

    @BeforeEach
    void start() {
        link.start();
        mqtt.connect();
    }

    private RemoteConsoleStream open() {
        return link.open("rc-1", Duration.ofMinutes(10), Duration.ofHours(1), ended::add);
    }

    private void send(String session, long seq, String text) {
        mqtt.deliver(topics.consoleIn(), ConsoleFrame.data(session, seq, text.getBytes(StandardCharsets.UTF_8)).encode());
    }

    private static String read(RemoteConsoleStream s) throws IOException {
        byte[] buf = new byte[4096];
        int n = s.read(buf, Duration.ofMillis(50));
        return new String(buf, 0, n, StandardCharsets.UTF_8);
    }

    private List<ConsoleFrame> out() throws Exception {
        List<ConsoleFrame> frames = new CopyOnWriteArrayList<>();
        for (FakeMqttConnection.Publish p : mqtt.publishes()) {
            assertEquals(topics.consoleOut(), p.topic());
            assertEquals(1, p.qos());
            frames.add(ConsoleFrame.decode(p.payload(), ConsoleFrame.MAX_OUT_BYTES));
        }
        return frames;
    }

    @Test
    void carries_input_in_order_once_and_only_for_the_open_session() throws Exception {
        send("rc-1", 1, "dropped: nothing is open");
        RemoteConsoleStream s = open();
        send("rc-1", 1, "sta");
        send("rc-1", 1, "sta"); // a QoS 1 copy
        send("rc-2", 2, "other");
        send("rc-1", 2, "tus\r");
        assertEquals("sta", read(s));
        assertEquals("tus\r", read(s));
        assertEquals("", read(s));
    }

    @Test
    void output_goes_out_in_numbered_frames_of_at_most_4_kib() throws Exception {
        RemoteConsoleStream s = open();
        byte[] big = new byte[ConsoleFrame.MAX_OUT_BYTES + 10];
        java.util.Arrays.fill(big, (byte) 'x');
        s.write("hello".getBytes(StandardCharsets.UTF_8));
        s.write(big);
        List<ConsoleFrame> frames = out();
        assertEquals(List.of(1L, 2L, 3L), frames.stream().map(ConsoleFrame::seq).toList());
        assertArrayEquals("hello".getBytes(StandardCharsets.UTF_8), frames.get(0).data().orElseThrow());
        assertEquals(ConsoleFrame.MAX_OUT_BYTES, frames.get(1).data().orElseThrow().length);
        assertEquals(10, frames.get(2).data().orElseThrow().length);
    }

    @Test
    void ends_when_idle_and_tells_the_cloud_why() throws Exception {
        RemoteConsoleStream s = open();
        clock.advance(Duration.ofMinutes(9));
        send("rc-1", 1, "x");
        clock.advance(Duration.ofMinutes(9));
        assertEquals("x", read(s));
        clock.advance(Duration.ofMinutes(1));
        assertThrows(IOException.class, () -> read(s));
        assertEquals(List.of("idle"), ended);
        ConsoleFrame last = out().get(out().size() - 1);
        assertEquals(Optional.of("idle"), last.end());
        assertThrows(IOException.class, () -> s.write(new byte[] {1}));
        assertTrue(link.current().isEmpty(), "a new session may be opened");
    }

    @Test
    void ends_after_the_longest_time_even_with_input() throws Exception {
        RemoteConsoleStream s = open();
        for (int i = 1; i <= 6; i++) {
            clock.advance(Duration.ofMinutes(9));
            send("rc-1", i, ".");
            assertEquals(".", read(s));
        }
        clock.advance(Duration.ofMinutes(6));
        send("rc-1", 7, ".");
        assertThrows(IOException.class, () -> read(s));
        assertEquals(List.of("max_time"), ended);
    }

    @Test
    void ends_when_the_link_goes_and_only_one_session_is_open_at_a_time() {
        open();
        assertThrows(IllegalStateException.class, this::open);
        mqtt.disconnect("network");
        assertEquals(List.of("link_lost"), ended);
        mqtt.connect();
        open();
    }

    @Test
    void ending_twice_tells_once() throws Exception {
        RemoteConsoleStream s = open();
        s.end("closed");
        s.end("idle");
        assertEquals(List.of("closed"), ended);
        assertEquals(1, out().stream().filter(f -> f.end().isPresent()).count());
    }
}
