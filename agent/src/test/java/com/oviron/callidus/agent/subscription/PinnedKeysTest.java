package com.oviron.callidus.agent.subscription;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PublicKey;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class PinnedKeysTest {
    private final KeyPair keys = TestTokens.newKeyPair();

    @Test
    void raw_base64url_and_pem_give_the_same_key() {
        String raw = PinnedKeys.rawBase64Url(keys.getPublic());
        assertEquals(43, raw.length());
        PublicKey fromRaw = PinnedKeys.parsePublicKey(raw);
        PublicKey fromPem = PinnedKeys.parsePublicKey(PinnedKeys.pem(keys.getPublic()));
        assertEquals(keys.getPublic(), fromRaw);
        assertEquals(keys.getPublic(), fromPem);
    }

    @Test
    void several_keys_are_pinned_by_id() {
        KeyPair other = TestTokens.newKeyPair();
        PinnedKeys pinned = PinnedKeys.parse(Map.of("a", PinnedKeys.rawBase64Url(keys.getPublic()),
                "b", PinnedKeys.pem(other.getPublic())));
        assertEquals(keys.getPublic(), pinned.key("a").orElseThrow());
        assertEquals(other.getPublic(), pinned.key("b").orElseThrow());
        assertTrue(pinned.key("c").isEmpty());
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "AAAA", "not base64!", "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=",
            "-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----"})
    void a_bad_key_is_reported_with_its_id(String text) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> PinnedKeys.parse(Map.of("k2026", text)));
        assertTrue(e.getMessage().startsWith("key 'k2026': "), e.getMessage());
    }

    @Test
    void an_rsa_key_in_pem_is_refused() throws Exception {
        KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
        g.initialize(1024);
        String pem = "-----BEGIN PUBLIC KEY-----\n" + java.util.Base64.getMimeEncoder().encodeToString(
                g.generateKeyPair().getPublic().getEncoded()) + "\n-----END PUBLIC KEY-----\n";
        assertThrows(IllegalArgumentException.class, () -> PinnedKeys.parsePublicKey(pem));
    }

    @Test
    void an_empty_set_or_a_bad_key_id_is_refused() {
        assertThrows(IllegalArgumentException.class, () -> PinnedKeys.parse(Map.of()));
        String raw = PinnedKeys.rawBase64Url(keys.getPublic());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> PinnedKeys.parse(Map.of("bad id", raw)));
        assertTrue(e.getMessage().contains("bad id"));
    }
}
