package com.oviron.callidus.agent.access;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import com.oviron.callidus.store.state.DurableFiles;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.tinylog.Logger;

/**
 * The access state in one small JSON file (docs/configuration.md, "State files"), written atomically and
 * durably (config-store's {@link DurableFiles}; mode 0600, it holds the PIN's hash). A file that cannot be read
 * is moved aside as {@code <file>.damaged-<time>} and the unit starts without a PIN: no back door, because
 * setting a PIN always needs a service technician or a signed reset token. {@link #damaged()} tells the
 * caller, which raises an alarm.
 */
final class AccessStateFile {
    private static final int MAX_BYTES = 64 * 1024;
    private final Path file;
    private boolean damaged;

    AccessStateFile(Path file) {
        this.file = file;
    }

    Path file() {
        return file;
    }

    /** Whether the last {@link #load} found a damaged file (and moved it aside). */
    boolean damaged() {
        return damaged;
    }

    AccessState load(Clock clock) {
        damaged = false;
        try {
            if (Files.isSymbolicLink(file)) {
                throw new IOException("it is a symbolic link");
            }
            if (Files.size(file) > MAX_BYTES) {
                throw new IOException("it is larger than " + MAX_BYTES + " bytes");
            }
            return decode(Files.readString(file, StandardCharsets.UTF_8));
        } catch (NoSuchFileException e) {
            return AccessState.empty();
        } catch (IOException | RuntimeException e) {
            damaged = true;
            Path aside = file.resolveSibling(file.getFileName() + ".damaged-" + DateTimeFormatter
                    .ofPattern("yyyyMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC).format(clock.instant()));
            try {
                Files.move(file, aside, StandardCopyOption.REPLACE_EXISTING, LinkOption.NOFOLLOW_LINKS);
            } catch (IOException moveFailed) {
                Logger.error("access state damaged and not moved aside file={} error={}", file,
                        moveFailed.getMessage());
            }
            Logger.error("access state damaged; starting without a PIN file={} movedTo={} error={}", file, aside,
                    e.getMessage());
            return AccessState.empty();
        }
    }

    void save(AccessState state) throws IOException {
        DurableFiles.replace(file, encode(state).getBytes(StandardCharsets.UTF_8));
    }

    static String encode(AccessState s) {
        JsonObject o = new JsonObject();
        o.addProperty("v", 1);
        s.pin().ifPresent(p -> o.addProperty("pin", p.encode()));
        o.addProperty("failedPins", s.failedPins());
        s.lockedUntil().ifPresent(t -> {
            o.addProperty("lockedUntil", t.toEpochMilli());
            o.addProperty("lockMillis", s.lockLength().toMillis());
        });
        JsonObject used = new JsonObject();
        s.usedTokens().forEach((id, exp) -> used.addProperty(id, exp.toEpochMilli()));
        o.add("usedResetTokens", used);
        s.consent().ifPresent(c -> {
            JsonObject g = new JsonObject();
            g.addProperty("grantedAt", c.grantedAt().toEpochMilli());
            g.addProperty("until", c.until().toEpochMilli());
            g.addProperty("by", c.by());
            g.addProperty("via", c.via());
            o.add("consent", g);
        });
        return o + "\n";
    }

    static AccessState decode(String text) {
        JsonObject o = JsonParser.parseString(text).getAsJsonObject();
        if (o.get("v").getAsInt() != 1) {
            throw new IllegalArgumentException("unknown version " + o.get("v"));
        }
        Optional<PinHash> pin = o.has("pin") ? Optional.of(PinHash.decode(o.get("pin").getAsString()))
                : Optional.empty();
        int failed = o.get("failedPins").getAsInt();
        Optional<Instant> lockedUntil = o.has("lockedUntil")
                ? Optional.of(Instant.ofEpochMilli(o.get("lockedUntil").getAsLong())) : Optional.empty();
        Duration lockLength = o.has("lockMillis") ? Duration.ofMillis(o.get("lockMillis").getAsLong())
                : Duration.ZERO;
        Map<String, Instant> used = new TreeMap<>();
        if (o.has("usedResetTokens")) {
            for (Map.Entry<String, JsonElement> e : o.getAsJsonObject("usedResetTokens").entrySet()) {
                used.put(e.getKey(), Instant.ofEpochMilli(e.getValue().getAsLong()));
            }
        }
        Optional<ConsentGrant> consent = Optional.empty();
        if (o.has("consent")) {
            JsonObject g = o.getAsJsonObject("consent");
            consent = Optional.of(new ConsentGrant(Instant.ofEpochMilli(g.get("grantedAt").getAsLong()),
                    Instant.ofEpochMilli(g.get("until").getAsLong()), g.get("by").getAsString(),
                    g.get("via").getAsString()));
        }
        return new AccessState(pin, failed, lockedUntil, lockLength, used, consent);
    }
}
