package com.oviron.callidus.store.transfers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Clock;
import java.util.BitSet;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SqliteTransferStoreTest {
    @TempDir
    Path dir;

    private static StoredTransfer transfer(String id, long size, int chunkSize, long createdAt) {
        return new StoredTransfer(id, TransferDirection.DOWNLOAD, "xray", "scan.dcm", size, new byte[32], chunkSize,
                1_000_000, TransferState.ACTIVE, "", new BitSet(), createdAt, createdAt);
    }

    @Test
    void keeps_the_done_chunks_across_a_reopen() throws Exception {
        Path file = dir.resolve("transfers.db");
        try (SqliteTransferStore store = SqliteTransferStore.open(file, Clock.systemUTC())) {
            assertTrue(store.create(transfer("t-1", 10_000, 1024, 1)));
            store.markDone("t-1", 0);
            store.markDone("t-1", 9);
            store.markDone("t-1", 9);
            store.markDone("t-1", 10); // out of range: ignored
        }
        try (SqliteTransferStore store = SqliteTransferStore.open(file, Clock.systemUTC())) {
            StoredTransfer t = store.find("t-1").orElseThrow();
            assertEquals(2, t.chunksDone());
            assertTrue(t.isDone(0) && t.isDone(9));
            assertEquals(1024 + (10_000 - 9 * 1024), t.bytesDone());
            assertEquals(List.of("t-1"), store.active().stream().map(StoredTransfer::id).toList());
        }
    }

    @Test
    void books_a_window_of_chunks_at_once_and_ignores_those_out_of_range_or_of_a_finished_transfer() throws Exception {
        Path file = dir.resolve("transfers.db");
        try (SqliteTransferStore store = SqliteTransferStore.open(file, Clock.systemUTC())) {
            assertTrue(store.create(transfer("t-1", 10_000, 1024, 1)));
            assertTrue(store.create(transfer("t-2", 10_000, 1024, 1)));
            store.markDone("t-1", List.of(0, 3, 4, 4, 10, -1));
            store.finish("t-2", TransferState.CANCELLED, "test", 2);
            store.markDone("t-2", List.of(1, 2));
        }
        try (SqliteTransferStore store = SqliteTransferStore.open(file, Clock.systemUTC())) {
            StoredTransfer t = store.find("t-1").orElseThrow();
            assertEquals(3, t.chunksDone());
            assertTrue(t.isDone(0) && t.isDone(3) && t.isDone(4));
            assertEquals(0, store.find("t-2").orElseThrow().chunksDone());
        }
    }

    @Test
    void refuses_a_second_transfer_with_the_same_id_and_keeps_the_first() throws Exception {
        try (SqliteTransferStore store = SqliteTransferStore.open(dir.resolve("t.db"), Clock.systemUTC())) {
            assertTrue(store.create(transfer("t-1", 100, 10, 1)));
            assertFalse(store.create(transfer("t-1", 999, 10, 2)));
            assertEquals(100, store.find("t-1").orElseThrow().size());
        }
    }

    @Test
    void marking_chunks_missing_clears_them() throws Exception {
        try (SqliteTransferStore store = SqliteTransferStore.open(dir.resolve("t.db"), Clock.systemUTC())) {
            store.create(transfer("t-1", 100, 10, 1));
            for (int i = 0; i < 10; i++) {
                store.markDone("t-1", i);
            }
            assertTrue(store.find("t-1").orElseThrow().allChunksDone());
            store.markMissing("t-1", List.of(3, 7, 99));
            StoredTransfer t = store.find("t-1").orElseThrow();
            assertEquals(8, t.chunksDone());
            assertFalse(t.isDone(3));
            assertFalse(t.isDone(7));
        }
    }

    @Test
    void a_finished_transfer_stays_finished_and_takes_no_more_chunks() throws Exception {
        try (SqliteTransferStore store = SqliteTransferStore.open(dir.resolve("t.db"), Clock.systemUTC())) {
            store.create(transfer("t-1", 100, 10, 1));
            store.finish("t-1", TransferState.FAILED, "deadline passed", 5);
            store.finish("t-1", TransferState.DONE, "", 6);
            store.markDone("t-1", 1);
            StoredTransfer t = store.find("t-1").orElseThrow();
            assertEquals(TransferState.FAILED, t.state());
            assertEquals("deadline passed", t.reason());
            assertEquals(0, t.chunksDone());
            assertTrue(store.active().isEmpty());
            assertThrows(IllegalArgumentException.class, () -> store.finish("t-1", TransferState.ACTIVE, "", 7));
        }
    }

    @Test
    void prune_keeps_active_transfers_and_the_newest_finished() throws Exception {
        try (SqliteTransferStore store = SqliteTransferStore.open(dir.resolve("t.db"), Clock.systemUTC())) {
            for (int i = 0; i < 5; i++) {
                store.create(transfer("t-" + i, 100, 10, i));
            }
            store.finish("t-0", TransferState.DONE, "", 10);
            store.finish("t-1", TransferState.DONE, "", 11);
            store.finish("t-2", TransferState.DONE, "", 12);
            assertEquals(2, store.prune(1));
            assertEquals(List.of("t-4", "t-3", "t-2"), store.recent(10).stream().map(StoredTransfer::id).toList());
        }
    }

    @Test
    void a_record_refuses_done_chunks_beyond_its_size() {
        BitSet done = new BitSet();
        done.set(10);
        assertThrows(IllegalArgumentException.class, () -> new StoredTransfer("t", TransferDirection.UPLOAD, "report",
                "r.pdf", 100, new byte[32], 10, 0, TransferState.ACTIVE, "", done, 0, 0));
        assertThrows(IllegalArgumentException.class, () -> new StoredTransfer("t", TransferDirection.UPLOAD, "report",
                "r.pdf", 100, new byte[31], 10, 0, TransferState.ACTIVE, "", new BitSet(), 0, 0));
    }
}
