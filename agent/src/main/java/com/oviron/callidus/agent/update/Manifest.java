package com.oviron.callidus.agent.update;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonPrimitive;
import com.oviron.callidus.hal.StrictJson;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The signed description of an update package (docs/updates.md, "Manifest"): what it is, which
 * hardware it is for, and every file's path, size and SHA-256, so that the signature over the manifest
 * binds every payload byte.
 *
 * @param version         the release; installed only if greater than the installed one
 * @param securityVersion anti-rollback counter; installed only if not lower than the unit's high-water mark
 * @param hardware        hardware ids this package runs on (at least one)
 * @param created         when the vendor built it (for people; not checked)
 * @param files           the payload, in the order the bytes follow the manifest; contains {@link #ENTRY_POINT}
 */
public record Manifest(Version version, long securityVersion, List<String> hardware, Instant created,
                       List<ManifestFile> files) {
    /** The value of the {@code format} field this code reads and writes. */
    public static final String FORMAT = "callidus-update/1";
    /** The file the launcher starts: {@code java -jar <slot>/callidus-agent.jar}. */
    public static final String ENTRY_POINT = "callidus-agent.jar";
    public static final int MAX_FILES = 256;
    public static final int MAX_HARDWARE_IDS = 16;
    public static final long MAX_SECURITY_VERSION = 1_000_000_000L;
    private static final Pattern HARDWARE_ID = Pattern.compile("[a-z0-9][a-z0-9._-]{0,63}");
    private static final Set<String> FIELDS = Set.of("format", "version", "securityVersion", "hardware", "created",
            "files");
    private static final Set<String> FILE_FIELDS = Set.of("path", "size", "sha256", "mode");

    public Manifest {
        Objects.requireNonNull(version, "version");
        Objects.requireNonNull(created, "created");
        hardware = List.copyOf(hardware);
        files = List.copyOf(files);
        if (securityVersion < 0 || securityVersion > MAX_SECURITY_VERSION) {
            throw new IllegalArgumentException("securityVersion must be 0 to " + MAX_SECURITY_VERSION);
        }
        if (hardware.isEmpty() || hardware.size() > MAX_HARDWARE_IDS) {
            throw new IllegalArgumentException("hardware must list 1 to " + MAX_HARDWARE_IDS + " ids");
        }
        for (String h : hardware) {
            if (!HARDWARE_ID.matcher(h).matches()) {
                throw new IllegalArgumentException("hardware id '" + ManifestFile.printable(h) + "' must match "
                        + HARDWARE_ID.pattern());
            }
        }
        if (files.isEmpty() || files.size() > MAX_FILES) {
            throw new TooLargeException("files must list 1 to " + MAX_FILES + " files, got " + files.size());
        }
        Set<String> paths = new HashSet<>();
        Set<String> folders = new HashSet<>();
        for (ManifestFile f : files) {
            String key = f.path().toLowerCase(Locale.ROOT);
            if (!paths.add(key)) {
                throw new ManifestFile.UnsafePathException("file path '" + f.path() + "' appears twice");
            }
            for (int i = key.indexOf('/'); i >= 0; i = key.indexOf('/', i + 1)) {
                folders.add(key.substring(0, i));
            }
        }
        for (String folder : folders) {
            if (paths.contains(folder)) {
                throw new ManifestFile.UnsafePathException("'" + folder + "' is both a file and a folder");
            }
        }
        if (!paths.contains(ENTRY_POINT)) {
            throw new IllegalArgumentException("files must contain " + ENTRY_POINT + " (what the launcher starts)");
        }
    }

    /** Sum of the declared sizes (the payload length). */
    public long totalSize() {
        long total = 0;
        for (ManifestFile f : files) {
            total = Math.addExact(total, f.size());
        }
        return total;
    }

    /** The manifest as canonical JSON bytes (what the vendor tool signs). */
    public byte[] toJsonBytes() {
        JsonObject o = new JsonObject();
        o.addProperty("format", FORMAT);
        o.addProperty("version", version.toString());
        o.addProperty("securityVersion", securityVersion);
        JsonArray hw = new JsonArray();
        hardware.forEach(hw::add);
        o.add("hardware", hw);
        o.addProperty("created", created.toString());
        JsonArray fs = new JsonArray();
        for (ManifestFile f : files) {
            JsonObject x = new JsonObject();
            x.addProperty("path", f.path());
            x.addProperty("size", f.size());
            x.addProperty("sha256", f.sha256());
            x.addProperty("mode", f.mode());
            fs.add(x);
        }
        o.add("files", fs);
        return o.toString().getBytes(StandardCharsets.UTF_8);
    }

    /**
     * Parses manifest bytes strictly: UTF-8, strict JSON, no duplicate or unknown keys, every field present and
     * in range.
     */
    public static Manifest parse(byte[] bytes) throws PackageRejectedException {
        String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            throw invalid("manifest is not UTF-8");
        }
        JsonElement root;
        try {
            root = StrictJson.parse(text);
        } catch (IOException | RuntimeException e) {
            throw invalid("manifest is not strict JSON: " + e.getMessage());
        }
        if (!(root instanceof JsonObject o)) {
            throw invalid("manifest must be a JSON object");
        }
        try {
            onlyKnown(o, FIELDS, "manifest");
            String format = string(o, "format");
            if (!format.equals(FORMAT)) {
                throw invalid("format must be \"" + FORMAT + "\", got '" + ManifestFile.printable(format) + "'");
            }
            Version version = Version.parse(string(o, "version"));
            long securityVersion = integer(o, "securityVersion", 0, MAX_SECURITY_VERSION);
            List<String> hardware = new ArrayList<>();
            JsonArray hw = array(o, "hardware", MAX_HARDWARE_IDS);
            for (JsonElement e : hw) {
                hardware.add(stringValue(e, "hardware[]"));
            }
            Instant created;
            try {
                created = Instant.parse(string(o, "created"));
            } catch (DateTimeParseException e) {
                throw invalid("created must be an ISO-8601 UTC instant like 2026-11-22T02:00:00Z");
            }
            JsonArray fs = array(o, "files", MAX_FILES);
            List<ManifestFile> files = new ArrayList<>();
            for (int i = 0; i < fs.size(); i++) {
                if (!(fs.get(i) instanceof JsonObject f)) {
                    throw invalid("files[" + i + "] must be an object");
                }
                String where = "files[" + i + "]";
                onlyKnown(f, FILE_FIELDS, where);
                files.add(new ManifestFile(stringValue(f.get("path"), where + ".path"),
                        integer(f, "size", 0, Long.MAX_VALUE / (MAX_FILES + 1)),
                        string(f, "sha256"), string(f, "mode")));
            }
            return new Manifest(version, securityVersion, hardware, created, files);
        } catch (ManifestFile.UnsafePathException e) {
            throw new PackageRejectedException(RejectReason.UNSAFE_PATH, e.getMessage());
        } catch (TooLargeException e) {
            throw new PackageRejectedException(RejectReason.TOO_LARGE, e.getMessage());
        } catch (IllegalArgumentException e) {
            throw invalid(e.getMessage());
        }
    }

    private static PackageRejectedException invalid(String message) {
        return new PackageRejectedException(RejectReason.MANIFEST_INVALID, message);
    }

    private static void onlyKnown(JsonObject o, Set<String> known, String where) throws PackageRejectedException {
        for (String k : o.keySet()) {
            if (!known.contains(k)) {
                throw invalid(where + ": unknown field '" + ManifestFile.printable(k) + "'");
            }
        }
    }

    private static String string(JsonObject o, String name) throws PackageRejectedException {
        return stringValue(o.get(name), name);
    }

    private static String stringValue(JsonElement e, String name) throws PackageRejectedException {
        if (e == null) {
            throw invalid(name + " is required");
        }
        if (!(e instanceof JsonPrimitive p) || !p.isString()) {
            throw invalid(name + " must be a string");
        }
        return p.getAsString();
    }

    private static long integer(JsonObject o, String name, long min, long max) throws PackageRejectedException {
        JsonElement e = o.get(name);
        if (e == null) {
            throw invalid(name + " is required");
        }
        if (!(e instanceof JsonPrimitive p) || !p.isNumber()) {
            throw invalid(name + " must be an integer");
        }
        long v;
        try {
            v = p.getAsBigDecimal().longValueExact();
        } catch (ArithmeticException | NumberFormatException ex) {
            throw invalid(name + " must be an integer from " + min + " to " + max);
        }
        if (v < min || v > max) {
            throw invalid(name + " must be an integer from " + min + " to " + max + ", got " + v);
        }
        return v;
    }

    private static JsonArray array(JsonObject o, String name, int maxItems) throws PackageRejectedException {
        JsonElement e = o.get(name);
        if (e == null) {
            throw invalid(name + " is required");
        }
        if (!e.isJsonArray()) {
            throw invalid(name + " must be an array");
        }
        JsonArray a = e.getAsJsonArray();
        if (a.size() > maxItems) {
            throw new PackageRejectedException(RejectReason.TOO_LARGE, name + " lists " + a.size()
                    + " entries, at most " + maxItems + " allowed");
        }
        return a;
    }

    /** More files than allowed (becomes {@link RejectReason#TOO_LARGE}). */
    static final class TooLargeException extends IllegalArgumentException {
        TooLargeException(String message) {
            super(message);
        }
    }
}
