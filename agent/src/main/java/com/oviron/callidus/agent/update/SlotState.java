package com.oviron.callidus.agent.update;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The A/B slots' state as kept in {@code <root>/update.state}: one {@code key=value} line per field, all keys
 * always present, so that the POSIX launcher script can read and change it with {@code sed}
 * (docs/updates.md, "State file").
 *
 * @param committedSlot    the slot that last passed a health check ("a" or "b")
 * @param committedVersion the release in it
 * @param securityFloor    the highest security version ever committed (anti-rollback high-water mark)
 * @param trial            the slot being tried, if any
 * @param last             the outcome of the last update attempt, if any
 */
public record SlotState(String committedSlot, Version committedVersion, long securityFloor, Optional<Trial> trial,
                        Optional<LastResult> last) {
    static final int FORMAT = 1;
    private static final Pattern SLOT = Pattern.compile("[ab]");
    private static final Pattern DIGITS = Pattern.compile("0|[1-9][0-9]{0,17}");

    public SlotState {
        checkSlot(committedSlot);
        Objects.requireNonNull(committedVersion, "committedVersion");
        Objects.requireNonNull(trial, "trial");
        Objects.requireNonNull(last, "last");
        if (securityFloor < 0) {
            throw new IllegalArgumentException("securityFloor must not be negative");
        }
        if (trial.isPresent() && trial.get().slot().equals(committedSlot)) {
            throw new IllegalArgumentException("the trial slot cannot be the committed slot");
        }
    }

    /**
     * A new version installed into {@code slot} and not yet committed.
     *
     * @param attempts how many times the launcher has started it (it counts before each start)
     */
    public record Trial(String slot, Version version, long securityVersion, long sinceMillis, int attempts) {
        public Trial {
            checkSlot(slot);
            Objects.requireNonNull(version, "version");
            if (securityVersion < 0 || sinceMillis < 0 || attempts < 0) {
                throw new IllegalArgumentException("trial numbers must not be negative");
            }
        }
    }

    /**
     * @param outcome  {@code committed}, {@code rolled-back} or {@code failed}
     * @param reason   for people; one line
     * @param reported whether the agent has reported it to the cloud
     */
    public record LastResult(String outcome, Version version, String reason, long atMillis, boolean reported) {
        public LastResult {
            if (!outcome.matches("committed|rolled-back|failed")) {
                throw new IllegalArgumentException("outcome must be committed, rolled-back or failed");
            }
            Objects.requireNonNull(version, "version");
            reason = reason.replaceAll("[\\r\\n\\x00-\\x1f]", " ");
            if (reason.length() > 300) {
                reason = reason.substring(0, 300);
            }
        }
    }

    public String inactiveSlot() {
        return committedSlot.equals("a") ? "b" : "a";
    }

    /** The slot {@code current} must point to: the trial while there is one, else the committed slot. */
    public String activeSlot() {
        return trial.map(Trial::slot).orElse(committedSlot);
    }

    SlotState withTrial(Optional<Trial> t) {
        return new SlotState(committedSlot, committedVersion, securityFloor, t, last);
    }

    SlotState withLast(LastResult r) {
        return new SlotState(committedSlot, committedVersion, securityFloor, trial, Optional.of(r));
    }

    byte[] encode() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("format", String.valueOf(FORMAT));
        m.put("committed", committedSlot);
        m.put("committedVersion", committedVersion.toString());
        m.put("securityVersion", String.valueOf(securityFloor));
        m.put("trial", trial.map(Trial::slot).orElse(""));
        m.put("trialVersion", trial.map(t -> t.version().toString()).orElse(""));
        m.put("trialSecurityVersion", trial.map(t -> String.valueOf(t.securityVersion())).orElse(""));
        m.put("trialSince", trial.map(t -> String.valueOf(t.sinceMillis())).orElse(""));
        m.put("attempts", String.valueOf(trial.map(Trial::attempts).orElse(0)));
        m.put("lastResult", last.map(LastResult::outcome).orElse(""));
        m.put("lastVersion", last.map(r -> r.version().toString()).orElse(""));
        m.put("lastReason", last.map(LastResult::reason).orElse(""));
        m.put("lastAt", last.map(r -> String.valueOf(r.atMillis())).orElse(""));
        m.put("reported", last.map(r -> r.reported() ? "1" : "0").orElse("1"));
        StringBuilder b = new StringBuilder();
        m.forEach((k, v) -> b.append(k).append('=').append(v).append('\n'));
        return b.toString().getBytes(StandardCharsets.UTF_8);
    }

    /** @throws IllegalArgumentException naming the key when the text is not a valid state file */
    static SlotState decode(String text) {
        Map<String, String> m = new LinkedHashMap<>();
        for (String line : text.split("\n")) {
            if (line.isEmpty()) {
                continue;
            }
            int eq = line.indexOf('=');
            if (eq <= 0) {
                throw new IllegalArgumentException("state line without key=value: '" + line + "'");
            }
            m.put(line.substring(0, eq), line.substring(eq + 1));
        }
        if (!String.valueOf(FORMAT).equals(m.get("format"))) {
            throw new IllegalArgumentException("state format must be " + FORMAT + ", got " + m.get("format"));
        }
        Optional<Trial> trial = Optional.empty();
        if (!get(m, "trial").isEmpty()) {
            trial = Optional.of(new Trial(get(m, "trial"), Version.parse(get(m, "trialVersion")),
                    number(m, "trialSecurityVersion"), number(m, "trialSince"), (int) Math.min(number(m, "attempts"), 1000)));
        }
        Optional<LastResult> last = Optional.empty();
        if (!get(m, "lastResult").isEmpty()) {
            last = Optional.of(new LastResult(get(m, "lastResult"), Version.parse(get(m, "lastVersion")),
                    get(m, "lastReason"), number(m, "lastAt"), "1".equals(get(m, "reported"))));
        }
        return new SlotState(get(m, "committed"), Version.parse(get(m, "committedVersion")),
                number(m, "securityVersion"), trial, last);
    }

    private static String get(Map<String, String> m, String key) {
        String v = m.get(key);
        if (v == null) {
            throw new IllegalArgumentException("state key '" + key + "' is missing");
        }
        return v;
    }

    private static long number(Map<String, String> m, String key) {
        String v = get(m, key);
        if (!DIGITS.matcher(v).matches()) {
            throw new IllegalArgumentException("state key '" + key + "' must be a number, got '" + v + "'");
        }
        return Long.parseLong(v);
    }

    private static void checkSlot(String slot) {
        if (slot == null || !SLOT.matcher(slot).matches()) {
            throw new IllegalArgumentException("slot must be a or b, got '" + slot + "'");
        }
    }
}
