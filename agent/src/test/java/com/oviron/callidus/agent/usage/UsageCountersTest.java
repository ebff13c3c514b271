package com.oviron.callidus.agent.usage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonParser;
import com.oviron.callidus.agent.ConfigException;
import com.oviron.callidus.agent.ConfigSection;
import com.oviron.callidus.agent.diagnostics.ChannelInfo;
import com.oviron.callidus.agent.diagnostics.DiagnosticsSettings;
import com.oviron.callidus.hal.Quality;
import com.oviron.callidus.hal.Reading;
import com.oviron.callidus.hal.fake.ManualClock;
import com.oviron.callidus.store.fake.InMemoryDiagnosticsStore;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

class UsageCountersTest {
    private static final List<ChannelInfo> CHANNELS = DiagnosticsSettings.channelsOf(Optional.empty());
    private final ManualClock clock = new ManualClock(Instant.parse("2026-11-21T10:00:00Z"));
    private final InMemoryDiagnosticsStore store = new InMemoryDiagnosticsStore();

    private static UsageSettings settings(String json, Set<String> gpio, boolean gpioTreatment) throws ConfigException {
        return UsageSettings.read(new ConfigSection("diagnostics.usage", JsonParser.parseString(json).getAsJsonObject()),
                CHANNELS, gpio, gpioTreatment, Duration.ofSeconds(30));
    }

    private void cycle(UsageCounters u, double supply, double motor1) {
        Instant now = clock.instant();
        u.onCycle(now, List.of(new Reading("supply_voltage", supply, now, Quality.GOOD),
                new Reading("motor1_current", motor1, now, Quality.GOOD)));
        clock.advance(Duration.ofMillis(100));
    }

    @Test
    void operating_and_instrument_time_add_up_per_cycle_and_are_reported_only_once_stored() throws Exception {
        UsageCounters u = new UsageCounters(settings("{}", Set.of(), false), store, () -> false, clock);
        for (int i = 0; i < 600; i++) {      // 60 s powered, motor 1 running for the last 20 s
            cycle(u, 24.0, i >= 400 ? 1.8 : 0.01);
        }
        assertFalse(store.counters().containsKey(UsageCounters.OPERATING), "time is stored at the flush");
        assertEquals(0, u.json().getAsJsonObject("operating").get("seconds").getAsLong(), "and reported once stored");
        u.flush(clock.instant());
        assertEquals(59_900L, store.counters().get(UsageCounters.OPERATING), "600 cycles, 599 steps of 100 ms");
        assertEquals(20_000L, store.counters().get(UsageCounters.INSTRUMENT_PREFIX + "micromotor_1"));
        assertEquals(1L, store.counters().get(UsageCounters.TREATMENTS), "one treatment began, stored at once");
        assertEquals(59, u.json().getAsJsonObject("operating").get("seconds").getAsLong());
    }

    @Test
    void a_treatment_from_the_instruments_lasts_through_short_pauses_and_ends_after_the_hold_off() throws Exception {
        UsageCounters u = new UsageCounters(settings("{}", Set.of(), false), store, () -> false, clock);
        cycle(u, 24, 1.8);
        assertTrue(u.inTreatment());
        for (int i = 0; i < 200; i++) {      // 20 s pause: within the 30 s hold-off
            cycle(u, 24, 0.0);
        }
        cycle(u, 24, 1.8);
        for (int i = 0; i < 300; i++) {      // 30 s pause: still the same treatment at exactly 30 s
            cycle(u, 24, 0.0);
        }
        assertTrue(u.inTreatment());
        cycle(u, 24, 0.0);
        cycle(u, 24, 0.0);
        assertFalse(u.inTreatment());
        cycle(u, 24, 1.8);
        assertEquals(2L, store.counters().get(UsageCounters.TREATMENTS));
    }

    @Test
    void a_silent_board_counts_no_time() throws Exception {
        UsageCounters u = new UsageCounters(settings("{}", Set.of(), false), store, () -> false, clock);
        cycle(u, 24, 0);
        for (int i = 0; i < 50; i++) {
            clock.advance(Duration.ofMillis(100));
            u.onFailedCycle(clock.instant());
        }
        cycle(u, 24, 0);
        u.flush(clock.instant());
        assertEquals(0L, store.counters().getOrDefault(UsageCounters.OPERATING, 0L), "not the 5 s of silence");
    }

    @Test
    void chair_movements_and_disinfections_count_gpio_activations_stored_at_once() throws Exception {
        UsageCounters u = new UsageCounters(settings("{}", Set.of("chair_moving", "waterline_disinfection"), false),
                store, () -> false, clock);
        u.gpioState("chair_moving", true);   // already active at start: not a new movement
        u.onGpio("chair_moving", false, clock.instant());
        u.onGpio("chair_moving", true, clock.instant());
        u.onGpio("chair_moving", true, clock.instant());
        u.onGpio("chair_moving", false, clock.instant());
        u.onGpio("chair_moving", true, clock.instant());
        u.gpioState("waterline_disinfection", false);
        u.onGpio("waterline_disinfection", true, clock.instant());
        assertEquals(2L, store.counters().get(UsageCounters.CHAIR));
        assertEquals(1L, store.counters().get(UsageCounters.DISINFECTIONS));
        assertEquals("gpio chair_moving", u.json().getAsJsonObject("chairMovements").get("source").getAsString());
    }

    @Test
    void a_counter_can_come_from_a_channel_crossing_its_threshold() throws Exception {
        UsageCounters u = new UsageCounters(settings("{\"chairMovements\": {\"channel\": \"motor2_current\","
                + " \"above\": 1.0}}", Set.of(), false), store, () -> false, clock);
        double[] motor2 = {0, 1.4, 1.4, 0, 1.4, 0};
        for (double v : motor2) {
            Instant now = clock.instant();
            u.onCycle(now, List.of(new Reading("motor2_current", v, now, Quality.GOOD)));
            clock.advance(Duration.ofMillis(100));
        }
        assertEquals(2L, store.counters().get(UsageCounters.CHAIR));
    }

    @Test
    void an_event_counter_that_could_not_be_stored_goes_with_the_next_flush() throws Exception {
        UsageCounters u = new UsageCounters(settings("{}", Set.of("chair_moving"), false), store, () -> false, clock);
        u.gpioState("chair_moving", false);
        store.failNextWrites(1);
        u.onGpio("chair_moving", true, clock.instant());
        assertEquals(Map.of(), store.counters());
        u.flush(clock.instant());
        assertEquals(1L, store.counters().get(UsageCounters.CHAIR));
    }

    @Test
    void usage_settings_mistakes_name_their_key() {
        assertEquals("diagnostics.usage.instruments.turbine.channel", assertThrows(ConfigException.class, () ->
                settings("{\"instruments\": {\"turbine\": {\"channel\": \"nope\", \"above\": 1}}}", Set.of(), false))
                .key());
        assertEquals("diagnostics.usage.chairMovements.gpio", assertThrows(ConfigException.class, () ->
                settings("{\"chairMovements\": {\"gpio\": \"chair\"}}", Set.of(), false)).key());
        assertEquals("diagnostics.usage.treatments.from", assertThrows(ConfigException.class, () ->
                settings("{\"treatments\": {\"from\": \"gpio\"}}", Set.of(), false)).key());
        assertEquals("diagnostics.usage.operating.above", assertThrows(ConfigException.class, () ->
                settings("{\"operating\": {\"channel\": \"supply_voltage\"}}", Set.of(), false)).key());
    }
}
