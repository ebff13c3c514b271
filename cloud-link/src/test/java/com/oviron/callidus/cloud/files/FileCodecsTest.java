package com.oviron.callidus.cloud.files;

import com.oviron.callidus.cloud.PublishRateLimiter;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonParser;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicLong;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;

class FileCodecsTest {

    @Property(tries = 200)
    void a_chunk_frame_decodes_to_what_was_encoded(@ForAll @Size(min = 1, max = 3000) byte[] data,
                                                  @ForAll @IntRange(min = 0, max = Integer.MAX_VALUE) int offset)
            throws Exception {
        ChunkFrame f = ChunkFrame.decode(ChunkFrame.encode("t-1", offset, data, 0, data.length));
        assertEquals("t-1", f.transferId());
        assertEquals(offset, f.offset());
        assertArrayEquals(data, f.data());
    }

    @Property(tries = 300)
    void any_single_flipped_bit_or_cut_is_refused(@ForAll @Size(min = 1, max = 200) byte[] data,
                                                   @ForAll @IntRange(min = 0, max = 10_000) int where) {
        byte[] frame = ChunkFrame.encode("t-1", 0, data, 0, data.length);
        byte[] flipped = frame.clone();
        int at = where % frame.length;
        flipped[at] ^= (byte) (1 << (where % 8));
        assertThrows(ChunkFrame.MalformedChunkException.class, () -> ChunkFrame.decode(flipped));
        byte[] cut = java.util.Arrays.copyOf(frame, at % frame.length);
        assertThrows(ChunkFrame.MalformedChunkException.class, () -> ChunkFrame.decode(cut));
    }

    @Test
    void the_header_is_laid_out_as_documented() {
        byte[] frame = ChunkFrame.encode("ab", 0x0102030405L, new byte[] {9, 8, 7}, 0, 3);
        assertEquals(ChunkFrame.headerLength(2) + 3, frame.length);
        assertArrayEquals(new byte[] {0x43, 0x46, 1, 2, 'a', 'b', 0, 0, 0, 1, 2, 3, 4, 5, 0, 0, 0, 3}, 
                java.util.Arrays.copyOf(frame, 18));
        java.util.zip.CRC32 crc = new java.util.zip.CRC32();
        crc.update(frame, 0, 18);
        crc.update(new byte[] {9, 8, 7});
        long declared = java.nio.ByteBuffer.wrap(frame, 18, 4).getInt() & 0xffffffffL;
        assertEquals(crc.getValue(), declared);
    }

    @Test
    void frames_with_bad_ids_versions_or_oversized_data_are_refused() {
        byte[] frame = ChunkFrame.encode("t-1", 0, new byte[10], 0, 10);
        byte[] version = frame.clone();
        version[2] = 2;
        assertThrows(ChunkFrame.MalformedChunkException.class, () -> ChunkFrame.decode(version));
        byte[] id = frame.clone();
        id[4] = '/';
        assertThrows(ChunkFrame.MalformedChunkException.class, () -> ChunkFrame.decode(id));
        assertThrows(IllegalArgumentException.class, () -> new ChunkFrame("../x", 0, new byte[1]));
        assertThrows(IllegalArgumentException.class, () -> new ChunkFrame("t", 0, new byte[ChunkFrame.MAX_DATA + 1]));
        assertTrue(ChunkFrame.headerLength(64) + ChunkFrame.MAX_DATA < 128 * 1000, "within AWS IoT Core's limit");
    }

    @Property(tries = 200)
    void a_chunk_list_reads_back_as_the_same_indexes(@ForAll @Size(max = 300) Set<@IntRange(min = 0, max = 999)
            Integer> chunks) {
        assertEquals(List.copyOf(new TreeSet<>(chunks)), ChunkList.parse(ChunkList.toJson(chunks), 1000));
    }

    @Test
    void a_chunk_list_compacts_runs_and_refuses_nonsense() {
        assertEquals("[0,[2,5],9]", ChunkList.toJson(List.of(9, 0, 2, 3, 4, 5)).toString());
        for (String bad : List.of("{}", "[-1]", "[10]", "[[3,1]]", "[[1]]", "[1.5]", "[\"1\"]", "[[0,99999999999]]")) {
            assertThrows(IllegalArgumentException.class, () -> ChunkList.parse(JsonParser.parseString(bad), 10), bad);
        }
    }

    @Test
    void safe_names_are_plain_names() {
        for (String ok : List.of("logo.png", "Röntgen 2026-01-02.dcm", "a", "a.b.c", "x".repeat(100))) {
            assertTrue(SafeFileName.isSafe(ok), ok);
        }
        for (String bad : List.of("", "../x", "a/b", "..", "C:\\x", "C:x", "a\u0000b", "x".repeat(101), ".env",
                "a\tb", "a\u0085b", "a..b", " x", "x ", "\ud800")) {
            assertFalse(SafeFileName.isSafe(bad), bad);
        }
    }

    @Test
    void the_token_bucket_lets_a_second_s_worth_through_then_paces() {
        AtomicLong now = new AtomicLong();
        PublishRateLimiter bucket = new PublishRateLimiter(40, now::get);
        for (int i = 0; i < 40; i++) {
            assertEquals(0, bucket.tryAcquire());
        }
        long wait = bucket.tryAcquire();
        assertEquals(25_000_000, wait, 1);
        now.addAndGet(wait);
        assertEquals(0, bucket.tryAcquire());
        assertEquals(0, new PublishRateLimiter(0, now::get).tryAcquire(), "0 means no limit");
    }
}
