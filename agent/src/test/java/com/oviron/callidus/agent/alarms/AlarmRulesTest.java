package com.oviron.callidus.agent.alarms;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonParser;
import com.oviron.callidus.agent.ConfigException;
import com.oviron.callidus.agent.ConfigSection;
import com.oviron.callidus.agent.diagnostics.ChannelInfo;
import com.oviron.callidus.agent.diagnostics.DiagnosticsSettings;
import com.oviron.callidus.agent.diagnostics.ErrorCatalog;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class AlarmRulesTest {
    private static final List<ChannelInfo> CALLIDUS = DiagnosticsSettings.channelsOf(Optional.empty());

    private static List<AlarmRule> read(String json, Set<String> gpio) throws ConfigException {
        return AlarmRules.read(new ConfigSection("diagnostics.alarms", JsonParser.parseString(json).getAsJsonObject()),
                CALLIDUS, gpio, ErrorCatalog.shipped());
    }

    private static Map<String, AlarmRule> byId(List<AlarmRule> rules) {
        return rules.stream().collect(Collectors.toMap(AlarmRule::id, Function.identity()));
    }

    @Test
    void the_shipped_rules_cover_every_callidus_channel_with_sensible_limits_inside_the_valid_ranges() throws Exception {
        Map<String, AlarmRule> rules = byId(read("{}", Set.of()));
        for (ChannelInfo c : CALLIDUS) {
            AlarmRule.OutOfRange oor = (AlarmRule.OutOfRange) rules.get(c.id() + ".outOfRange");
            assertEquals(c.validMin(), oor.validMin(), c.id());
            assertEquals(c.validMax(), oor.validMax(), c.id());
        }
        for (AlarmRule r : rules.values()) {
            if (r instanceof AlarmRule.Threshold t) {
                ChannelInfo c = CALLIDUS.stream().filter(x -> x.id().equals(t.subject())).findFirst().orElseThrow();
                assertTrue(c.inRange(t.limit()), t.id() + " limit within the valid range");
            }
        }
        AlarmRule.Threshold lowAir = (AlarmRule.Threshold) rules.get("main_air_pressure.low");
        assertEquals("A121", lowAir.code());
        assertEquals(4.0, lowAir.limit());
        assertEquals(Duration.ofSeconds(10), lowAir.minDuration());
        assertEquals("A010", rules.get("board.silent").code());
        assertFalse(rules.containsKey("gpio.water_bottle_low"), "no such GPIO line on this unit");
    }

    @Test
    void shipped_gpio_rules_apply_when_the_unit_has_those_inputs() throws Exception {
        Map<String, AlarmRule> rules = byId(read("{}", Set.of("water_bottle_low")));
        assertEquals("A191", rules.get("gpio.water_bottle_low").code());
    }

    @Test
    void a_configured_channel_replaces_its_shipped_rules_and_defaults_false_drops_them_all() throws Exception {
        Map<String, AlarmRule> rules = byId(read("""
                {"channels": {"supply_voltage": {"high": {"above": 27.5, "for": "2s"}}}}""", Set.of()));
        assertEquals(27.5, ((AlarmRule.Threshold) rules.get("supply_voltage.high")).limit());
        assertEquals("A001", rules.get("supply_voltage.high").code(), "a rule without a code gets the generic one");
        assertFalse(rules.containsKey("supply_voltage.low"));
        assertTrue(rules.containsKey("water_pressure.low"));
        assertEquals(List.of("supply_voltage.high"), read("""
                {"defaults": false, "channels": {"supply_voltage": {"high": {"above": 27.5}}}}""", Set.of())
                .stream().map(AlarmRule::id).toList());
        assertFalse(byId(read("{\"channels\": {\"water_pressure\": {}}}", Set.of())).containsKey("water_pressure.low"),
                "{} switches a channel's shipped rules off");
    }

    @Test
    void every_mistake_is_reported_with_its_key() {
        assertKey("diagnostics.alarms.channels.no_such", "{\"channels\": {\"no_such\": {}}}");
        assertKey("diagnostics.alarms.channels.supply_voltage.high.above",
                "{\"channels\": {\"supply_voltage\": {\"high\": {\"for\": \"5s\"}}}}");
        assertKey("diagnostics.alarms.channels.supply_voltage.hihg",
                "{\"channels\": {\"supply_voltage\": {\"hihg\": {\"above\": 1}}}}");
        assertKey("diagnostics.alarms.channels.supply_voltage.high.code",
                "{\"channels\": {\"supply_voltage\": {\"high\": {\"above\": 1, \"code\": \"E001\"}}}}");
        assertKey("diagnostics.alarms.channels.supply_voltage.high.for",
                "{\"channels\": {\"supply_voltage\": {\"high\": {\"above\": 1, \"for\": \"soon\"}}}}");
        assertKey("diagnostics.alarms.channels.main_air_pressure.stuck.for",
                "{\"channels\": {\"main_air_pressure\": {\"stuck\": {\"during\": \"always\"}}}}");
        assertKey("diagnostics.alarms.channels.main_air_pressure.rate.direction",
                "{\"channels\": {\"main_air_pressure\": {\"rate\": {\"maxChange\": 1, \"direction\": \"down\"}}}}");
        assertKey("diagnostics.alarms.gpio.chair_moving", "{\"gpio\": {\"chair_moving\": {}}}");
        assertKey("diagnostics.alarms.board.silent.for", "{\"board\": {\"silent\": {\"for\": \"2h\"}}}");
        assertKey("diagnostics.alarms.colour", "{\"colour\": 1}");
    }

    private static void assertKey(String key, String json) {
        ConfigException e = assertThrows(ConfigException.class, () -> read(json, Set.of("water_bottle_low")));
        assertEquals(key, e.key(), e.getMessage());
    }
}
