package com.oviron.callidus.cloud.console;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.oviron.callidus.cloud.MalformedMessageException;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class ConsoleFrameTest {

    private static byte[] json(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void data_and_end_frames_round_trip() throws Exception {
        ConsoleFrame data = ConsoleFrame.data("rc-1", 7, "status\r".getBytes(StandardCharsets.US_ASCII));
        assertEquals("{\"v\":1,\"session\":\"rc-1\",\"seq\":7,\"data\":\"c3RhdHVzDQ==\"}",
                new String(data.encode(), StandardCharsets.UTF_8));
        ConsoleFrame back = ConsoleFrame.decode(data.encode(), ConsoleFrame.MAX_OUT_BYTES);
        assertArrayEquals("status\r".getBytes(StandardCharsets.US_ASCII), back.data().orElseThrow());
        assertEquals(7, back.seq());
        ConsoleFrame end = ConsoleFrame.decode(ConsoleFrame.end("rc-1", 9, "idle").encode(), 0);
        assertEquals(Optional.of("idle"), end.end());
    }

    @Test
    void refuses_what_is_not_exactly_a_frame() {
        for (String bad : new String[] {
            "not json",
            "{\"v\":2,\"session\":\"rc-1\",\"seq\":1,\"data\":\"\"}",
            "{\"v\":1,\"session\":\"rc/1\",\"seq\":1,\"data\":\"\"}",
            "{\"v\":1,\"session\":\"rc-1\",\"seq\":0,\"data\":\"\"}",
            "{\"v\":1,\"session\":\"rc-1\",\"seq\":1.5,\"data\":\"\"}",
            "{\"v\":1,\"session\":\"rc-1\",\"seq\":1}",
            "{\"v\":1,\"session\":\"rc-1\",\"seq\":1,\"data\":\"\",\"end\":\"idle\"}",
            "{\"v\":1,\"session\":\"rc-1\",\"seq\":1,\"data\":\"!!\"}",
            "{\"v\":1,\"session\":\"rc-1\",\"seq\":1,\"data\":\"\",\"extra\":1}",
            "{\"v\":1,\"session\":\"rc-1\",\"seq\":1,\"data\":\"\",\"data\":\"\"}"}) {
            assertThrows(MalformedMessageException.class, () -> ConsoleFrame.decode(json(bad), 1024), bad);
        }
    }

    @Test
    void refuses_more_bytes_than_its_direction_allows() {
        byte[] big = ConsoleFrame.data("rc-1", 1, new byte[ConsoleFrame.MAX_IN_BYTES + 1]).encode();
        assertThrows(MalformedMessageException.class, () -> ConsoleFrame.decode(big, ConsoleFrame.MAX_IN_BYTES));
        assertThrows(MalformedMessageException.class, () -> ConsoleFrame.decode(new byte[9000], 1024));
    }
}
