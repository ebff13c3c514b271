package com.oviron.callidus.agent;

import com.oviron.callidus.agent.access.AccessSettings;
import com.oviron.callidus.agent.access.AccessTokens;
import com.oviron.callidus.agent.access.Consent;
import com.oviron.callidus.agent.access.ConsentButton;
import com.oviron.callidus.agent.access.Lockout;
import com.oviron.callidus.agent.access.PinHash;
import com.oviron.callidus.agent.subscription.PinnedKeys;
import com.oviron.callidus.hal.GpioLine;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The {@code access} section (docs/configuration.md, "access"): technician access at the console, the clinic
 * PIN, consent to remote support and the remote console. Absent: nobody can log in, the console only reads
 * (and installs signed tokens), and there is no remote console.
 */
final class AccessConfigSection {
    private AccessConfigSection() {
    }

    static Optional<AccessSettings> read(ConfigSection s, Path baseDir, Path stateFolder, AgentConfig.Gpio gpio)
            throws ConfigException {
        if (!s.isPresent()) {
            return Optional.empty();
        }
        String issuer = s.string("issuer", AccessTokens.DEFAULT_ISSUER);
        if (issuer.isEmpty() || issuer.length() > 128) {
            throw new ConfigException(s.key("issuer"), "must be 1 to 128 characters");
        }
        ConfigSection keysSection = s.section("keys", true);
        Map<String, String> keys = new LinkedHashMap<>();
        for (String kid : keysSection.keys()) {
            keys.put(kid, keysSection.string(kid, null));
        }
        if (keys.isEmpty()) {
            throw new ConfigException(s.key("keys"), "needs at least one key id with Oviron's Ed25519 public key for"
                    + " technician tokens");
        }
        PinnedKeys pinned;
        try {
            pinned = PinnedKeys.parse(keys);
        } catch (IllegalArgumentException e) {
            String message = e.getMessage() == null ? "invalid" : e.getMessage();
            String kid = message.startsWith("key '") ? message.substring(5, message.indexOf('\'', 5)) : "";
            throw new ConfigException(kid.isEmpty() ? s.key("keys") : s.key("keys") + "." + kid, message);
        }
        Path stateFile = baseDir.resolve(s.string("stateFile",
                stateFolder.resolve(AccessSettings.DEFAULT_STATE_FILE).toString())).normalize();
        Duration idle = s.duration("idleTimeout", AccessSettings.DEFAULT_IDLE, Duration.ofSeconds(1),
                Duration.ofHours(8));
        Duration lockFirst = s.duration("lockoutFirst", Lockout.DEFAULT_FIRST, Duration.ofSeconds(1),
                Duration.ofHours(1));
        Duration lockLongest = s.duration("lockoutLongest", Lockout.DEFAULT_LONGEST, Duration.ofSeconds(1),
                Duration.ofDays(1));
        if (lockLongest.compareTo(lockFirst) < 0) {
            throw new ConfigException(s.key("lockoutLongest"), "must not be shorter than access.lockoutFirst ("
                    + AgentConfigLoader.format(lockFirst) + ")");
        }
        int iterations = (int) s.integer("pinIterations", PinHash.DEFAULT_ITERATIONS, PinHash.MIN_ITERATIONS,
                PinHash.MAX_ITERATIONS);
        Duration consentMax = s.duration("consentMax", Consent.DEFAULT_MAX, Duration.ofMinutes(1), Duration.ofDays(1));
        Duration consentDefault = s.duration("consentDefault", Consent.DEFAULT_LENGTH.compareTo(consentMax) <= 0
                ? Consent.DEFAULT_LENGTH : consentMax, Duration.ofSeconds(10), Duration.ofDays(1));
        if (consentDefault.compareTo(consentMax) > 0) {
            throw new ConfigException(s.key("consentDefault"), "must not be longer than access.consentMax ("
                    + AgentConfigLoader.format(consentMax) + ")");
        }
        String button = s.string("consentButton", "");
        if (!button.isEmpty() && gpio.lines().stream().noneMatch(l -> l.name().equals(button) && l.isInput())) {
            throw new ConfigException(s.key("consentButton"), "'" + button + "' is not an input line under gpio.lines");
        }
        Duration hold = s.duration("consentHold", ConsentButton.DEFAULT_HOLD, Duration.ofMillis(100),
                Duration.ofSeconds(10));
        Duration remoteMax = s.duration("remoteMaxTime", AccessSettings.DEFAULT_REMOTE_MAX, Duration.ofSeconds(10),
                Duration.ofHours(8));
        Duration remoteIdle = s.duration("remoteIdle", AccessSettings.DEFAULT_REMOTE_IDLE, Duration.ofSeconds(5),
                Duration.ofHours(1));
        s.done();
        return Optional.of(new AccessSettings(issuer, pinned, stateFile, idle, new Lockout(lockFirst, lockLongest),
                iterations, consentDefault, consentMax, button.isEmpty() ? Optional.empty() : Optional.of(button),
                hold, remoteMax, remoteIdle));
    }
}
