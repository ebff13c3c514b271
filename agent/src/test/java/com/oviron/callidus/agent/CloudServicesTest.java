package com.oviron.callidus.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.oviron.callidus.agent.media.XrayRecord;
import com.oviron.callidus.cloud.files.SafeFileName;
import java.time.Instant;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class CloudServicesTest {
    private static final String ID = "0123456789abcdef01234567";

    private static XrayRecord record(String name) {
        return new XrayRecord(ID, name, 10, "00".repeat(32), Instant.EPOCH, XrayRecord.Direction.OUT, Optional.empty());
    }

    @ParameterizedTest
    @ValueSource(strings = {"bitewing.png", "pano 2026:11:22.dcm", "../../etc/passwd", "a...b.png", "Д-р снимка.png",
        "x\uD83D\uDE00.dcm", ".hidden.png",
        "very-long-name-name-name-name-name-name-name-name-name-name-name-name-name-name-name-name-name-name-name.dcm"})
    void any_name_the_sensor_software_uses_becomes_a_safe_upload_name_starting_with_the_vault_id(String name) {
        String upload = CloudServices.uploadName(record(name));
        assertTrue(SafeFileName.isSafe(upload), upload + ": " + SafeFileName.problem(upload));
        assertTrue(upload.startsWith(ID + "-"), upload);
    }

    @Test
    void a_plain_name_is_kept() {
        assertEquals(ID + "-bitewing.png", CloudServices.uploadName(record("bitewing.png")));
    }
}
