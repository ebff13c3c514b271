package com.oviron.callidus.agent.subscription;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.oviron.callidus.agent.subscription.TokenRejectedException.Reason;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TokenStoreTest {
    private final TestTokens t = new TestTokens();
    @TempDir
    Path dir;

    private Path file() {
        return dir.resolve("subscription-token.jws");
    }

    private List<String> names() throws Exception {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    @Test
    void without_a_file_there_is_no_token() {
        assertTrue(new TokenStore(file(), t.verifier).current().isEmpty());
    }

    @Test
    void an_installed_token_is_there_after_a_restart_and_no_temporary_file_is_left() throws Exception {
        new TokenStore(file(), t.verifier).install(t.verified(3));
        TokenStore reopened = new TokenStore(file(), t.verifier);
        assertEquals(3, reopened.current().orElseThrow().claims().tokenSerial());
        assertEquals(List.of("subscription-token.jws"), names());
    }

    @Test
    void an_older_or_equal_token_serial_never_replaces_a_newer_one() throws Exception {
        TokenStore store = new TokenStore(file(), t.verifier);
        store.install(t.verified(5));
        byte[] before = Files.readAllBytes(file());
        for (long serial : new long[] {4, 5, 1}) {
            TokenRejectedException e = assertThrows(TokenRejectedException.class, () -> store.install(t.verified(serial)));
            assertEquals(Reason.OLDER_SERIAL, e.reason());
        }
        assertEquals(5, store.current().orElseThrow().claims().tokenSerial());
        assertArrayEquals(before, Files.readAllBytes(file()));
        store.install(t.verified(6));
        assertEquals(6, new TokenStore(file(), t.verifier).current().orElseThrow().claims().tokenSerial());
    }

    @Test
    void a_corrupt_file_counts_as_no_token_and_is_kept_aside() throws Exception {
        String token = t.token(2);
        Files.writeString(file(), token.substring(0, token.length() / 2) + "\u0000garbage");
        TokenStore store = new TokenStore(file(), t.verifier);
        assertTrue(store.current().isEmpty());
        assertEquals(List.of("subscription-token.jws.rejected"), names());
        store.install(t.verified(1));
        assertEquals(1, store.current().orElseThrow().claims().tokenSerial());
    }

    @Test
    void an_oversized_file_counts_as_no_token_and_is_kept_aside() throws Exception {
        Files.write(file(), new byte[1 << 20]);
        assertTrue(new TokenStore(file(), t.verifier).current().isEmpty());
        assertEquals(List.of("subscription-token.jws.rejected"), names());
    }

    @Test
    void a_token_whose_key_was_unpinned_counts_as_no_token() throws Exception {
        new TokenStore(file(), t.verifier).install(t.verified(2));
        TokenVerifier rotated = new TokenVerifier(TestTokens.ISSUER, TestTokens.SERIAL,
                PinnedKeys.of(Map.of("k2027", TestTokens.newKeyPair().getPublic())));
        assertTrue(new TokenStore(file(), rotated).current().isEmpty());
        assertTrue(Files.exists(dir.resolve("subscription-token.jws.rejected")));
    }

    @Test
    void a_token_that_cannot_be_written_leaves_the_installed_one() throws Exception {
        Path target = dir.resolve("cache");
        TokenStore store = new TokenStore(target, t.verifier);
        // a non-empty folder where the file should be: the rename fails as a full or broken disk would
        Files.createDirectories(target);
        Files.writeString(target.resolve("x"), "x");
        TokenRejectedException e = assertThrows(TokenRejectedException.class, () -> store.install(t.verified(1)));
        assertEquals(Reason.NOT_STORED, e.reason());
        assertTrue(store.current().isEmpty());
        try (Stream<Path> s = Files.list(dir)) {
            assertFalse(s.anyMatch(p -> p.getFileName().toString().endsWith(".tmp")), "temporary file removed");
        }
    }

    @Test
    void the_file_holds_the_compact_token_and_a_newline() throws Exception {
        VerifiedToken v = t.verified(9);
        new TokenStore(file(), t.verifier).install(v);
        assertEquals(v.compact() + "\n", Files.readString(file(), StandardCharsets.US_ASCII));
    }
}
