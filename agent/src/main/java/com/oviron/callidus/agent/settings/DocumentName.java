package com.oviron.callidus.agent.settings;

import java.util.Objects;
import java.util.regex.Pattern;

/**
 * The name of a settings document: its path relative to the settings folder, with '/' as separator.
 * Only two shapes exist: {@code installation.json} (kind installation) and {@code users/<name>.json} (kind
 * user, one per dentist). Lower-case letters, digits, '-' and '_', at most {@value #MAX_LENGTH} characters: no
 * {@code ..}, no absolute path, no hidden file, no other folder (logos are handled elsewhere).
 */
public record DocumentName(String path) implements Comparable<DocumentName> {
    public static final int MAX_LENGTH = 64;
    /** The installation settings. */
    public static final String INSTALLATION = "installation.json";
    /** The folder of the user settings. */
    public static final String USERS_FOLDER = "users";
    private static final Pattern SHAPE = Pattern.compile("([a-z0-9_-]+/)?[a-z0-9][a-z0-9_-]*\\.json");
    private static final Pattern USER = Pattern.compile("users/[a-z0-9][a-z0-9_-]*\\.json");

    /** The two kinds of documents; the kind follows from the name. */
    public enum Kind {
        INSTALLATION, USER;

        public String wire() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    public DocumentName {
        Objects.requireNonNull(path, "path");
        String problem = problem(path);
        if (problem != null) {
            throw new IllegalArgumentException(problem);
        }
    }

    /** Why {@code path} is not a document name, or null when it is one. */
    public static String problem(String path) {
        if (path == null || path.isEmpty()) {
            return "a document name is required";
        }
        String shown = path.length() > MAX_LENGTH ? path.substring(0, MAX_LENGTH) + "..." : path;
        if (path.length() > MAX_LENGTH) {
            return "document name '" + shown + "' is longer than " + MAX_LENGTH + " characters";
        }
        if (!SHAPE.matcher(path).matches()) {
            return "document name '" + shown + "' must be lower-case letters, digits, '-' or '_' ending in .json,"
                    + " in at most one folder (no '..', no leading '/' or '.')";
        }
        if (!path.equals(INSTALLATION) && !USER.matcher(path).matches()) {
            return "document name '" + shown + "' is neither " + INSTALLATION + " nor " + USERS_FOLDER
                    + "/<name>.json";
        }
        return null;
    }

    public static boolean isValid(String path) {
        return problem(path) == null;
    }

    public Kind kind() {
        return path.equals(INSTALLATION) ? Kind.INSTALLATION : Kind.USER;
    }

    @Override
    public int compareTo(DocumentName other) {
        return path.compareTo(other.path);
    }

    @Override
    public String toString() {
        return path;
    }
}
