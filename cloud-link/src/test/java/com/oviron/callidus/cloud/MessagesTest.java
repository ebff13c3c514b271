package com.oviron.callidus.cloud;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class MessagesTest {
    @Test
    void status_round_trips_and_rejects_unknown_states() throws Exception {
        StatusMessage s = new StatusMessage("CAL-1", true, "1.2.3", 1_700_000_000_000L, "connected");
        assertEquals(s, StatusMessage.decode(s.encode()));
        assertThrows(MalformedMessageException.class, () -> StatusMessage.decode(
                "{\"device\":\"CAL-1\",\"state\":\"sleepy\",\"agentVersion\":\"1\",\"at\":0,\"reason\":\"x\"}"
                        .getBytes(StandardCharsets.UTF_8)));
        assertThrows(MalformedMessageException.class, () -> StatusMessage.decode("{}".getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void health_round_trips_with_the_link_counters_and_reads_an_older_agents_message() throws Exception {
        HealthMessage h = new HealthMessage("CAL-1", 1_700_000_000_000L, 500, 400, 3, 4096, 1000, 2, true,
                new LinkStats(1, 2, 3, 4, 5, 6), java.util.Optional.empty());
        assertEquals(h, HealthMessage.decode(h.encode()));
        String older = "{\"v\":1,\"device\":\"CAL-1\",\"at\":1,\"store\":{\"lastSeq\":5,\"acknowledgedSeq\":4,"
                + "\"droppedReadings\":0,\"bytes\":10},\"hal\":{\"samples\":1,\"errors\":0,"
                + "\"treatmentInProgress\":false}}";
        assertEquals(LinkStats.NONE, HealthMessage.decode(older.getBytes(StandardCharsets.UTF_8)).link());
        String beforeAttempts = "{\"v\":1,\"device\":\"CAL-1\",\"at\":1,\"store\":{\"lastSeq\":5,\"acknowledgedSeq\":4,"
                + "\"droppedReadings\":0,\"bytes\":10},\"hal\":{\"samples\":1,\"errors\":0,"
                + "\"treatmentInProgress\":false},\"link\":{\"oversizedDropped\":1,\"silentBrokerCloses\":2,"
                + "\"connectsAbandoned\":3,\"repliesDropped\":4,\"liveDropped\":5}}";
        assertEquals(new LinkStats(1, 2, 3, 4, 5, 0),
                HealthMessage.decode(beforeAttempts.getBytes(StandardCharsets.UTF_8)).link());
    }

    @Test
    void health_round_trips_with_the_disk_and_reads_a_message_of_an_older_agent_without_it() throws Exception {
        HealthMessage h = new HealthMessage("CAL-1", 1000, 50, 40, 3, 4096, 10, 1, false, LinkStats.NONE,
                java.util.Optional.of(new HealthMessage.Disk(1024, 8 << 20, 1 << 20, false, 6 << 20, true)));
        assertEquals(h, HealthMessage.decode(h.encode()));
        String json = new String(h.encode(), StandardCharsets.UTF_8);
        assertTrue(json.contains("\"disk\":{\"freeBytes\":1024,\"totalBytes\":8388608,\"reserveBytes\":1048576,"
                + "\"reserveHeld\":false,\"limitBytes\":6291456,\"full\":true}"), json);
        HealthMessage old = HealthMessage.decode(("{\"v\":1,\"device\":\"CAL-1\",\"at\":1,\"store\":{\"lastSeq\":5,"
                + "\"acknowledgedSeq\":4,\"droppedReadings\":0,\"bytes\":10},\"hal\":{\"samples\":1,\"errors\":0,"
                + "\"treatmentInProgress\":false}}").getBytes(StandardCharsets.UTF_8));
        assertTrue(old.disk().isEmpty());
        assertEquals(5, old.lastSeq());
    }

    @Test
    void channel_catalog_round_trips() throws Exception {
        ChannelCatalog c = new ChannelCatalog("CAL-1", List.of(new ChannelCatalog.Channel("supply_voltage",
                "Supply voltage", "V"), new ChannelCatalog.Channel("water_temperature", "Water temperature", "°C")));
        assertEquals(c, ChannelCatalog.decode(c.encode()));
        assertThrows(MalformedMessageException.class, () -> ChannelCatalog.decode("[1]".getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void topic_filters_match_as_mqtt_says() {
        assertEquals(true, Topics.matches("callidus/v1/+/cmd", "callidus/v1/CAL-1/cmd"));
        assertEquals(true, Topics.matches("callidus/#", "callidus/v1/CAL-1/cmd"));
        assertEquals(true, Topics.matches("callidus/v1/CAL-1/#", "callidus/v1/CAL-1"));
        assertEquals(false, Topics.matches("callidus/v1/+/cmd", "callidus/v1/CAL-1/cmd/reply"));
        assertEquals(false, Topics.matches("callidus/v1/+", "callidus/v1/CAL-1/cmd"));
        assertEquals(false, Topics.matches("callidus/v1/CAL-2/cmd", "callidus/v1/CAL-1/cmd"));
    }

    @Test
    void topics_have_four_levels_and_reject_wildcards_in_device_ids() {
        Topics t = new Topics("CAL-000123");
        assertEquals("callidus/v1/CAL-000123/telemetry", t.telemetry());
        assertEquals("callidus/v1/CAL-000123/status", t.status());
        assertEquals("callidus/v1/CAL-000123/channels", t.channels());
        assertEquals(Optional.of("CAL-000123"), Topics.deviceOf(t.telemetry()));
        assertEquals(Optional.empty(), Topics.deviceOf("other/v1/CAL-1/telemetry"));
        for (String bad : new String[] {"", "CAL/1", "CAL+", "CAL#", "a b", "x".repeat(65)}) {
            assertThrows(IllegalArgumentException.class, () -> new Topics(bad), bad);
        }
    }
}
