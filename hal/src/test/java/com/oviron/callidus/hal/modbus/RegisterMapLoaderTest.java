package com.oviron.callidus.hal.modbus;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.oviron.callidus.hal.sim.SimulatedCallidusBoard;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class RegisterMapLoaderTest {
    private static final String OK_CHANNEL = "{\"id\":\"supply_voltage\",\"name\":\"Supply\",\"unit\":\"V\","
            + "\"kind\":\"input\",\"address\":0,\"type\":\"u16\",\"scale\":0.001,\"min\":0,\"max\":40}";

    @Test
    void the_shipped_map_covers_every_channel_of_the_board() throws Exception {
        RegisterMap map = RegisterMapLoader.loadDefault();
        assertEquals(SimulatedCallidusBoard.CHANNELS, map.channels().stream().map(RegisterChannel::channel).toList());
        RegisterChannel air = map.channels().get(3);
        assertEquals(RegisterChannel.DataType.FLOAT32, air.type());
        assertEquals(Duration.ofMillis(1000), map.channels().get(6).samplePeriod());
        assertEquals(RegisterChannel.WordOrder.LOW_FIRST, map.channels().get(8).wordOrder());
    }

    @Test
    void reads_a_minimal_map_with_defaults() throws Exception {
        RegisterMap map = RegisterMapLoader.parse("{\"format\":1,\"channels\":[" + OK_CHANNEL + "]}", "test");
        RegisterChannel c = map.channels().get(0);
        assertEquals(Duration.ofMillis(100), c.samplePeriod());
        assertEquals(0.0, c.deadband());
        assertEquals(0.0, c.offset());
        assertEquals(RegisterChannel.WordOrder.HIGH_FIRST, c.wordOrder());
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "field 'format'          | {\"format\":2,\"channels\":[CH]}",
        "field 'channels'        | {\"format\":1,\"channels\":[]}",
        "unknown field 'chanels' | {\"format\":1,\"chanels\":[CH]}",
        "channel 'supply_voltage' field 'kind'    | {\"format\":1,\"channels\":[CH:\"kind\":\"input\"->\"kind\":\"eeprom\"]}",
        "channel 'supply_voltage' field 'type'    | {\"format\":1,\"channels\":[CH:\"u16\"->\"bool\"]}",
        "channel 'supply_voltage' field 'address' | {\"format\":1,\"channels\":[CH:\"address\":0->\"address\":70000]}",
        "channel 'supply_voltage' field 'scale'   | {\"format\":1,\"channels\":[CH:\"scale\":0.001->\"scale\":0]}",
        "channel 'supply_voltage' field 'max'     | {\"format\":1,\"channels\":[CH:\"max\":40->\"max\":-1]}",
        "channel 'supply_voltage' field 'min'     | {\"format\":1,\"channels\":[CH:\"min\":0,->]}",
        "channel 'supply_voltage' field 'samplePeriodMs' | {\"format\":1,\"channels\":[CH:\"min\"->\"samplePeriodMs\":1,\"min\"]}",
        "channel 'supply_voltage' field 'deadband' | {\"format\":1,\"channels\":[CH:\"min\"->\"deadband\":-1,\"min\"]}",
        "channel 'supply_voltage': unknown field 'unit_' | {\"format\":1,\"channels\":[CH:\"min\"->\"unit_\":1,\"min\"]}",
        "channel 'Supply Voltage' field 'id'      | {\"format\":1,\"channels\":[CH:\"supply_voltage\"->\"Supply Voltage\"]}",
        "channel 'supply_voltage' appears twice   | {\"format\":1,\"channels\":[CH,CH:\"address\":0->\"address\":5]}",
        "channel 'b' field 'address': input 0..0 overlaps channel 'supply_voltage' | {\"format\":1,\"channels\":[CH,CH:\"supply_voltage\"->\"b\"]}",
        "not valid JSON          | {\"format\":1,\"channels\":[CH] // comment",
        "not valid JSON          | {\"format\":1,\"channels\":[CH]} trailing",
        "field 'format' appears twice | {\"format\":1,\"format\":1,\"channels\":[CH]}",
        "channel 'supply_voltage' field 'address' | {\"format\":1,\"channels\":[CH:\"address\":0->\"address\":4294967296]}"
    })
    void names_the_channel_and_field_that_is_wrong(String expected, String template) {
        RegisterMapException e = assertThrows(RegisterMapException.class,
                () -> RegisterMapLoader.parse(expand(template), "test.json"));
        assertTrue(e.getMessage().contains(expected.trim()), e.getMessage());
        assertTrue(e.getMessage().contains("test.json"), e.getMessage());
    }

    /** CH is the good channel; "CH:a->b" is the good channel with a replaced by b. */
    private static String expand(String template) {
        StringBuilder out = new StringBuilder();
        int i = 0;
        while (i < template.length()) {
            int at = template.indexOf("CH", i);
            if (at < 0) {
                out.append(template.substring(i));
                break;
            }
            out.append(template, i, at);
            int end = at + 2;
            String channel = OK_CHANNEL;
            if (end < template.length() && template.charAt(end) == ':') {
                int arrow = template.indexOf("->", end);
                int stop = nextStop(template, arrow + 2);
                channel = channel.replace(template.substring(end + 1, arrow), template.substring(arrow + 2, stop));
                end = stop;
            }
            out.append(channel);
            i = end;
        }
        return out.toString();
    }

    private static int nextStop(String s, int from) {
        for (int i = from; i < s.length(); i++) {
            char c = s.charAt(i);
            if ((c == ']' || c == ',') && !s.startsWith("\"", i + 1) && (c == ']' || s.startsWith("CH", i + 1))) {
                return i;
            }
        }
        return s.length();
    }

    @Test
    void expand_helper_does_what_the_table_means() {
        assertTrue(expand("[CH:\"u16\"->\"bool\"]").contains("\"type\":\"bool\""));
        assertTrue(expand("[CH,CH:\"address\":0->\"address\":5]").contains("\"address\":5"));
    }
}
