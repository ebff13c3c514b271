package com.oviron.callidus.hal.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.oviron.callidus.hal.Channel;
import com.oviron.callidus.hal.Quality;
import com.oviron.callidus.hal.Reading;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.Test;

class SyntheticChannelsPortTest {
    private final Clock clock = Clock.fixed(Instant.parse("2026-12-05T10:00:00Z"), ZoneOffset.UTC);

    @Test
    void adds_the_synthetic_channels_after_the_boards_own_and_reads_them_with_every_sample() throws Exception {
        SyntheticChannelsPort port = new SyntheticChannelsPort(new SimulatedCallidusBoard(clock, 1), 41, 7);
        List<Channel> channels = port.channels();
        assertEquals(50, channels.size());
        assertEquals(SimulatedCallidusBoard.CHANNELS, channels.subList(0, 9));
        assertEquals("synthetic_01", channels.get(9).id());
        assertEquals("synthetic_41", channels.get(49).id());
        for (int cycle = 0; cycle < 200; cycle++) {
            List<Reading> readings = port.sample();
            assertEquals(50, readings.size());
            for (int i = 0; i < 50; i++) {
                Reading r = readings.get(i);
                assertEquals(channels.get(i).id(), r.channelId(), "in the order of channels()");
                assertEquals(clock.instant(), r.timestamp());
                assertEquals(Quality.GOOD, r.quality());
                if (i >= 9) {
                    assertTrue(r.value() >= 0 && r.value() <= 100, r.toString());
                }
            }
        }
    }

    @Test
    void the_same_seed_gives_the_same_walks_and_the_count_is_bounded() throws Exception {
        List<Reading> a = new SyntheticChannelsPort(new SimulatedCallidusBoard(clock, 1), 3, 9).sample();
        List<Reading> b = new SyntheticChannelsPort(new SimulatedCallidusBoard(clock, 1), 3, 9).sample();
        assertEquals(a, b);
        assertThrows(IllegalArgumentException.class,
                () -> new SyntheticChannelsPort(new SimulatedCallidusBoard(clock, 1), 0, 1));
        assertThrows(IllegalArgumentException.class, () -> new SyntheticChannelsPort(
                new SimulatedCallidusBoard(clock, 1), SyntheticChannelsPort.MAX_COUNT + 1, 1));
    }
}
