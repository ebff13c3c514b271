package com.oviron.callidus.agent.console;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.oviron.callidus.agent.console.LineEditor.Outcome;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class LineEditorTest {
    private final LineEditor editor = new LineEditor();
    private final ByteArrayOutputStream echo = new ByteArrayOutputStream();

    /** Feeds the bytes; returns each outcome other than NOTHING, lines as "LINE:text". */
    private List<String> feed(byte[] bytes) {
        List<String> events = new ArrayList<>();
        for (byte b : bytes) {
            Outcome o = editor.feed(b, echo);
            if (o == Outcome.LINE) {
                events.add("LINE:" + editor.line());
            } else if (o != Outcome.NOTHING) {
                events.add(o.name());
            }
        }
        return events;
    }

    private List<String> feed(String s) {
        return feed(s.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void backspace_removes_a_whole_utf8_character() {
        assertEquals(List.of(), feed("aé€"));
        feed("\u007f");
        assertArrayEquals("aé".getBytes(StandardCharsets.UTF_8), editor.pending());
        feed("\b");
        assertArrayEquals("a".getBytes(StandardCharsets.UTF_8), editor.pending());
        feed("\b\b\b");
        assertArrayEquals(new byte[0], editor.pending());
        assertEquals("aé€\b \b\b \b\b \b", echo.toString(StandardCharsets.UTF_8));
    }

    @Test
    void a_line_of_exactly_8_kib_is_kept_and_one_byte_more_is_dropped() {
        assertEquals(List.of("LINE:" + "a".repeat(8192)), feed("a".repeat(8192) + "\n"));
        assertEquals(List.of("OVERLONG"), feed("a".repeat(8193) + "\n"));
        assertEquals(List.of("LINE:ok"), feed("ok\r"));
    }

    @Test
    void cr_then_lf_in_separate_reads_is_one_line_end_but_two_lfs_are_two_lines() {
        assertEquals(List.of("LINE:a"), feed("a\r"));
        assertEquals(List.of(), feed("\n"));
        assertEquals(List.of("LINE:", "LINE:"), feed("\n\n"));
        assertEquals(List.of("LINE:", "LINE:"), feed("\r\r\n"));
    }

    @Test
    void escape_sequences_are_skipped_and_a_control_byte_ends_them() {
        assertEquals(List.of("LINE:ab"), feed("a\u001b[1;5Db\r"));
        assertEquals(List.of("LINE:x"), feed("\u001bOPx\r"));
        // ESC then Enter: the Enter still ends the line
        assertEquals(List.of("LINE:y"), feed("y\u001b\r"));
        assertEquals(List.of("LINE:z"), feed("\u001b[12\rz\r").subList(1, 2));
        assertEquals("abxyz", echo.toString(StandardCharsets.US_ASCII).replace("\r", ""));
    }

    @Test
    void invalid_utf8_is_replaced_at_the_end_of_the_line() {
        assertEquals(List.of("LINE:\uFFFDa\uFFFD"), feed(new byte[] {(byte) 0xc3, 'a', (byte) 0xe2, (byte) 0x82, '\n'}));
    }

    @Test
    void ctrl_c_drops_what_was_typed() {
        assertEquals(List.of("CANCELLED", "LINE:b"), feed("aaa\u0003b\r"));
    }
}
