package com.oviron.callidus.cloud;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.oviron.callidus.store.TelemetryRecord;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.Inflater;
import org.junit.jupiter.api.Test;

/**
 * The worked examples of docs/protocol.md, read from the page itself, against the unit's encoder and the
 * reference decoder: the page a cloud engineer builds a decoder from cannot drift from what the unit sends.
 */
class ProtocolDocExamplesTest {
    /** The module's tests run in cloud-link/; the page is in the reactor's docs folder. */
    private static final Path PROTOCOL = Path.of("..", "docs", "protocol.md");
    private static final Pattern READING_ROW = Pattern.compile(
            "^\\| (\\d+) \\| `([a-z0-9_]+)` \\| (-?\\d+) \\| ([^|]+?) \\| (\\d)\\b[^|]* \\|$");
    private static final Pattern BATCH_LINE = Pattern.compile("device `([^`]+)`, stream `([^`]+)`, sentAt (\\d+)");
    private static final Pattern DUMP_LINE = Pattern.compile("^[0-9a-f]{4}  ([0-9a-f]{2}( [0-9a-f]{2})*)$");
    /** In an annotated listing the bytes fill the first 24 columns (8 bytes), the comment starts after them. */
    private static final int BYTE_COLUMNS = 24;

    /** One worked example: the batch the table describes, and the bytes of each listing, in page order. */
    private record Example(TelemetryBatch batch, List<byte[]> listings) {
    }

    private static String page() throws IOException {
        return Files.readString(PROTOCOL, StandardCharsets.UTF_8);
    }

    private static Example example(String name) throws IOException {
        String doc = page();
        String open = "<!-- telemetry-example: " + name + " -->";
        int start = doc.indexOf(open);
        assertTrue(start >= 0, "docs/protocol.md has no '" + open + "'");
        int end = doc.indexOf("<!-- /telemetry-example -->", start);
        assertTrue(end > start, "the example '" + name + "' is not closed");
        Matcher batchLine = BATCH_LINE.matcher(doc.substring(doc.lastIndexOf("**Worked example", start), start));
        assertTrue(batchLine.find(), "the example '" + name + "' names no device, stream and sentAt");

        List<TelemetryRecord> readings = new ArrayList<>();
        List<byte[]> listings = new ArrayList<>();
        ByteArrayOutputStream listing = null;
        for (String line : doc.substring(start + open.length(), end).split("\n")) {
            if (line.startsWith("```")) {
                if (listing == null) {
                    listing = new ByteArrayOutputStream();
                } else {
                    listings.add(listing.toByteArray());
                    listing = null;
                }
                continue;
            }
            if (listing != null) {
                listing.writeBytes(bytesOf(line));
                continue;
            }
            Matcher row = READING_ROW.matcher(line);
            if (row.matches()) {
                String value = row.group(4).trim();
                readings.add(new TelemetryRecord(Long.parseLong(row.group(1)), row.group(2),
                        Long.parseLong(row.group(3)), value.equals("none") ? Double.NaN : Double.parseDouble(value),
                        Integer.parseInt(row.group(5))));
            }
        }
        assertTrue(!readings.isEmpty(), "the example '" + name + "' has no readings table");
        return new Example(TelemetryBatch.of(batchLine.group(1), batchLine.group(2), readings,
                Long.parseLong(batchLine.group(3))), listings);
    }

    /** The bytes of one listing line: a hex dump line (offset first) or an annotated line (bytes, comment). */
    private static byte[] bytesOf(String line) {
        Matcher dump = DUMP_LINE.matcher(line);
        String hex = dump.matches() ? dump.group(1) : line.substring(0, Math.min(BYTE_COLUMNS, line.length())).trim();
        if (hex.isEmpty()) {
            return new byte[0]; // a comment's second line
        }
        for (String token : hex.split(" ")) {
            assertTrue(token.matches("[0-9a-f]{2}"), "not a byte '" + token + "' in the listing line: " + line);
        }
        return HexFormat.ofDelimiter(" ").parseHex(hex);
    }

    private static int headerLength(TelemetryBatch batch) {
        return 4 + 1 + batch.deviceId().length() + 1 + batch.stream().length() + 8 + 8 + 4 + 8;
    }

    private static byte[] inflate(byte[] zlib) throws Exception {
        Inflater inflater = new Inflater();
        try {
            inflater.setInput(zlib);
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            byte[] chunk = new byte[4096];
            while (!inflater.finished()) {
                int n = inflater.inflate(chunk);
                assertTrue(n > 0 || !inflater.needsInput(), "the zlib stream is truncated");
                out.write(chunk, 0, n);
            }
            return out.toByteArray();
        } finally {
            inflater.end();
        }
    }

    @Test
    void the_uncompressed_example_is_byte_for_byte_what_the_unit_sends_and_decodes_back_to_its_readings()
            throws Exception {
        Example example = example("uncompressed");
        assertEquals(2, example.listings().size(), "the byte-by-byte listing and the hex dump");
        byte[] annotated = example.listings().get(0);
        byte[] payload = example.listings().get(1);
        assertArrayEquals(payload, annotated, "the byte-by-byte listing and the hex dump differ");
        assertEquals(0, payload[3] & 1, "flag bit 0 (zlib) is clear");

        assertEquals(HexFormat.of().formatHex(payload),
                HexFormat.of().formatHex(TelemetryBatchCodec.encode(example.batch())), "the unit's encoding");
        assertEquals(example.batch(), TelemetryBatchCodec.decode(payload), "decoding the payload");
    }

    @Test
    void the_compressed_example_decodes_to_its_readings_and_has_the_units_header_hash_and_body() throws Exception {
        Example example = example("zlib");
        assertEquals(3, example.listings().size(), "the header listing, the body listing and the hex dump");
        byte[] header = example.listings().get(0);
        byte[] body = example.listings().get(1);
        byte[] payload = example.listings().get(2);
        int headerLength = headerLength(example.batch());
        assertEquals(headerLength + 32, header.length, "the header listing holds the header and the hash");
        assertEquals(1, payload[3] & 1, "flag bit 0 (zlib) is set");
        assertArrayEquals(header, Arrays.copyOf(payload, header.length), "the header listing and the hex dump");
        assertArrayEquals(body, inflate(Arrays.copyOfRange(payload, header.length, payload.length)),
                "the body listing is what the payload's zlib stream holds");
        MessageDigest sha256 = MessageDigest.getInstance("SHA-256");
        sha256.update(payload, 0, headerLength);
        assertArrayEquals(sha256.digest(body), Arrays.copyOfRange(header, headerLength, headerLength + 32),
                "the hash covers the header and the uncompressed body");

        // the unit's encoding: the same header, hash and body; the zlib bytes may differ with the zlib version
        byte[] encoded = TelemetryBatchCodec.encode(example.batch());
        assertEquals(HexFormat.of().formatHex(header), HexFormat.of().formatHex(Arrays.copyOf(encoded, header.length)),
                "the unit's header and hash");
        assertArrayEquals(body, inflate(Arrays.copyOfRange(encoded, header.length, encoded.length)), "the unit's body");
        assertEquals(example.batch(), TelemetryBatchCodec.decode(payload), "decoding the payload");
    }

    @Test
    void the_format_1_example_decodes_with_its_stale_reading_carrying_the_last_good_value() throws Exception {
        String doc = page();
        int section = doc.indexOf("### Telemetry format 1");
        int open = doc.indexOf("```json\n", section);
        String json = doc.substring(open + "```json\n".length(), doc.indexOf("```", open + 7));
        TelemetryBatch batch = TelemetryBatchCodec.decode(json.getBytes(StandardCharsets.UTF_8));
        assertEquals(List.of(
                new TelemetryRecord(41, "supply_voltage", 1763712000000L, 24.125, 0),
                new TelemetryRecord(42, "main_air_pressure", 1763712000000L, 5.75, 2),
                new TelemetryRecord(43, "water_pressure", 1763712000000L, Double.NaN, 3)), batch.readings());
    }
}
