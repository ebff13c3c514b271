package com.oviron.callidus.agent.subscription;

import java.util.Base64;
import java.util.regex.Pattern;

/** Strict unpadded base64url (RFC 7515 section 2): one encoding per value, nothing else accepted. */
public final class Base64Url {
    private static final Pattern ALPHABET = Pattern.compile("[A-Za-z0-9_-]*");

    private Base64Url() {
    }

    public static String encode(byte[] bytes) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    /**
     * @throws IllegalArgumentException for padding, characters outside the alphabet, an impossible length or
     *     non-zero trailing bits (a second spelling of the same bytes)
     */
    public static byte[] decode(String text) {
        if (!ALPHABET.matcher(text).matches()) {
            throw new IllegalArgumentException("not base64url (only A-Z a-z 0-9 - _ and no padding)");
        }
        if (text.length() % 4 == 1) {
            throw new IllegalArgumentException("not base64url (impossible length " + text.length() + ")");
        }
        byte[] bytes = Base64.getUrlDecoder().decode(text);
        if (!encode(bytes).equals(text)) {
            throw new IllegalArgumentException("not canonical base64url (non-zero trailing bits)");
        }
        return bytes;
    }
}
