package com.oviron.callidus.agent.update;

import java.util.HexFormat;
import java.util.Locale;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * One file of an update package as the signed manifest declares it.
 *
 * @param path   where it goes inside the slot: {@code /}-separated segments of {@code [A-Za-z0-9_.+-]}, not
 *               starting with '.', at most {@value #MAX_PATH_LENGTH} characters, {@value #MAX_DEPTH} segments
 *               deep. That alone rules out {@code ..}, absolute paths, backslashes, NUL and hidden files
 *               (the slot's own bookkeeping starts with '.').
 * @param size   its length in bytes
 * @param sha256 its SHA-256, 64 lower-case hex digits
 * @param mode   {@code 0644} or {@code 0755}: no set-uid, nothing writable by others
 */
public record ManifestFile(String path, long size, String sha256, String mode) {
    public static final int MAX_PATH_LENGTH = 200;
    public static final int MAX_DEPTH = 8;
    private static final Pattern SEGMENT = Pattern.compile("[A-Za-z0-9_+-][A-Za-z0-9_.+-]{0,99}");
    private static final Pattern SHA256 = Pattern.compile("[0-9a-f]{64}");

    public ManifestFile {
        Objects.requireNonNull(path, "path");
        Objects.requireNonNull(sha256, "sha256");
        Objects.requireNonNull(mode, "mode");
        String problem = pathProblem(path);
        if (problem != null) {
            throw new UnsafePathException("file path '" + printable(path) + "' " + problem);
        }
        if (size < 0) {
            throw new IllegalArgumentException("file " + path + ": size must not be negative");
        }
        if (!SHA256.matcher(sha256).matches()) {
            throw new IllegalArgumentException("file " + path + ": sha256 must be 64 lower-case hex digits");
        }
        if (!mode.equals("0644") && !mode.equals("0755")) {
            throw new IllegalArgumentException("file " + path + ": mode must be \"0644\" or \"0755\", got '"
                    + printable(mode) + "'");
        }
    }

    /** The hash as bytes. */
    public byte[] sha256Bytes() {
        return HexFormat.of().parseHex(sha256);
    }

    public boolean executable() {
        return mode.equals("0755");
    }

    /** Why {@code path} is not allowed, or null if it is. */
    static String pathProblem(String path) {
        if (path.isEmpty()) {
            return "is empty";
        }
        if (path.length() > MAX_PATH_LENGTH) {
            return "is longer than " + MAX_PATH_LENGTH + " characters";
        }
        if (path.startsWith("/")) {
            return "is absolute";
        }
        if (path.indexOf('\\') >= 0) {
            return "contains a backslash";
        }
        if (path.indexOf('\0') >= 0) {
            return "contains NUL";
        }
        String[] segments = path.split("/", -1);
        if (segments.length > MAX_DEPTH) {
            return "is more than " + MAX_DEPTH + " levels deep";
        }
        for (String s : segments) {
            if (s.equals("..") || s.equals(".")) {
                return "contains '" + s + "'";
            }
            if (s.isEmpty()) {
                return "has an empty segment";
            }
            if (!SEGMENT.matcher(s).matches()) {
                return "has a segment that is not [A-Za-z0-9_.+-] or starts with '.'";
            }
        }
        return null;
    }

    static String printable(String s) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < s.length() && i < 120; i++) {
            char c = s.charAt(i);
            b.append(c < 0x20 || c == 0x7f ? String.format(Locale.ROOT, "\\u%04x", (int) c) : c);
        }
        return b.toString();
    }

    /** A path that is not allowed (becomes {@link RejectReason#UNSAFE_PATH}). */
    static final class UnsafePathException extends IllegalArgumentException {
        UnsafePathException(String message) {
            super(message);
        }
    }
}
