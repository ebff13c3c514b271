package com.oviron.callidus.cloud.files;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonPrimitive;
import com.oviron.callidus.cloud.fake.FakeMqttConnection;
import com.oviron.callidus.cloud.testing.Await;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FileUploadTest {
    private static final int CHUNK = FileTransferSettings.DEFAULT_CHUNK_SIZE;

    @TempDir
    Path dir;

    private final List<TestUnit> units = new ArrayList<>();
    private final TestUnit.MutableClock clock = new TestUnit.MutableClock();
    private Path source;

    private TestUnit unit(FileTransferSettings settings, UploadSources sources) throws Exception {
        TestUnit u = new TestUnit(dir.resolve("transfers.db"), settings, Map.of(), sources, clock);
        units.add(u);
        return u;
    }

    private FileTransferSettings settings() {
        // no rate limit here: rates are measured by the benchmark, not asserted in unit tests
        return FileTransferSettings.defaults(dir.resolve("parts")).withChunksPerSecond(0)
                .withWindow(4, Duration.ofSeconds(15));
    }

    @AfterEach
    void close() throws Exception {
        for (TestUnit u : units) {
            u.close();
        }
    }

    private PathUploadSource file(int size) throws Exception {
        byte[] b = new byte[size];
        new Random(size).nextBytes(b);
        source = dir.resolve("report.pdf");
        Files.write(source, b);
        return PathUploadSource.of(source);
    }

    private static List<FakeMqttConnection.Publish> chunks(TestUnit u) {
        return u.publishesOn(TestUnit.FILES.upload());
    }

    private static int index(FakeMqttConnection.Publish p) throws Exception {
        return (int) (ChunkFrame.decode(p.payload()).offset() / CHUNK);
    }

    private static void ackOffers(TestUnit u) throws Exception {
        u.publishesOn(TestUnit.FILES.offer()).forEach(FakeMqttConnection.Publish::ack);
        u.settle();
    }

    /** Acknowledges every chunk publish not yet answered; returns how many. */
    private static int ackChunks(TestUnit u) throws Exception {
        int n = 0;
        for (FakeMqttConnection.Publish p : chunks(u)) {
            if (!p.result().isDone()) {
                p.ack();
                n++;
            }
        }
        u.settle();
        return n;
    }

    private static JsonObject received(TestUnit u, String id, boolean ok, Integer... missing) {
        JsonObject args = new JsonObject();
        args.addProperty("transferId", id);
        args.addProperty("ok", ok);
        if (missing.length > 0) {
            args.add("missing", ChunkList.toJson(List.of(missing)));
        }
        return u.command("file.received", args);
    }

    @Test
    void an_upload_is_announced_then_sent_in_a_window_and_ends_when_the_cloud_confirms() throws Exception {
        TestUnit u = unit(settings(), UploadSources.none());
        PathUploadSource src = file(10 * CHUNK + 5);
        String id = u.transfers.send(FileKind.REPORT, "report.pdf", src);
        u.settle();
        List<JsonObject> offers = u.published(TestUnit.FILES.offer());
        assertEquals(1, offers.size());
        assertEquals(id, offers.get(0).get("transferId").getAsString());
        assertEquals(11, offers.get(0).get("chunks").getAsInt());
        assertEquals(java.util.HexFormat.of().formatHex(src.sha256()), offers.get(0).get("sha256").getAsString());
        assertTrue(chunks(u).isEmpty(), "no chunk before the offer is acknowledged");
        ackOffers(u);
        assertEquals(4, chunks(u).size(), "a window of 4 unacknowledged chunks");
        while (ackChunks(u) > 0) {
            // each acknowledgement lets the next chunk go
        }
        assertEquals(11, chunks(u).size(), "every chunk once");
        byte[] rebuilt = new byte[(int) src.size()];
        for (FakeMqttConnection.Publish p : chunks(u)) {
            ChunkFrame f = ChunkFrame.decode(p.payload());
            System.arraycopy(f.data(), 0, rebuilt, (int) f.offset(), f.length());
            assertEquals(1, p.qos());
        }
        assertArrayEquals(Files.readAllBytes(source), rebuilt);
        assertEquals("sent", u.state(id));
        JsonObject reply = received(u, id, true);
        assertEquals("done", reply.getAsJsonObject("result").get("state").getAsString());
        assertEquals("done", u.state(id));
    }

    @Test
    void after_a_disconnect_only_the_unacknowledged_chunks_are_sent_again() throws Exception {
        TestUnit u = unit(settings(), UploadSources.none());
        String id = u.transfers.send(FileKind.REPORT, "report.pdf", file(6 * CHUNK));
        u.settle();
        ackOffers(u);
        chunks(u).get(0).ack();
        chunks(u).get(2).ack();
        u.settle();
        u.link.disconnect("wifi gone");
        int before = chunks(u).size();
        u.link.connect();
        u.settle();
        assertEquals(2, u.publishesOn(TestUnit.FILES.offer()).size(), "announced again");
        ackOffers(u);
        while (ackChunks(u) > 0) {
            // drain
        }
        List<Integer> again = new ArrayList<>();
        for (FakeMqttConnection.Publish p : chunks(u).subList(before, chunks(u).size())) {
            again.add(index(p));
        }
        assertEquals(List.of(1, 3, 4, 5), again.stream().sorted().toList());
        assertEquals("sent", u.state(id));
    }

    @Test
    void chunks_the_cloud_misses_are_sent_again_and_only_those() throws Exception {
        TestUnit u = unit(settings(), UploadSources.none());
        String id = u.transfers.send(FileKind.REPORT, "report.pdf", file(5 * CHUNK));
        u.settle();
        ackOffers(u);
        while (ackChunks(u) > 0) {
            // drain
        }
        int before = chunks(u).size();
        JsonObject reply = received(u, id, false, 1, 3);
        assertTrue(reply.get("ok").getAsBoolean(), reply.toString());
        u.settle();
        while (ackChunks(u) > 0) {
            // drain
        }
        List<Integer> again = new ArrayList<>();
        for (FakeMqttConnection.Publish p : chunks(u).subList(before, chunks(u).size())) {
            again.add(index(p));
        }
        assertEquals(List.of(1, 3), again);
        received(u, id, true);
        assertEquals("done", u.state(id));
    }

    @Test
    void a_restarted_unit_sends_only_what_was_not_acknowledged() throws Exception {
        PathUploadSource src = file(6 * CHUNK);
        UploadSources sources = (kind, name) -> kind == FileKind.REPORT && name.equals("report.pdf")
                ? Optional.of(src) : Optional.empty();
        TestUnit first = unit(settings(), sources);
        String id = first.transfers.send(FileKind.REPORT, "report.pdf", src);
        first.settle();
        ackOffers(first);
        chunks(first).get(0).ack();
        chunks(first).get(1).ack();
        first.settle();
        first.close();
        units.remove(first);

        TestUnit second = unit(settings(), sources);
        second.settle();
        ackOffers(second);
        while (ackChunks(second) > 0) {
            // drain
        }
        List<Integer> sent = new ArrayList<>();
        for (FakeMqttConnection.Publish p : chunks(second)) {
            sent.add(index(p));
        }
        assertEquals(List.of(2, 3, 4, 5), sent.stream().sorted().toList());
        assertEquals(2, second.published(TestUnit.FILES.offer()).get(0).get("chunksSent").getAsInt());
        received(second, id, true);
        assertEquals("done", second.state(id));
    }

    @Test
    void an_upload_whose_source_is_gone_after_a_restart_fails_with_a_reason() throws Exception {
        TestUnit first = unit(settings(), UploadSources.none());
        String id = first.transfers.send(FileKind.REPORT, "report.pdf", file(2 * CHUNK));
        first.close();
        units.remove(first);
        TestUnit second = unit(settings(), UploadSources.none());
        second.settle();
        assertEquals("failed", second.state(id));
        assertTrue(second.lastProgress(id).get("reason").getAsString().contains("gone"));
    }

    @Test
    void refuses_unsafe_names_empty_and_oversized_files() throws Exception {
        TestUnit u = unit(settings(), UploadSources.none());
        PathUploadSource src = file(100);
        for (String name : List.of("../x", "a/b", "..", "C:\\x", "a\u0000b", "z".repeat(200))) {
            FileTransferException e = assertThrows(FileTransferException.class,
                    () -> u.transfers.send(FileKind.REPORT, name, src));
            assertTrue(e.getMessage().startsWith("upload name"), e.getMessage());
        }
        UploadSource huge = new UploadSource() {
            @Override
            public long size() {
                return 1L << 40;
            }

            @Override
            public byte[] sha256() {
                return new byte[32];
            }

            @Override
            public java.io.InputStream openAt(long offset) {
                throw new UnsupportedOperationException();
            }
        };
        assertThrows(FileTransferException.class, () -> u.transfers.send(FileKind.REPORT, "big.bin", huge));
        assertTrue(u.store.active().isEmpty());
    }

    @Test
    void the_cloud_may_refuse_an_upload_for_good_and_cancel_stops_one() throws Exception {
        TestUnit u = unit(settings(), UploadSources.none());
        String a = u.transfers.send(FileKind.REPORT, "a.pdf", file(CHUNK));
        String b = u.transfers.send(FileKind.REPORT, "b.pdf", file(3 * CHUNK));
        JsonObject args = new JsonObject();
        args.addProperty("transferId", a);
        args.addProperty("ok", false);
        args.addProperty("reason", "hash mismatch at the cloud");
        assertEquals("failed", u.command("file.received", args).getAsJsonObject("result").get("state").getAsString());
        JsonObject cancel = new JsonObject();
        cancel.addProperty("transferId", b);
        assertEquals("cancelled", u.command("file.cancel", cancel).getAsJsonObject("result").get("state")
                .getAsString());
        assertTrue(u.store.active().isEmpty());
        JsonObject bad = new JsonObject();
        bad.addProperty("transferId", b);
        bad.addProperty("ok", false);
        bad.add("missing", TestUnit.array(new JsonPrimitive(99)));
        JsonObject reply = u.command("file.received", bad);
        assertEquals("invalid_argument", reply.getAsJsonObject("error").get("code").getAsString());
    }

    @Test
    void waiting_uploads_start_when_a_running_one_ends() throws Exception {
        TestUnit u = unit(settings(), UploadSources.none());
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            ids.add(u.transfers.send(FileKind.REPORT, "r" + i + ".pdf", file(CHUNK)));
        }
        u.settle();
        assertEquals(2, u.publishesOn(TestUnit.FILES.offer()).size(), "two at once");
        received(u, ids.get(0), true);
        u.settle();
        Await.until("third announced", TestUnit.WAIT, () -> u.publishesOn(TestUnit.FILES.offer()).size() == 3);
        assertEquals(ids.get(2), u.published(TestUnit.FILES.offer()).get(2).get("transferId").getAsString());
    }
}
