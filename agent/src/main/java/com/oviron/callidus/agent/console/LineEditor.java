package com.oviron.callidus.agent.console;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Turns the bytes a serial terminal sends into lines, and says what to echo (terminals such as minicom and
 * picocom do not echo locally). Handles backspace (0x08 and 0x7f, one UTF-8 character at a time), CR, LF and
 * CRLF line ends, Ctrl-C (drops the line), ANSI escape sequences (arrow and function keys: ignored), other
 * control characters (ignored) and lines over {@link #MAX_LINE_BYTES} (dropped whole). Bytes are kept as
 * typed and decoded at the line's end, so invalid UTF-8 becomes U+FFFD instead of an error.
 *
 * <p>In {@link #mask masked} mode (a PIN, a pasted token) each typed character is echoed as {@code *}, and
 * {@link #pending()} gives the stars, never what was typed.
 *
 * <p>Not thread-safe: the console's thread owns it.
 */
final class LineEditor {
    /** Longest line kept; a pasted subscription token is at most 4 KiB. */
    static final int MAX_LINE_BYTES = 8 * 1024;
    /** An escape sequence longer than this is taken for garbage and ended. */
    private static final int MAX_ESCAPE_BYTES = 32;
    private static final byte[] ERASE = {'\b', ' ', '\b'};

    /** What a byte completed. */
    enum Outcome { NOTHING, LINE, OVERLONG, CANCELLED }

    private enum Escape { NONE, ESC, CSI, SS3 }

    private final byte[] buffer = new byte[MAX_LINE_BYTES];
    private int length;
    private boolean overlong;
    private boolean afterCr;
    private Escape escape = Escape.NONE;
    private int escapeBytes;
    private String line = "";
    private boolean masked;

    /**
     * Takes one byte; writes what to echo into {@code echo}.
     *
     * @return {@link Outcome#LINE} when it ended a line ({@link #line()} has it), {@link Outcome#OVERLONG} when
     *     it ended a line that was too long (dropped), {@link Outcome#CANCELLED} on Ctrl-C
     */
    Outcome feed(byte b, ByteArrayOutputStream echo) {
        int c = b & 0xff;
        boolean wasAfterCr = afterCr;
        afterCr = false;
        if (escape != Escape.NONE && escapeByte(c)) {
            return Outcome.NOTHING;
        }
        switch (c) {
            case '\r':
                afterCr = true;
                return endLine();
            case '\n':
                return wasAfterCr ? Outcome.NOTHING : endLine();
            case 0x1b:
                escape = Escape.ESC;
                escapeBytes = 0;
                return Outcome.NOTHING;
            case 0x08, 0x7f:
                backspace(echo);
                return Outcome.NOTHING;
            case 0x03:
                clear();
                echo.writeBytes("^C".getBytes(StandardCharsets.US_ASCII));
                return Outcome.CANCELLED;
            default:
                break;
        }
        if (c < 0x20) {
            return Outcome.NOTHING;
        }
        if (overlong) {
            return Outcome.NOTHING;
        }
        if (length == MAX_LINE_BYTES) {
            overlong = true;
            return Outcome.NOTHING;
        }
        buffer[length++] = b;
        if (!masked) {
            echo.write(c);
        } else if ((c & 0xc0) != 0x80) {
            echo.write('*');
        }
        return Outcome.NOTHING;
    }

    /** Echo stars instead of what is typed, from now until switched off (the line so far is kept). */
    void mask(boolean on) {
        masked = on;
    }

    boolean masked() {
        return masked;
    }

    /** The line the last {@link Outcome#LINE} completed, decoded (invalid UTF-8 replaced). */
    String line() {
        return line;
    }

    /** What has been typed of the current line, as typed (to re-print it after a notice). */
    byte[] pending() {
        if (overlong) {
            return new byte[0];
        }
        if (masked) {
            int characters = 0;
            for (int i = 0; i < length; i++) {
                if ((buffer[i] & 0xc0) != 0x80) {
                    characters++;
                }
            }
            return "*".repeat(characters).getBytes(StandardCharsets.US_ASCII);
        }
        return Arrays.copyOf(buffer, length);
    }

    private Outcome endLine() {
        if (overlong) {
            clear();
            return Outcome.OVERLONG;
        }
        line = new String(buffer, 0, length, StandardCharsets.UTF_8);
        clear();
        return Outcome.LINE;
    }

    /** Forgets the line and overwrites what was typed (a secret must not linger in the buffer). */
    private void clear() {
        Arrays.fill(buffer, 0, length, (byte) 0);
        length = 0;
        overlong = false;
    }

    private void backspace(ByteArrayOutputStream echo) {
        if (length == 0 || overlong) {
            return;
        }
        // remove one whole UTF-8 character: its continuation bytes (10xxxxxx) and its lead byte (11xxxxxx)
        int i = length - 1;
        int stop = Math.max(0, length - 4);
        while (i > stop && (buffer[i] & 0xc0) == 0x80) {
            i--;
        }
        length = (buffer[i] & 0xc0) == 0xc0 ? i : length - 1;
        echo.writeBytes(ERASE);
    }

    /** @return whether the byte belonged to the escape sequence; a control byte ends it and counts as typed */
    private boolean escapeByte(int c) {
        if (c < 0x20 || c > 0x7e) {
            escape = Escape.NONE;
            return false;
        }
        escapeBytes++;
        switch (escape) {
            case ESC -> escape = c == '[' ? Escape.CSI : c == 'O' ? Escape.SS3 : Escape.NONE;
            case CSI -> {
                // parameter and intermediate bytes (0x20..0x3f) go on; a final byte (0x40..0x7e) ends it
                if (c > 0x3f || escapeBytes > MAX_ESCAPE_BYTES) {
                    escape = Escape.NONE;
                }
            }
            default -> escape = Escape.NONE;
        }
        return true;
    }
}
