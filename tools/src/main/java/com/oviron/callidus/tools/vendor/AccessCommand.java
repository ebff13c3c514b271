package com.oviron.callidus.tools.vendor;

import com.google.gson.JsonObject;
import com.oviron.callidus.agent.access.AccessTokens;
import com.oviron.callidus.agent.access.PinResetToken;
import com.oviron.callidus.agent.access.Role;
import com.oviron.callidus.agent.access.ServiceRecord;
import com.oviron.callidus.agent.access.TechnicianToken;
import com.oviron.callidus.agent.subscription.PinnedKeys;
import com.oviron.callidus.tools.vendor.VendorCommand.UsageException;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;

/**
 * The vendor's side of technician access (issue 14, docs/console.md "Access"): sign a technician token, sign a
 * PIN reset token, and verify a unit's signed service record from the unit's public key alone. Part of
 * {@code vendor}.
 */
final class AccessCommand {
    static final String USAGE = """

              technician sign --key <private.pem> --kid <id> --technician <id> --role <clinic|service>
                              --device <unit serial|any> [--name <name>] [--valid <duration, default 8h>]
                              [--issuer <iss>] [--issued-at <ISO instant>] [--token-id <id>]
                  Prints a technician token (compact JWS, typ technician+jwt) for the unit's console: login.
                  At most 31 days; default issuer %s. The key is pinned on units under access.keys.

              pin-reset sign --key <private.pem> --kid <id> --device <unit serial> --issued-by <employee id>
                             [--valid <duration, default 24h>] [--issuer <iss>] [--issued-at <ISO instant>]
                  Prints a PIN reset token (typ pin-reset+jwt) for one unit, used once with: passwd reset.
                  At most 3 days. Issue it only after checking who called.

              record verify --pubkey <unit public key: file or raw base64url> <record.jws | @file>
                  Checks a service record the unit signed, from the unit's public key alone, and prints it.
                  Exit 0 valid, 1 not valid (with the reason).
            """.formatted(AccessTokens.DEFAULT_ISSUER);

    private AccessCommand() {
    }

    static boolean handles(String[] args) {
        return args.length > 1 && (args[0].equals("technician") && args[1].equals("sign")
                || args[0].equals("pin-reset") && args[1].equals("sign")
                || args[0].equals("record") && args[1].equals("verify"));
    }

    static int run(String[] args, PrintStream out, PrintStream err, Clock clock) throws UsageException, IOException {
        return switch (args[0]) {
            case "technician" -> technician(VendorCommand.options(args, 2, Set.of("key", "kid", "technician", "role",
                    "device", "name", "valid", "issuer", "issued-at", "token-id"), Set.of()), out, clock);
            case "pin-reset" -> reset(VendorCommand.options(args, 2, Set.of("key", "kid", "device", "issued-by",
                    "valid", "issuer", "issued-at"), Set.of()), out, clock);
            default -> verifyRecord(VendorCommand.options(args, 2, Set.of("pubkey"), Set.of("record")), out, err);
        };
    }

    private static int technician(Map<String, String> o, PrintStream out, Clock clock)
            throws UsageException, IOException {
        PrivateKey key = Ed25519PrivateKeys.read(Path.of(VendorCommand.required(o, "key")));
        Role role = Role.fromWire(VendorCommand.required(o, "role")).orElseThrow(() ->
                new UsageException("--role must be clinic or service"));
        Instant iat = issuedAt(o, clock);
        Duration valid = duration(o.getOrDefault("valid", "8h"), "valid");
        try {
            TechnicianToken t = new TechnicianToken(o.getOrDefault("issuer", AccessTokens.DEFAULT_ISSUER),
                    VendorCommand.required(o, "technician"), Optional.ofNullable(o.get("name")), role,
                    VendorCommand.required(o, "device"), iat, iat.plus(valid),
                    o.getOrDefault("token-id", "t-" + UUID.randomUUID()));
            if (valid.compareTo(AccessTokens.MAX_TECHNICIAN_VALIDITY) > 0) {
                throw new UsageException("--valid: a technician token is valid for at most 31 days");
            }
            out.println(AccessTokens.sign(t, VendorCommand.required(o, "kid"), key));
        } catch (IllegalArgumentException e) {
            throw new UsageException(e.getMessage());
        }
        return 0;
    }

    private static int reset(Map<String, String> o, PrintStream out, Clock clock) throws UsageException, IOException {
        PrivateKey key = Ed25519PrivateKeys.read(Path.of(VendorCommand.required(o, "key")));
        Instant iat = issuedAt(o, clock);
        Duration valid = duration(o.getOrDefault("valid", "24h"), "valid");
        if (valid.compareTo(AccessTokens.MAX_RESET_VALIDITY) > 0) {
            throw new UsageException("--valid: a reset token is valid for at most 3 days");
        }
        String device = VendorCommand.required(o, "device");
        if (device.equals(TechnicianToken.ANY_DEVICE)) {
            throw new UsageException("--device: a reset token names one unit, never any");
        }
        try {
            out.println(AccessTokens.sign(new PinResetToken(o.getOrDefault("issuer", AccessTokens.DEFAULT_ISSUER),
                    VendorCommand.required(o, "issued-by"), device, iat, iat.plus(valid), "r-" + UUID.randomUUID()),
                    VendorCommand.required(o, "kid"), key));
        } catch (IllegalArgumentException e) {
            throw new UsageException(e.getMessage());
        }
        return 0;
    }

    private static int verifyRecord(Map<String, String> o, PrintStream out, PrintStream err)
            throws UsageException, IOException {
        String arg = VendorCommand.required(o, "record");
        String record = arg.startsWith("@") ? readBounded(Path.of(arg.substring(1))) : arg;
        String keyArg = VendorCommand.required(o, "pubkey");
        Path keyFile = Path.of(keyArg);
        String keyText = keyArg.length() < 256 && Files.isRegularFile(keyFile)
                ? publicBlock(Files.readString(keyFile, StandardCharsets.US_ASCII)) : keyArg;
        PublicKey key;
        try {
            key = PinnedKeys.parsePublicKey(keyText.strip());
        } catch (IllegalArgumentException e) {
            throw new UsageException("--pubkey: " + e.getMessage());
        }
        JsonObject doc;
        try {
            doc = ServiceRecord.verify(record, key);
        } catch (IllegalArgumentException e) {
            err.println("service record NOT valid: " + e.getMessage());
            return 1;
        }
        out.println("service record valid: signed by unit key " + com.oviron.callidus.agent.access.RecordSigner.keyId(
                key));
        ServiceRecord.lines(doc).forEach(out::println);
        return 0;
    }

    /** The PUBLIC KEY block of a file that may hold more (a unit's key file holds its private key too). */
    private static String publicBlock(String text) {
        int begin = text.indexOf("-----BEGIN PUBLIC KEY-----");
        int end = text.indexOf("-----END PUBLIC KEY-----");
        return begin >= 0 && end > begin ? text.substring(begin, end + "-----END PUBLIC KEY-----".length()) : text;
    }

    private static String readBounded(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            byte[] b = in.readNBytes(ServiceRecord.MAX_CHARS + 1);
            if (b.length > ServiceRecord.MAX_CHARS) {
                throw new IOException(file + " is larger than a service record can be");
            }
            return new String(b, StandardCharsets.US_ASCII).strip();
        }
    }

    private static Instant issuedAt(Map<String, String> o, Clock clock) throws UsageException {
        try {
            return o.containsKey("issued-at") ? Instant.parse(o.get("issued-at"))
                    : Instant.ofEpochSecond(clock.instant().getEpochSecond());
        } catch (DateTimeParseException e) {
            throw new UsageException("--issued-at must be an instant like 2026-11-21T08:00:00Z");
        }
    }

    private static Duration duration(String text, String name) throws UsageException {
        try {
            long n = Long.parseLong(text.substring(0, text.length() - 1));
            Duration d = switch (text.charAt(text.length() - 1)) {
                case 'm' -> Duration.ofMinutes(n);
                case 'h' -> Duration.ofHours(n);
                case 'd' -> Duration.ofDays(n);
                default -> throw new NumberFormatException();
            };
            if (d.isNegative() || d.isZero()) {
                throw new NumberFormatException();
            }
            return d;
        } catch (RuntimeException e) {
            throw new UsageException("--" + name + " must be a duration like 30m, 8h or 2d, got '" + text + "'");
        }
    }
}
