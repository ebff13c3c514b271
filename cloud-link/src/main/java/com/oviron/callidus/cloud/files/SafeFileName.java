package com.oviron.callidus.cloud.files;

import java.util.Optional;

/**
 * The rule for file names that come with a transfer: a plain name, never a path. A name is refused if it is
 * empty or longer than {@link #MAX_LENGTH} characters, contains {@code /}, {@code \}, {@code ..}, a NUL or any
 * other control character, a {@code :} (drive letters, alternate streams), or starts with a dot (hidden files,
 * {@code .} and {@code ..}). Files are never stored under this name anyway (part files are named by transfer
 * id); the name goes to the {@link ReceivedFileHandler}, which may use it, so it must be harmless.
 */
public final class SafeFileName {
    public static final int MAX_LENGTH = 100;

    private SafeFileName() {
    }

    /** What is wrong with {@code name}, or empty if it is a safe plain name. */
    public static Optional<String> problem(String name) {
        if (name == null || name.isEmpty()) {
            return Optional.of("must not be empty");
        }
        if (name.length() > MAX_LENGTH) {
            return Optional.of("must be at most " + MAX_LENGTH + " characters, got " + name.length());
        }
        for (int i = 0; i < name.length(); i++) {
            char ch = name.charAt(i);
            if (ch < 0x20 || ch == 0x7f || (ch >= 0x80 && ch < 0xa0)) {
                return Optional.of("must not contain control characters (found one at position " + i + ")");
            }
            if (ch == '/' || ch == '\\' || ch == ':') {
                return Optional.of("must be a plain file name without '/', '\\' or ':'");
            }
            if (Character.isSurrogate(ch) || ch == '\u2028' || ch == '\u2029' || ch == '\ufeff') {
                return Optional.of("must not contain surrogate, separator or byte-order characters");
            }
        }
        if (name.contains("..")) {
            return Optional.of("must not contain '..'");
        }
        if (name.startsWith(".")) {
            return Optional.of("must not start with a dot");
        }
        if (!name.strip().equals(name)) {
            return Optional.of("must not start or end with white space");
        }
        return Optional.empty();
    }

    public static boolean isSafe(String name) {
        return problem(name).isEmpty();
    }
}
