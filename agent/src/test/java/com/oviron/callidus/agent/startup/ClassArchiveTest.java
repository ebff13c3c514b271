package com.oviron.callidus.agent.startup;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ClassArchiveTest {
    @TempDir
    Path dir;
    Path archive;
    Path marker;
    Path maps;

    @BeforeEach
    void setUp() throws Exception {
        archive = dir.resolve("callidus-agent-7-1.jsa");
        marker = dir.resolve("callidus-agent-7-1.jsa.unconfirmed");
        Files.writeString(archive, "archive");
        Files.writeString(marker, "");
        maps = dir.resolve("maps");
    }

    @Test
    void an_archive_the_jvm_mapped_is_used_and_its_marker_removed() throws Exception {
        Files.writeString(maps, "7f00-7f01 r--p 00001000 fe:00 42          /usr/lib/jvm/x/classes.jsa\n"
                + "7f01-7f02 rw-p 00001000 fe:00 43                     " + archive.toRealPath() + "\n");
        assertEquals(ClassArchive.State.USED, new ClassArchive(Optional.of(archive), "use", maps).confirm());
        assertTrue(Files.exists(archive));
        assertFalse(Files.exists(marker));
    }

    @Test
    void an_archive_the_jvm_did_not_map_is_removed_so_that_the_next_stop_writes_a_new_one() throws Exception {
        Files.writeString(maps, "7f00-7f01 r--p 00001000 fe:00 42          /usr/lib/jvm/x/classes.jsa\n");
        assertEquals(ClassArchive.State.IGNORED, new ClassArchive(Optional.of(archive), "use", maps).confirm());
        assertFalse(Files.exists(archive));
        assertFalse(Files.exists(marker));
    }

    @Test
    void an_archive_being_created_is_left_to_the_jvm() throws Exception {
        Path fresh = dir.resolve("callidus-agent-7-1.jsa.new");
        assertEquals(ClassArchive.State.CREATING, new ClassArchive(Optional.of(fresh), "create", maps).confirm());
        assertTrue(Files.exists(archive));
    }

    @Test
    void without_an_archive_from_the_launcher_there_is_nothing_to_settle() {
        assertEquals(ClassArchive.State.OFF, new ClassArchive(Optional.empty(), "use", maps).confirm());
    }

    @Test
    void this_jvm_started_without_an_archive_property_reports_off() {
        assertEquals(Optional.empty(), ClassArchive.ofThisJvm().file());
    }
}
