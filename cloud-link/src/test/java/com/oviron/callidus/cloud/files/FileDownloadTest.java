package com.oviron.callidus.cloud.files;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.oviron.callidus.cloud.testing.Await;
import com.oviron.callidus.store.StoreException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class FileDownloadTest {
    private static final int CHUNK = 1024;

    @TempDir
    Path dir;

    /** What the receiver was given: kind, name and the bytes, read at hand-over. */
    record Taken(FileKind kind, String name, byte[] bytes) {
    }

    private final List<Taken> taken = new CopyOnWriteArrayList<>();
    private volatile String rejectWith;
    private final List<TestUnit> units = new ArrayList<>();
    private final TestUnit.MutableClock clock = new TestUnit.MutableClock();

    private TestUnit unit(FileTransferSettings settings) throws Exception {
        ReceivedFileHandler receiver = (kind, name, file) -> {
            if (rejectWith != null) {
                throw new FileRejectedException(rejectWith);
            }
            try {
                taken.add(new Taken(kind, name, Files.readAllBytes(file)));
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        };
        Map<FileKind, ReceivedFileHandler> receivers = new EnumMap<>(FileKind.class);
        receivers.put(FileKind.LOGO, receiver);
        receivers.put(FileKind.XRAY, receiver);
        TestUnit u = new TestUnit(dir.resolve("transfers.db"), settings, receivers, UploadSources.none(), clock);
        units.add(u);
        return u;
    }

    private FileTransferSettings settings() {
        Map<FileKind, Long> quota = new EnumMap<>(FileKind.class);
        quota.put(FileKind.LOGO, 20_000L);
        quota.put(FileKind.XRAY, 1_000_000L);
        quota.put(FileKind.SCREENSAVER, 1_000_000L); // a quota but no receiver: still refused
        return FileTransferSettings.defaults(dir.resolve("parts")).withMaxDownloadBytes(quota).withMinFreeBytes(0)
                .withWindow(8, Duration.ofSeconds(15));
    }

    @AfterEach
    void close() throws Exception {
        for (TestUnit u : units) {
            u.close();
        }
    }

    private static byte[] content(int size) {
        byte[] b = new byte[size];
        new Random(size).nextBytes(b);
        return b;
    }

    private static String sha(byte[] b) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
    }

    private JsonObject offerArgs(String id, String kind, String name, byte[] file, String sha) {
        JsonObject a = new JsonObject();
        a.addProperty("transferId", id);
        a.addProperty("kind", kind);
        a.addProperty("name", name);
        a.addProperty("size", file.length);
        a.addProperty("sha256", sha);
        a.addProperty("chunkSize", CHUNK);
        a.addProperty("deadline", clock.millis() + 3_600_000);
        return a;
    }

    private JsonObject offer(TestUnit u, String id, byte[] file) throws Exception {
        return u.command("file.offer", offerArgs(id, "xray", "scan-1.dcm", file, sha(file)));
    }

    private static void deliverChunk(TestUnit u, String id, byte[] file, int index) {
        int from = index * CHUNK;
        int len = Math.min(CHUNK, file.length - from);
        u.link.deliver(TestUnit.FILES.chunk(), ChunkFrame.encode(id, from, file, from, len));
    }

    /** Answers every need message from {@code fromNeed} on until the transfer ends or nothing more is asked. */
    private static void serve(TestUnit u, String id, byte[] file) throws Exception {
        int served = 0;
        for (int round = 0; round < 10_000; round++) {
            u.settle();
            List<Integer> asked = u.needed(0);
            if (served == asked.size()) {
                return;
            }
            for (int c : asked.subList(served, asked.size())) {
                deliverChunk(u, id, file, c);
            }
            served = asked.size();
        }
    }

    private static String errorCode(JsonObject reply) {
        return reply.getAsJsonObject("error").get("code").getAsString();
    }

    private static String errorMessage(JsonObject reply) {
        return reply.getAsJsonObject("error").get("message").getAsString();
    }

    @Test
    void a_download_arrives_whole_is_checked_and_handed_to_the_receiver_of_its_kind() throws Exception {
        TestUnit u = unit(settings());
        byte[] file = content(10 * CHUNK + 123);
        JsonObject reply = offer(u, "d-1", file);
        assertTrue(reply.get("ok").getAsBoolean(), reply.toString());
        assertEquals(11, reply.getAsJsonObject("result").get("chunks").getAsInt());
        u.settle();
        assertEquals(List.of(0, 1, 2, 3, 4, 5, 6, 7), u.needed(0), "the first request fills the window");
        serve(u, "d-1", file);
        Await.until("done", TestUnit.WAIT, () -> u.state("d-1").equals("done"));
        assertEquals(1, taken.size());
        assertEquals(FileKind.XRAY, taken.get(0).kind());
        assertEquals("scan-1.dcm", taken.get(0).name());
        assertArrayEquals(file, taken.get(0).bytes());
        assertFalse(Files.exists(u.transfers.partFile("d-1")), "the part file is gone");
        assertEquals(IntStream.range(0, 11).boxed().toList(), u.needed(0), "each chunk asked for once");
        JsonObject last = u.lastProgress("d-1");
        assertEquals(file.length, last.get("bytesDone").getAsLong());
        assertEquals("download", last.get("direction").getAsString());
        assertEquals("active", u.published(TestUnit.FILES.progress()).get(0).get("state").getAsString(),
                "reported at the start");
    }

    @ParameterizedTest
    @ValueSource(strings = {"../x", "a/b", "..", "C:\\x", "a\u0000b", "/etc/passwd", ".hidden", "x\ny", "a\\b",
            "", " padded", "..\\..\\boot.ini"})
    void refuses_names_that_are_not_plain_file_names_and_keeps_nothing(String name) throws Exception {
        TestUnit u = unit(settings());
        byte[] file = content(100);
        JsonObject reply = u.command("file.offer", offerArgs("d-bad", "xray", name, file, sha(file)));
        assertFalse(reply.get("ok").getAsBoolean());
        assertEquals("invalid_argument", errorCode(reply));
        assertTrue(errorMessage(reply).startsWith("args.name"), errorMessage(reply));
        assertNothingKept(u, "d-bad");
    }

    @Test
    void refuses_a_name_of_200_characters() throws Exception {
        TestUnit u = unit(settings());
        byte[] file = content(100);
        JsonObject reply = u.command("file.offer", offerArgs("d-long", "xray", "a".repeat(200), file, sha(file)));
        assertEquals("invalid_argument", errorCode(reply));
        assertTrue(errorMessage(reply).contains("at most 100"), errorMessage(reply));
        assertNothingKept(u, "d-long");
    }

    private void assertNothingKept(TestUnit u, String id) throws Exception {
        assertTrue(u.store.find(id).isEmpty(), "no transfer stored");
        assertFalse(Files.exists(u.transfers.partFile(id)), "no part file");
        assertTrue(u.needed(0).isEmpty(), "nothing asked for");
    }

    @Test
    void refuses_an_offer_over_the_quota_of_its_kind() throws Exception {
        TestUnit u = unit(settings());
        byte[] file = content(20_001);
        JsonObject reply = u.command("file.offer", offerArgs("d-big", "logo", "logo.png", file, sha(file)));
        assertEquals("invalid_argument", errorCode(reply));
        assertTrue(errorMessage(reply).startsWith("args.size: must be between 1 and 20000"), errorMessage(reply));
        assertNothingKept(u, "d-big");
    }

    @Test
    void refuses_kinds_it_does_not_receive_bad_hashes_chunk_sizes_and_deadlines() throws Exception {
        TestUnit u = unit(settings());
        byte[] file = content(100);
        String sha = sha(file);
        assertEquals("args.kind: this unit does not receive screensaver files", errorMessage(u.command("file.offer",
                offerArgs("d-k", "screensaver", "s.png", file, sha))));
        assertTrue(errorMessage(u.command("file.offer", offerArgs("d-k", "firmware", "f.bin", file, sha)))
                .startsWith("args.kind: unknown kind"));
        assertTrue(errorMessage(u.command("file.offer", offerArgs("d-k", "xray", "x", file, "abc")))
                .startsWith("args.sha256"));
        JsonObject bigChunks = offerArgs("d-k", "xray", "x", file, sha);
        bigChunks.addProperty("chunkSize", 200_000);
        assertTrue(errorMessage(u.command("file.offer", bigChunks)).startsWith("args.chunkSize"));
        JsonObject late = offerArgs("d-k", "xray", "x", file, sha);
        late.addProperty("deadline", clock.millis() - 1);
        assertTrue(errorMessage(u.command("file.offer", late)).startsWith("args.deadline: has passed"));
        JsonObject far = offerArgs("d-k", "xray", "x", file, sha);
        far.addProperty("deadline", clock.millis() + Duration.ofDays(30).toMillis());
        assertTrue(errorMessage(u.command("file.offer", far)).startsWith("args.deadline"));
        JsonObject extra = offerArgs("d-k", "xray", "x", file, sha);
        extra.addProperty("path", "/tmp/x");
        assertTrue(errorMessage(u.command("file.offer", extra)).startsWith("args.path: unknown argument"));
        JsonObject badId = offerArgs("../d", "xray", "x", file, sha);
        assertTrue(errorMessage(u.command("file.offer", badId)).startsWith("args.transferId"));
        assertNothingKept(u, "d-k");
    }

    @Test
    void a_third_download_at_once_is_answered_busy() throws Exception {
        TestUnit u = unit(settings());
        byte[] file = content(3000);
        assertTrue(offer(u, "d-1", file).get("ok").getAsBoolean());
        assertTrue(offer(u, "d-2", file).get("ok").getAsBoolean());
        JsonObject third = offer(u, "d-3", file);
        assertEquals("busy", errorCode(third));
        assertTrue(u.store.find("d-3").isEmpty());
    }

    @Test
    void refuses_a_download_that_would_leave_too_little_free_space() throws Exception {
        TestUnit u = unit(settings().withMinFreeBytes(Long.MAX_VALUE / 2));
        byte[] file = content(3000);
        JsonObject reply = offer(u, "d-1", file);
        assertEquals("failed", errorCode(reply));
        assertTrue(errorMessage(reply).startsWith("not enough free space"), errorMessage(reply));
        assertTrue(u.store.find("d-1").isEmpty());
    }

    @Test
    void the_same_offer_again_is_answered_with_the_transfer_as_it_stands_but_a_different_file_is_refused()
            throws Exception {
        TestUnit u = unit(settings());
        byte[] file = content(3000);
        offer(u, "d-1", file);
        JsonObject again = offer(u, "d-1", file);
        assertTrue(again.get("ok").getAsBoolean());
        assertEquals("active", again.getAsJsonObject("result").get("state").getAsString());
        byte[] other = content(4000);
        JsonObject different = offer(u, "d-1", other);
        assertEquals("invalid_argument", errorCode(different));
        assertTrue(errorMessage(different).startsWith("args.transferId: already used"));
    }

    @Test
    void drops_chunks_that_do_not_fit_the_declared_layout_and_takes_duplicates_harmlessly() throws Exception {
        TestUnit u = unit(settings());
        byte[] file = content(3 * CHUNK + 10);
        offer(u, "d-1", file);
        var chunkTopic = TestUnit.FILES.chunk();
        // beyond the end, misaligned, too short, too long for the last chunk, corrupted CRC, unknown transfer,
        // garbage
        u.link.deliver(chunkTopic, ChunkFrame.encode("d-1", 4L * CHUNK, new byte[CHUNK], 0, CHUNK));
        u.link.deliver(chunkTopic, ChunkFrame.encode("d-1", 100, file, 100, CHUNK));
        u.link.deliver(chunkTopic, ChunkFrame.encode("d-1", 0, file, 0, CHUNK - 1));
        u.link.deliver(chunkTopic, ChunkFrame.encode("d-1", 3L * CHUNK, new byte[CHUNK], 0, CHUNK));
        byte[] corrupt = ChunkFrame.encode("d-1", 0, file, 0, CHUNK);
        corrupt[corrupt.length - 1] ^= 1;
        u.link.deliver(chunkTopic, corrupt);
        u.link.deliver(chunkTopic, ChunkFrame.encode("d-other", 0, file, 0, CHUNK));
        u.link.deliver(chunkTopic, new byte[] {1, 2, 3});
        u.settle();
        assertEquals(0, u.store.find("d-1").orElseThrow().chunksDone(), "nothing taken");
        assertEquals(0, Files.size(u.transfers.partFile("d-1")), "nothing written");
        deliverChunk(u, "d-1", file, 1);
        deliverChunk(u, "d-1", file, 1);
        deliverChunk(u, "d-1", file, 0);
        deliverChunk(u, "d-1", file, 3);
        deliverChunk(u, "d-1", file, 3);
        deliverChunk(u, "d-1", file, 2);
        Await.until("done", TestUnit.WAIT, () -> u.state("d-1").equals("done"));
        assertArrayEquals(file, taken.get(0).bytes());
        deliverChunk(u, "d-1", file, 2); // after the end: dropped, nothing breaks
        u.settle();
        assertEquals(1, taken.size());
    }

    @Test
    void a_file_whose_hash_does_not_match_is_not_handed_over() throws Exception {
        TestUnit u = unit(settings());
        byte[] file = content(2 * CHUNK);
        u.command("file.offer", offerArgs("d-1", "xray", "x.dcm", file, sha(content(7))));
        serve(u, "d-1", file);
        Await.until("failed", TestUnit.WAIT, () -> u.state("d-1").equals("failed"));
        assertTrue(u.lastProgress("d-1").get("reason").getAsString().startsWith("sha256 mismatch"));
        assertTrue(taken.isEmpty());
        assertFalse(Files.exists(u.transfers.partFile("d-1")));
    }

    @Test
    void a_file_the_receiver_refuses_ends_rejected_with_its_reason() throws Exception {
        TestUnit u = unit(settings());
        rejectWith = "not a PNG image";
        byte[] file = content(CHUNK);
        offer(u, "d-1", file);
        serve(u, "d-1", file);
        Await.until("rejected", TestUnit.WAIT, () -> u.state("d-1").equals("rejected"));
        assertEquals("not a PNG image", u.lastProgress("d-1").get("reason").getAsString());
        assertEquals("rejected", u.store.find("d-1").orElseThrow().state().wire());
    }

    @Test
    void a_download_past_its_deadline_is_abandoned_and_its_part_file_deleted() throws Exception {
        TestUnit u = unit(settings());
        byte[] file = content(4 * CHUNK);
        offer(u, "d-1", file);
        deliverChunk(u, "d-1", file, 0);
        u.settle();
        assertTrue(Files.exists(u.transfers.partFile("d-1")));
        clock.advance(Duration.ofHours(2));
        Await.until("failed", TestUnit.WAIT, () -> u.state("d-1").equals("failed"));
        assertTrue(u.lastProgress("d-1").get("reason").getAsString().startsWith("deadline passed"));
        assertFalse(Files.exists(u.transfers.partFile("d-1")));
        deliverChunk(u, "d-1", file, 1);
        u.settle();
        assertTrue(taken.isEmpty());
    }

    @Test
    void asks_again_for_chunks_that_did_not_come() throws Exception {
        TestUnit u = unit(settings());
        byte[] file = content(4 * CHUNK);
        offer(u, "d-1", file);
        u.settle();
        assertEquals(List.of(0, 1, 2, 3), u.needed(0));
        deliverChunk(u, "d-1", file, 2);
        u.settle();
        clock.advance(Duration.ofSeconds(16));
        Await.until("asked again", TestUnit.WAIT, () -> u.needed(0).size() > 4);
        assertEquals(List.of(0, 1, 3), u.needed(1));
    }

    @Test
    void a_reconnect_asks_again_for_what_is_missing() throws Exception {
        TestUnit u = unit(settings());
        byte[] file = content(4 * CHUNK);
        offer(u, "d-1", file);
        deliverChunk(u, "d-1", file, 0);
        u.settle();
        int needs = u.published(TestUnit.FILES.need()).size();
        u.link.disconnect("test");
        u.link.connect();
        u.settle();
        assertEquals(List.of(1, 2, 3), u.needed(needs));
    }

    @Test
    void a_restarted_unit_asks_only_for_the_chunks_it_does_not_have() throws Exception {
        TestUnit first = unit(settings());
        byte[] file = content(10 * CHUNK);
        offer(first, "d-1", file);
        for (int c : List.of(0, 1, 2, 5, 9)) {
            deliverChunk(first, "d-1", file, c);
        }
        first.settle();
        first.close();
        units.remove(first);

        TestUnit second = unit(settings());
        second.settle();
        assertEquals(List.of(3, 4, 6, 7, 8), second.needed(0), "only the missing chunks");
        serve(second, "d-1", file);
        Await.until("done", TestUnit.WAIT, () -> second.state("d-1").equals("done"));
        assertArrayEquals(file, taken.get(0).bytes());
    }

    @Test
    void a_link_planted_at_a_part_file_name_is_removed_never_written_through() throws Exception {
        Path victim = Files.write(dir.resolve("agent.json"), "{\"keep\":true}".getBytes());
        Files.createDirectories(dir.resolve("parts"));
        Files.createSymbolicLink(dir.resolve("parts/d-1.part"), victim);
        TestUnit u = unit(settings());
        byte[] file = content(3 * CHUNK);
        assertTrue(offer(u, "d-1", file).get("ok").getAsBoolean());
        serve(u, "d-1", file);
        Await.until("done", TestUnit.WAIT, () -> u.state("d-1").equals("done"));
        assertArrayEquals(file, taken.get(0).bytes());
        assertEquals("{\"keep\":true}", Files.readString(victim));
    }

    @Test
    void a_link_put_in_place_of_a_part_file_before_a_restart_fails_that_download_and_touches_nothing()
            throws Exception {
        Path victim = Files.write(dir.resolve("agent.json"), "{\"keep\":true}".getBytes());
        TestUnit first = unit(settings());
        byte[] file = content(4 * CHUNK);
        offer(first, "d-1", file);
        deliverChunk(first, "d-1", file, 0);
        first.settle();
        first.close();
        units.remove(first);
        Path part = dir.resolve("parts/d-1.part");
        Files.delete(part);
        Files.createSymbolicLink(part, victim);

        TestUnit second = unit(settings());
        second.settle();
        Await.until("failed", TestUnit.WAIT, () -> second.state("d-1").equals("failed"));
        assertTrue(second.lastProgress("d-1").get("reason").getAsString().contains("symbolic link"),
                second.lastProgress("d-1").toString());
        assertEquals("{\"keep\":true}", Files.readString(victim));
        assertFalse(Files.exists(part, java.nio.file.LinkOption.NOFOLLOW_LINKS), "the link itself is removed");
        assertTrue(taken.isEmpty());
    }

    @Test
    void cancel_ends_a_download_and_deletes_its_part_file() throws Exception {
        TestUnit u = unit(settings());
        byte[] file = content(4 * CHUNK);
        offer(u, "d-1", file);
        deliverChunk(u, "d-1", file, 0);
        u.settle();
        JsonObject args = new JsonObject();
        args.addProperty("transferId", "d-1");
        JsonObject reply = u.command("file.cancel", args);
        assertEquals("cancelled", reply.getAsJsonObject("result").get("state").getAsString());
        assertFalse(Files.exists(u.transfers.partFile("d-1")));
        assertEquals("cancelled", u.state("d-1"));
        JsonObject unknown = new JsonObject();
        unknown.addProperty("transferId", "d-none");
        assertEquals("invalid_argument", errorCode(u.command("file.cancel", unknown)));
    }

    @Test
    void chunks_beyond_the_memory_cap_are_dropped_while_the_transfer_thread_is_behind_and_asked_for_again()
            throws Exception {
        TestUnit u = unit(settings().withMaxDownloadBytes(Map.of(FileKind.XRAY, 10_000_000L)));
        int chunk = 64 * 1024;
        byte[] file = content(100 * chunk);
        JsonObject args = offerArgs("d-1", "xray", "big.dcm", file, sha(file));
        args.addProperty("chunkSize", chunk);
        assertTrue(u.command("file.offer", args).get("ok").getAsBoolean());
        var release = u.blockTransferThread();
        for (int i = 0; i < 100; i++) {
            u.link.deliver(TestUnit.FILES.chunk(), ChunkFrame.encode("d-1", (long) i * chunk, file, i * chunk, chunk));
        }
        long dropped = u.transfers.droppedChunks();
        release.countDown();
        u.settle();
        assertEquals(100 - 4 * 1024 * 1024 / (chunk + ChunkFrame.headerLength(3)), dropped,
                "at most 4 MiB wait for the transfer thread");
        // booked in the store a window at a time; the last chunks at the next tick (ADR 0027)
        Await.until(() -> "the " + (100 - dropped) + " chunks taken booked in the store, have " + booked(u, "d-1"),
                TestUnit.WAIT, () -> booked(u, "d-1") == 100 - dropped);
        clock.advance(Duration.ofSeconds(16));
        Await.until("the dropped ones asked for again", TestUnit.WAIT,
                () -> u.needed(0).contains((int) (100 - dropped)));
    }

    /** Chunks the store counts done (the durable count; the transfer thread's own may be ahead by a window). */
    private static int booked(TestUnit u, String id) {
        try {
            return u.store.find(id).orElseThrow().chunksDone();
        } catch (StoreException e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void file_list_tells_every_transfer_with_its_state() throws Exception {
        TestUnit u = unit(settings());
        byte[] file = content(CHUNK);
        offer(u, "d-1", file);
        serve(u, "d-1", file);
        Await.until("done", TestUnit.WAIT, () -> u.state("d-1").equals("done"));
        offer(u, "d-2", content(3 * CHUNK));
        JsonObject reply = u.command("file.list", new JsonObject());
        var items = reply.getAsJsonObject("result").getAsJsonArray("transfers");
        List<String> states = new ArrayList<>();
        items.forEach(i -> states.add(i.getAsJsonObject().get("transferId").getAsString() + "="
                + i.getAsJsonObject().get("state").getAsString()));
        assertEquals(List.of("d-2=active", "d-1=done"), states);
        assertEquals(1, reply.getAsJsonObject("result").get("downloadsRunning").getAsInt());
    }
}
