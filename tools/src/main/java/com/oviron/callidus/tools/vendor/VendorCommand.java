package com.oviron.callidus.tools.vendor;

import com.google.gson.JsonParser;
import com.oviron.callidus.agent.subscription.Entitlement;
import com.oviron.callidus.agent.subscription.PinnedKeys;
import com.oviron.callidus.agent.subscription.SubscriptionSettings;
import com.oviron.callidus.agent.subscription.SubscriptionToken;
import com.oviron.callidus.agent.subscription.TokenRejectedException;
import com.oviron.callidus.agent.subscription.TokenSigner;
import com.oviron.callidus.agent.subscription.TokenVerifier;
import com.oviron.callidus.agent.subscription.VerifiedToken;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.time.format.DateTimeParseException;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * {@code vendor}: the vendor's side of subscription tokens, for people at Oviron and for testing units:
 * make a key pair, sign a token, verify a token and show what a unit would decide now; and sign or check a
 * time statement that answers a unit's clock challenge ({@link VendorTimeCommand}).
 */
public final class VendorCommand {
    static final String USAGE = """
            Usage: java -jar tools/target/callidus-tools.jar vendor <subcommand> [options]

              keygen --out <dir> --kid <id>
                  Makes an Ed25519 key pair: <dir>/<id>.private.pem (PKCS#8, mode 0600, never overwritten),
                  <id>.public.pem (SubjectPublicKeyInfo) and <id>.public.b64u (the raw 32-byte key in
                  base64url, as pinned in the agent's subscription.keys).

              token sign --key <private.pem> --kid <id> --serial <unit serial> --purchase <yyyy-MM-dd>
                         --paid-until-sm <yyyy-MM-dd|none> [--paid-until-ew <yyyy-MM-dd>] --token-serial <n>
                         [--issuer <iss>] [--grace-days <n>] [--issued-at <ISO instant>]
                  Prints a signed token (compact JWS). Defaults: issuer %s, grace 15 days, issued now.
                  The key may also be one made by: openssl genpkey -algorithm ed25519

              token verify --pubkey <file|raw base64url> --serial <unit serial> [--kid <id>] [--issuer <iss>]
                           <token | @file>
                  Verifies a token as the unit does (key pinned under --kid, by default the token's own kid)
                  and prints its claims and the decision now. Exit 0 valid, 1 refused (with the reason).

              time sign --key <private.pem> --kid <id> --serial <unit serial> --nonce <nonce>
                        [--issuer <iss>] [--time <ISO instant>]
                  Prints a signed time statement answering the nonce of the unit's clock challenge
                  (clock.challenge, or "clock challenge" on its console). Default time: now.

              time verify --pubkey <file|raw base64url> --serial <unit serial> [--kid <id>] [--issuer <iss>]
                          [--nonce <nonce>] <statement | @file>
                  Verifies a time statement as the unit does (all but the freshness of its nonce, which only
                  the unit knows; with --nonce, that it answers this one) and prints it. Exit 0 valid, 1 refused.

              selftest verify --pubkey <file|raw base64url> <signed result | @file>
                  Checks a unit's signed self-test result (selftest's jws) with the unit's public key alone
                  (from its channel catalog, or the console's key word) and prints what the unit found.
                  Exit 0 valid and passed, 3 valid but the unit did not pass, 1 refused (not signed by
                  that key, altered, not a self-test result).
            %s
            Exit 2 for a usage error.
            """.formatted(SubscriptionSettings.DEFAULT_ISSUER, AccessCommand.USAGE);

    private VendorCommand() {
    }

    /** Thrown for a usage error: printed with the usage, exit 2. */
    static final class UsageException extends Exception {
        UsageException(String message) {
            super(message);
        }
    }

    public static int run(String[] args, PrintStream out, PrintStream err, Clock clock) {
        try {
            if (args.length == 0 || args[0].equals("--help") || args[0].equals("help")) {
                out.print(USAGE);
                return args.length == 0 ? 2 : 0;
            }
            if (args[0].equals("keygen")) {
                return keygen(options(args, 1, Set.of("out", "kid"), Set.of()), out);
            }
            if (args[0].equals("token") && args.length > 1 && args[1].equals("sign")) {
                return sign(options(args, 2, Set.of("key", "kid", "serial", "purchase", "paid-until-sm",
                        "paid-until-ew", "token-serial", "issuer", "grace-days", "issued-at"), Set.of()), out, clock);
            }
            if (args[0].equals("token") && args.length > 1 && args[1].equals("verify")) {
                return verify(options(args, 2, Set.of("pubkey", "serial", "kid", "issuer"), Set.of("token")), out,
                        err, clock);
            }
            if (args[0].equals("time") && args.length > 1 && args[1].equals("sign")) {
                return VendorTimeCommand.sign(options(args, 2, Set.of("key", "kid", "serial", "nonce", "issuer",
                        "time"), Set.of()), out, clock);
            }
            if (args[0].equals("time") && args.length > 1 && args[1].equals("verify")) {
                return VendorTimeCommand.verify(options(args, 2, Set.of("pubkey", "serial", "kid", "issuer", "nonce"),
                        Set.of("statement")), out, err);
            }
            if (args[0].equals("selftest") && args.length > 1 && args[1].equals("verify")) {
                return verifySelftest(options(args, 2, Set.of("pubkey"), Set.of("result")), out, err);
            }
            if (AccessCommand.handles(args)) {
                return AccessCommand.run(args, out, err, clock);
            }
            throw new UsageException("unknown subcommand '" + String.join(" ", args) + "'");
        } catch (UsageException e) {
            err.println("error: " + e.getMessage());
            err.print(USAGE);
            return 2;
        } catch (IOException e) {
            err.println("error: " + e.getMessage());
            return 2;
        }
    }

    /** {@code --name value} pairs; at most one positional argument, stored as {@code positional}. */
    static Map<String, String> options(String[] args, int from, Set<String> names, Set<String> positional)
            throws UsageException {
        Map<String, String> o = new HashMap<>();
        for (int i = from; i < args.length; i++) {
            String a = args[i];
            if (a.startsWith("--")) {
                String name = a.substring(2);
                if (!names.contains(name)) {
                    throw new UsageException("unknown option " + a);
                }
                if (i + 1 >= args.length) {
                    throw new UsageException(a + " needs a value");
                }
                if (o.put(name, args[++i]) != null) {
                    throw new UsageException(a + " given twice");
                }
            } else if (!positional.isEmpty() && !o.containsKey(positional.iterator().next())) {
                o.put(positional.iterator().next(), a);
            } else {
                throw new UsageException("unexpected argument '" + a + "'");
            }
        }
        return o;
    }

    static String required(Map<String, String> o, String name) throws UsageException {
        String v = o.get(name);
        if (v == null) {
            throw new UsageException("--" + name + " is required");
        }
        return v;
    }

    private static LocalDate date(String name, String value) throws UsageException {
        try {
            return LocalDate.parse(value);
        } catch (DateTimeParseException e) {
            throw new UsageException("--" + name + " must be a date yyyy-MM-dd, got '" + value + "'");
        }
    }

    private static long number(String name, String value) throws UsageException {
        try {
            return Long.parseLong(value);
        } catch (NumberFormatException e) {
            throw new UsageException("--" + name + " must be an integer, got '" + value + "'");
        }
    }

    private static int keygen(Map<String, String> o, PrintStream out) throws UsageException, IOException {
        String kid = required(o, "kid");
        if (!PinnedKeys.KEY_ID.matcher(kid).matches()) {
            throw new UsageException("--kid must match " + PinnedKeys.KEY_ID.pattern());
        }
        Path dir = Path.of(required(o, "out"));
        Files.createDirectories(dir);
        KeyPair keys;
        try {
            keys = KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IOException("this JDK cannot make Ed25519 keys: " + e.getMessage(), e);
        }
        Path priv = dir.resolve(kid + ".private.pem");
        Ed25519PrivateKeys.write(priv, keys.getPrivate());
        String raw = PinnedKeys.rawBase64Url(keys.getPublic());
        Files.writeString(dir.resolve(kid + ".public.pem"), PinnedKeys.pem(keys.getPublic()));
        Files.writeString(dir.resolve(kid + ".public.b64u"), raw + "\n");
        out.println("private key: " + priv + " (keep it offline; mode 0600)");
        out.println("public key:  " + dir.resolve(kid + ".public.pem") + ", " + dir.resolve(kid + ".public.b64u"));
        out.println("pin it in the agent's configuration: \"subscription\": {\"keys\": {\"" + kid + "\": \"" + raw
                + "\"}}");
        return 0;
    }

    private static int sign(Map<String, String> o, PrintStream out, Clock clock) throws UsageException, IOException {
        PrivateKey key = Ed25519PrivateKeys.read(Path.of(required(o, "key")));
        String kid = required(o, "kid");
        String sm = required(o, "paid-until-sm");
        Instant issuedAt;
        try {
            issuedAt = o.containsKey("issued-at") ? Instant.parse(o.get("issued-at"))
                    : Instant.ofEpochSecond(clock.instant().getEpochSecond());
        } catch (DateTimeParseException e) {
            throw new UsageException("--issued-at must be an instant like 2026-11-21T08:00:00Z");
        }
        long grace = o.containsKey("grace-days") ? number("grace-days", o.get("grace-days"))
                : SubscriptionToken.OFFER_GRACE_DAYS;
        if (grace < 0 || grace > SubscriptionToken.MAX_GRACE_DAYS) {
            throw new UsageException("--grace-days must be between 0 and " + SubscriptionToken.MAX_GRACE_DAYS);
        }
        SubscriptionToken claims;
        try {
            claims = new SubscriptionToken(o.getOrDefault("issuer", SubscriptionSettings.DEFAULT_ISSUER),
                    required(o, "serial"), issuedAt, number("token-serial", required(o, "token-serial")),
                    date("purchase", required(o, "purchase")),
                    sm.equals("none") ? Optional.empty() : Optional.of(date("paid-until-sm", sm)),
                    o.containsKey("paid-until-ew") ? Optional.of(date("paid-until-ew", o.get("paid-until-ew")))
                            : Optional.empty(),
                    (int) grace, issuedAt);
            out.println(TokenSigner.sign(claims, kid, key));
        } catch (IllegalArgumentException e) {
            throw new UsageException(e.getMessage());
        }
        return 0;
    }

    private static int verify(Map<String, String> o, PrintStream out, PrintStream err, Clock clock)
            throws UsageException, IOException {
        String token = jwsArgument(required(o, "token"));
        PinnedKeys keys = pinnedKey(o, token);
        TokenVerifier verifier = new TokenVerifier(o.getOrDefault("issuer", SubscriptionSettings.DEFAULT_ISSUER),
                required(o, "serial"), keys);
        VerifiedToken v;
        try {
            v = verifier.verify(token);
        } catch (TokenRejectedException e) {
            err.println("token refused: " + e.reason().wire() + ": " + e.getMessage());
            return 1;
        }
        SubscriptionToken c = v.claims();
        out.println("token valid: kid=" + v.keyId() + " sub=" + c.deviceSerial() + " tsn=" + c.tokenSerial() + " iss="
                + c.issuer());
        out.println("  issued at " + c.issuedAt() + ", server time " + c.serverTime());
        out.println("  purchase " + c.purchaseDate() + ", service manager paid until "
                + c.serviceManagerPaidUntil().map(Object::toString).orElse("never") + ", extended warranty paid until "
                + c.extendedWarrantyPaidUntil().map(Object::toString).orElse("never") + ", grace " + c.graceDays()
                + " days");
        Instant now = clock.instant();
        Entitlement e = Entitlement.decide(Optional.of(c), now, true);
        out.println("decision at " + now + " (UTC day " + LocalDate.ofInstant(now, java.time.ZoneOffset.UTC) + "):");
        out.println("  service manager " + e.serviceManager().wire() + ", last active day "
                + e.serviceManagerEnd().orElseThrow() + " (" + e.daysUntilEnd() + " days from today), cloud services"
                + " until " + e.cloudServicesUntil().orElseThrow());
        out.println("  extended warranty " + (e.extendedWarrantyActive() ? "active" : "not active"));
        out.println("  cloud services " + (e.cloudServicesAllowed() ? "allowed" : "stopped") + ", renewal reminder "
                + (e.reminderDue() ? "due" : "not due"));
        return 0;
    }

    /** A JWS given on the command line, or {@code @file} to read it from a file. */
    static String jwsArgument(String arg) throws IOException {
        return arg.startsWith("@")
                ? new String(readBounded(Path.of(arg.substring(1))), StandardCharsets.US_ASCII).strip()
                : arg;
    }

    /** {@code --pubkey} (a PEM file or the raw base64url key) pinned under {@code --kid}, else the JWS's own kid. */
    static PinnedKeys pinnedKey(Map<String, String> o, String jws) throws UsageException, IOException {
        String keyArg = required(o, "pubkey");
        Path keyFile = Path.of(keyArg);
        String keyText = keyArg.length() < 256 && Files.isRegularFile(keyFile)
                ? Files.readString(keyFile, StandardCharsets.US_ASCII) : keyArg;
        String kid = o.containsKey("kid") ? o.get("kid") : headerKid(jws).orElse("unknown");
        try {
            return PinnedKeys.parse(Map.of(kid, keyText.strip()));
        } catch (IllegalArgumentException e) {
            throw new UsageException("--pubkey: " + e.getMessage());
        }
    }

    private static int verifySelftest(Map<String, String> o, PrintStream out, PrintStream err)
            throws UsageException, IOException {
        String arg = required(o, "result");
        String jws;
        if (arg.startsWith("@")) {
            Path file = Path.of(arg.substring(1));
            if (Files.size(file) > com.oviron.callidus.agent.selftest.SelfTestJws.MAX_CHARS) {
                throw new IOException(file + " is larger than a self-test result can be");
            }
            jws = Files.readString(file, StandardCharsets.US_ASCII).strip();
        } else {
            jws = arg;
        }
        String keyArg = required(o, "pubkey");
        Path keyFile = Path.of(keyArg);
        String keyText = keyArg.length() < 256 && Files.isRegularFile(keyFile)
                ? Files.readString(keyFile, StandardCharsets.US_ASCII) : keyArg;
        java.security.PublicKey key;
        try {
            key = PinnedKeys.parsePublicKey(keyText.strip());
        } catch (IllegalArgumentException e) {
            throw new UsageException("--pubkey: " + e.getMessage());
        }
        com.google.gson.JsonObject doc;
        try {
            doc = com.oviron.callidus.agent.selftest.SelfTestJws.verify(jws, key);
        } catch (IllegalArgumentException e) {
            err.println("self-test result refused: " + e.getMessage());
            return 1;
        }
        boolean passed = doc.get("passed").getAsBoolean();
        out.println("signature valid: unit key " + com.oviron.callidus.agent.selftest.UnitKey.keyId(key) + ", unit "
                + doc.get("device").getAsString() + ", at " + Instant.ofEpochMilli(doc.get("at").getAsLong())
                + ", agent " + doc.get("agentVersion").getAsString());
        out.println("self-test " + (passed ? "PASSED" : "FAILED"));
        for (com.google.gson.JsonElement c : doc.getAsJsonArray("checks")) {
            com.google.gson.JsonObject x = c.getAsJsonObject();
            out.println("  " + (x.get("ok").getAsBoolean() ? "ok  " : "FAIL") + " " + x.get("code").getAsString() + " "
                    + x.get("name").getAsString() + ": " + x.get("detail").getAsString());
        }
        return passed ? 0 : 3;
    }

    private static byte[] readBounded(Path file) throws IOException {
        try (var in = Files.newInputStream(file)) {
            byte[] b = in.readNBytes(TokenVerifier.MAX_TOKEN_CHARS + 64);
            if (b.length > TokenVerifier.MAX_TOKEN_CHARS + 63) {
                throw new IOException(file + " is larger than a token can be");
            }
            return b;
        }
    }

    /** The header's kid, read without trusting it (the verifier checks everything again). */
    private static Optional<String> headerKid(String token) {
        try {
            String header = new String(Base64.getUrlDecoder().decode(token.strip().split("\\.", 2)[0]),
                    StandardCharsets.UTF_8);
            return Optional.of(JsonParser.parseString(header).getAsJsonObject().get("kid").getAsString())
                    .filter(k -> PinnedKeys.KEY_ID.matcher(k).matches());
        } catch (RuntimeException e) {
            return Optional.empty();
        }
    }
}
