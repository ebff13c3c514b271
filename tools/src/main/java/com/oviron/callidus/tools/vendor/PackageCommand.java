package com.oviron.callidus.tools.vendor;

import com.oviron.callidus.agent.update.InstalledRelease;
import com.oviron.callidus.agent.update.Manifest;
import com.oviron.callidus.agent.update.ManifestFile;
import com.oviron.callidus.agent.update.PackageHeader;
import com.oviron.callidus.agent.update.PackageRejectedException;
import com.oviron.callidus.agent.update.PinnedKeys;
import com.oviron.callidus.agent.update.UpdatePackageBuilder;
import com.oviron.callidus.agent.update.UpdatePackageVerifier;
import com.oviron.callidus.agent.update.VerifiedPackage;
import com.oviron.callidus.agent.update.Version;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * {@code package}: the vendor side of remote updates: {@code build} signs an update package,
 * {@code verify} runs the unit's checks on one and prints them, {@code keygen} makes an Ed25519 key pair
 * (docs/updates.md).
 */
public final class PackageCommand {
    static final String USAGE = """
            Usage: java -jar tools/target/callidus-tools.jar package build --key <private.pem> --kid <id>
                       --version <x.y.z> --security-version <n> --hardware <id> [--hardware <id>...]
                       --file <source>=<path in slot> [--file ...] --out <package.cup>
                   java -jar tools/target/callidus-tools.jar package verify --pubkey <public.pem | raw base64url>
                       [--hardware <id>] [--installed-version <x.y.z>] [--installed-security-version <n>] <package.cup>
                   java -jar tools/target/callidus-tools.jar package keygen --out <folder> --kid <id>

            build   hashes the files, writes the manifest, signs it with the Ed25519 key (PKCS#8 PEM, as
                    openssl genpkey -algorithm ed25519 writes it) and writes the package atomically. One file
                    must be callidus-agent.jar (what the unit's launcher starts). A source that is executable
                    gets mode 0755 in the slot, others 0644.
            verify  prints the manifest and each of the unit's checks in order; the key is pinned under the
                    package's key id. Without --hardware the hardware check is skipped; the installed version
                    defaults to 0.0.0 and security version 0 (so any release passes those checks).
            keygen  writes <kid>.pem (private, PKCS#8, mode 0600) and <kid>.pub.pem and prints the raw public key
                    (base64url) for the unit's update.keys.

            Exit 0 on success, 1 when the package is rejected or cannot be written, 2 for a usage error.
            """;

    private PackageCommand() {
    }

    public static int run(String[] args, PrintStream out, PrintStream err) {
        if (args.length == 0 || args[0].equals("--help") || args[0].equals("help")) {
            out.print(USAGE);
            return args.length == 0 ? 2 : 0;
        }
        String[] rest = Arrays.copyOfRange(args, 1, args.length);
        try {
            return switch (args[0]) {
                case "build" -> build(Options.parse(rest), out);
                case "verify" -> verify(Options.parse(rest), out, err);
                case "keygen" -> keygen(Options.parse(rest), out);
                default -> throw new UsageException("unknown subcommand '" + args[0] + "'");
            };
        } catch (UsageException e) {
            err.println("error: " + e.getMessage() + " (package --help shows the options)");
            return 2;
        } catch (IOException | GeneralSecurityException e) {
            err.println("error: " + e.getMessage());
            return 1;
        }
    }

    private static int build(Options o, PrintStream out) throws UsageException, IOException, GeneralSecurityException {
        o.allowOnly("--key", "--kid", "--version", "--security-version", "--hardware", "--file", "--out");
        PrivateKey key = readPrivateKey(Path.of(o.one("--key")));
        UpdatePackageBuilder builder = new UpdatePackageBuilder();
        for (String spec : o.all("--file")) {
            int eq = spec.indexOf('=');
            if (eq <= 0 || eq == spec.length() - 1) {
                throw new UsageException("--file must be <source>=<path in slot>, got '" + spec + "'");
            }
            Path source = Path.of(spec.substring(0, eq));
            if (!Files.isRegularFile(source)) {
                throw new UsageException("--file source " + source + " is not a file");
            }
            builder.add(spec.substring(eq + 1), source, Files.isExecutable(source));
        }
        if (o.all("--file").isEmpty()) {
            throw new UsageException("at least one --file is required");
        }
        Manifest m;
        try {
            m = builder.build(Version.parse(o.one("--version")), o.number("--security-version"), o.all("--hardware"),
                    Clock.systemUTC().instant().truncatedTo(java.time.temporal.ChronoUnit.SECONDS), o.one("--kid"),
                    key, Path.of(o.one("--out")));
        } catch (IllegalArgumentException e) {
            throw new UsageException(e.getMessage());
        }
        out.println("wrote " + o.one("--out") + ": version " + m.version() + ", security version "
                + m.securityVersion() + ", " + m.files().size() + " files, " + m.totalSize() + " bytes, key "
                + o.one("--kid"));
        return 0;
    }

    private static int verify(Options o, PrintStream out, PrintStream err) throws UsageException, IOException {
        o.allowOnly("--pubkey", "--hardware", "--installed-version", "--installed-security-version", "");
        List<String> files = o.all("");
        if (files.size() != 1) {
            throw new UsageException("verify takes exactly one package file");
        }
        Path file = Path.of(files.get(0));
        String pubkey = o.one("--pubkey");
        if (Files.isRegularFile(Path.of(pubkey))) {
            pubkey = Files.readString(Path.of(pubkey), StandardCharsets.US_ASCII);
        }
        String kid;
        try (FileChannel c = FileChannel.open(file)) {
            kid = PackageHeader.read(c).keyId();
        } catch (PackageRejectedException e) {
            out.println("check structure: FAILED " + e.reason().code() + ": " + e.getMessage());
            return 1;
        }
        PinnedKeys keys;
        Version installed;
        try {
            keys = PinnedKeys.of(Map.of(kid, pubkey));
            installed = Version.parse(o.optional("--installed-version").orElse("0.0.0"));
        } catch (IllegalArgumentException e) {
            throw new UsageException(e.getMessage());
        }
        long floor = o.optional("--installed-security-version").isPresent() ? o.number("--installed-security-version") : 0;
        UpdatePackageVerifier verifier = new UpdatePackageVerifier(keys, o.optional("--hardware"),
                () -> new InstalledRelease(installed, floor), () -> true, () -> Long.MAX_VALUE, Long.MAX_VALUE);
        List<String> passed = new ArrayList<>();
        boolean hardwareGiven = o.optional("--hardware").isPresent();
        try {
            VerifiedPackage p = verifier.verify(file, check -> {
                passed.add(check);
                out.println("check " + check + ": ok" + (check.equals("hardware") && !hardwareGiven
                        ? " (not checked: no --hardware)" : ""));
            });
            Manifest m = p.manifest();
            out.println("key id: " + p.keyId());
            out.println("version: " + m.version());
            out.println("security version: " + m.securityVersion());
            out.println("hardware: " + String.join(", ", m.hardware()));
            out.println("created: " + m.created());
            for (ManifestFile f : m.files()) {
                out.println("file: " + f.path() + " " + f.size() + " bytes mode " + f.mode() + " sha256 " + f.sha256());
            }
            out.println("package ok");
            return 0;
        } catch (PackageRejectedException e) {
            String failed = UpdatePackageVerifier.CHECKS[Math.min(passed.size(), UpdatePackageVerifier.CHECKS.length - 1)];
            out.println("check " + failed + ": FAILED " + e.reason().code() + ": " + e.getMessage());
            err.println("rejected: " + e.reason().code() + ": " + e.getMessage());
            return 1;
        }
    }

    private static int keygen(Options o, PrintStream out) throws UsageException, IOException, GeneralSecurityException {
        o.allowOnly("--out", "--kid");
        String kid = o.one("--kid");
        if (!PackageHeader.KEY_ID.matcher(kid).matches()) {
            throw new UsageException("--kid must match " + PackageHeader.KEY_ID.pattern());
        }
        Path folder = Files.createDirectories(Path.of(o.one("--out")));
        Path privateFile = folder.resolve(kid + ".pem");
        Path publicFile = folder.resolve(kid + ".pub.pem");
        if (Files.exists(privateFile) || Files.exists(publicFile)) {
            throw new UsageException(privateFile + " or " + publicFile + " exists already; not overwriting a key");
        }
        KeyPair pair = KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
        Files.createFile(privateFile, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        Files.writeString(privateFile, pem("PRIVATE KEY", pair.getPrivate().getEncoded()));
        Files.writeString(publicFile, pem("PUBLIC KEY", pair.getPublic().getEncoded()));
        byte[] spki = pair.getPublic().getEncoded();
        String raw = Base64.getUrlEncoder().withoutPadding().encodeToString(Arrays.copyOfRange(spki, spki.length - 32,
                spki.length));
        out.println("wrote " + privateFile + " (keep it secret) and " + publicFile);
        out.println("update.keys entry: \"" + kid + "\": \"" + raw + "\"");
        return 0;
    }

    static String pem(String type, byte[] der) {
        return "-----BEGIN " + type + "-----\n" + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(der)
                + "\n-----END " + type + "-----\n";
    }

    static PrivateKey readPrivateKey(Path file) throws UsageException, IOException {
        try {
            return com.oviron.callidus.agent.subscription.PrivateKeyPem.parse(Files.readString(file,
                    StandardCharsets.US_ASCII));
        } catch (IllegalArgumentException e) {
            throw new UsageException(file + " is " + e.getMessage());
        }
    }

    static final class UsageException extends Exception {
        UsageException(String message) {
            super(message);
        }
    }

    /** {@code --name value} pairs (repeatable) and bare arguments under the name "". */
    private record Options(Map<String, List<String>> values) {
        static Options parse(String[] args) throws UsageException {
            Map<String, List<String>> v = new java.util.LinkedHashMap<>();
            for (int i = 0; i < args.length; i++) {
                if (args[i].startsWith("--")) {
                    if (i + 1 >= args.length) {
                        throw new UsageException(args[i] + " needs a value");
                    }
                    v.computeIfAbsent(args[i], k -> new ArrayList<>()).add(args[++i]);
                } else {
                    v.computeIfAbsent("", k -> new ArrayList<>()).add(args[i]);
                }
            }
            return new Options(v);
        }

        void allowOnly(String... names) throws UsageException {
            for (String k : values.keySet()) {
                if (!List.of(names).contains(k)) {
                    throw new UsageException(k.isEmpty() ? "unexpected argument '" + values.get(k).get(0) + "'"
                            : "unknown option " + k);
                }
            }
        }

        List<String> all(String name) {
            return values.getOrDefault(name, List.of());
        }

        Optional<String> optional(String name) throws UsageException {
            List<String> v = all(name);
            if (v.size() > 1) {
                throw new UsageException(name + " given more than once");
            }
            return v.stream().findFirst();
        }

        String one(String name) throws UsageException {
            return optional(name).orElseThrow(() -> new UsageException(name + " is required"));
        }

        long number(String name) throws UsageException {
            String s = one(name);
            try {
                return Long.parseLong(s);
            } catch (NumberFormatException e) {
                throw new UsageException(name + " must be a whole number, got '" + s + "'");
            }
        }
    }
}
