package com.oviron.callidus.agent.access;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HexFormat;
import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.PBEKeySpec;
import org.junit.jupiter.api.Test;

class PinHashTest {

    @Test
    void matches_only_the_pin_it_was_made_from() {
        PinHash h = PinHash.of("482913".toCharArray(), PinHash.MIN_ITERATIONS);
        assertTrue(h.matches("482913".toCharArray()));
        assertFalse(h.matches("482914".toCharArray()));
        assertFalse(h.matches("".toCharArray()));
    }

    @Test
    void is_pbkdf2_hmac_sha256_with_the_stored_salt_and_cost() throws Exception {
        PinHash h = PinHash.of("123456".toCharArray(), 20_000);
        byte[] expected = SecretKeyFactory.getInstance("PBKDF2WithHmacSHA256")
                .generateSecret(new PBEKeySpec("123456".toCharArray(), h.salt(), 20_000, 256)).getEncoded();
        assertEquals(HexFormat.of().formatHex(expected), HexFormat.of().formatHex(h.hash()));
    }

    @Test
    void the_same_pin_gets_a_new_salt_each_time() {
        PinHash a = PinHash.of("123456".toCharArray(), PinHash.MIN_ITERATIONS);
        PinHash b = PinHash.of("123456".toCharArray(), PinHash.MIN_ITERATIONS);
        assertNotEquals(HexFormat.of().formatHex(a.salt()), HexFormat.of().formatHex(b.salt()));
        assertNotEquals(a, b);
    }

    @Test
    void round_trips_through_its_stored_form_and_never_prints_the_hash() {
        PinHash h = PinHash.of("987654321".toCharArray(), 12_345);
        String stored = h.encode();
        assertTrue(stored.startsWith("pbkdf2-sha256$12345$"), stored);
        PinHash back = PinHash.decode(stored);
        assertEquals(h, back);
        assertTrue(back.matches("987654321".toCharArray()));
        assertFalse(h.toString().contains(stored.split("\\$")[3]));
    }

    @Test
    void refuses_a_broken_stored_form_and_a_cost_out_of_range() {
        assertThrows(IllegalArgumentException.class, () -> PinHash.decode("md5$1$x$y"));
        assertThrows(IllegalArgumentException.class, () -> PinHash.decode("pbkdf2-sha256$many$AAAA$AAAA"));
        assertThrows(IllegalArgumentException.class, () -> PinHash.of("123456".toCharArray(), 1000));
    }

    @Test
    void a_pin_is_six_to_twelve_digits() {
        assertTrue(PinHash.wellFormed("123456"));
        assertTrue(PinHash.wellFormed("123456789012"));
        assertFalse(PinHash.wellFormed("12345"));
        assertFalse(PinHash.wellFormed("1234567890123"));
        assertFalse(PinHash.wellFormed("12345a"));
        assertFalse(PinHash.wellFormed("١٢٣٤٥٦"), "only ASCII digits");
    }
}
