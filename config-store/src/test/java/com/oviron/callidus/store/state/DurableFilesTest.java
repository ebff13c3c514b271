package com.oviron.callidus.store.state;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DurableFilesTest {
    @TempDir
    Path dir;

    @Test
    void creates_and_replaces_a_file_leaving_no_temporary_file_behind() throws Exception {
        Path target = dir.resolve("sub/state.json");
        DurableFiles.replace(target, "one".getBytes());
        DurableFiles.replace(target, "two, longer".getBytes());
        DurableFiles.replace(target, "3".getBytes());
        assertArrayEquals("3".getBytes(), Files.readAllBytes(target));
        try (Stream<Path> files = Files.list(dir.resolve("sub"))) {
            assertEquals(List.of(target), files.toList());
        }
    }
}
