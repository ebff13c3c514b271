package com.oviron.callidus.agent.update;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.PublicKey;
import java.security.Signature;
import java.util.Objects;
import java.util.Optional;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * Decides whether an update package file may be installed on this unit. The checks run in this order and
 * the first that fails rejects the package with its {@link RejectReason}:
 *
 * <ol>
 * <li>structure of the header ({@link RejectReason#MALFORMED})</li>
 * <li>the key id is pinned ({@link RejectReason#UNKNOWN_KEY})</li>
 * <li>the Ed25519 signature over the manifest bytes ({@link RejectReason#BAD_SIGNATURE}); nothing of the
 *     manifest is parsed before this passes</li>
 * <li>the manifest ({@link RejectReason#MANIFEST_INVALID}, {@link RejectReason#UNSAFE_PATH},
 *     {@link RejectReason#TOO_LARGE}), including the unit's own total size limit</li>
 * <li>hardware ({@link RejectReason#WRONG_HARDWARE}), version ({@link RejectReason#NOT_NEWER}), security
 *     version ({@link RejectReason#SECURITY_DOWNGRADE}), entitlement ({@link RejectReason#NOT_ENTITLED})</li>
 * <li>file length = header + manifest + declared sizes ({@link RejectReason#TRUNCATED},
 *     {@link RejectReason#TRAILING_DATA})</li>
 * <li>free space for the payload ({@link RejectReason#NO_SPACE})</li>
 * <li>every file's SHA-256 ({@link RejectReason#HASH_MISMATCH})</li>
 * </ol>
 *
 * Cheap checks on the signed manifest come before reading the whole payload. Thread-safe if its suppliers are.
 */
public final class UpdatePackageVerifier {
    /** The checks by name, in order; what {@code package verify} prints. */
    public static final String[] CHECKS = {"structure", "key", "signature", "manifest", "hardware", "version",
            "security-version", "entitlement", "size", "space", "hashes"};

    private final PinnedKeys keys;
    private final Optional<String> hardwareId;
    private final Supplier<InstalledRelease> installed;
    private final BooleanSupplier updatesAllowed;
    private final LongSupplier availableBytes;
    private final long maxPayloadBytes;

    /**
     * @param keys            the pinned signing keys
     * @param hardwareId      this unit's hardware id; empty only for the vendor tool, which checks no hardware
     * @param installed       the committed release and security high-water mark, read at each verification
     * @param updatesAllowed  whether the unit's subscription allows an update now
     * @param availableBytes  bytes free for the inactive slot
     * @param maxPayloadBytes the most payload this unit accepts
     */
    public UpdatePackageVerifier(PinnedKeys keys, Optional<String> hardwareId, Supplier<InstalledRelease> installed,
                                 BooleanSupplier updatesAllowed, LongSupplier availableBytes, long maxPayloadBytes) {
        this.keys = Objects.requireNonNull(keys, "keys");
        this.hardwareId = Objects.requireNonNull(hardwareId, "hardwareId");
        this.installed = Objects.requireNonNull(installed, "installed");
        this.updatesAllowed = Objects.requireNonNull(updatesAllowed, "updatesAllowed");
        this.availableBytes = Objects.requireNonNull(availableBytes, "availableBytes");
        if (maxPayloadBytes <= 0) {
            throw new IllegalArgumentException("maxPayloadBytes must be positive");
        }
        this.maxPayloadBytes = maxPayloadBytes;
    }

    public VerifiedPackage verify(Path file) throws PackageRejectedException {
        return verify(file, check -> { });
    }

    /** Verifies, telling {@code passed} the name of each check (from {@link #CHECKS}) as it passes. */
    public VerifiedPackage verify(Path file, Consumer<String> passed) throws PackageRejectedException {
        // the package waits in the agent's own updates/ folder; a link put there is never read
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS)) {
            PackageHeader header = PackageHeader.read(channel);
            passed.accept("structure");
            PublicKey key = keys.get(header.keyId()).orElseThrow(() -> new PackageRejectedException(
                    RejectReason.UNKNOWN_KEY, "signed with key id '" + header.keyId() + "', which this unit does "
                    + "not pin (pinned: " + String.join(", ", keys.keyIds()) + ")"));
            passed.accept("key");
            if (!signatureValid(key, header)) {
                throw new PackageRejectedException(RejectReason.BAD_SIGNATURE, "the signature of key '"
                        + header.keyId() + "' does not verify over the manifest");
            }
            passed.accept("signature");
            Manifest manifest = Manifest.parse(header.manifestBytes());
            long payload = manifest.totalSize();
            if (payload > maxPayloadBytes) {
                throw new PackageRejectedException(RejectReason.TOO_LARGE, "the files add up to " + payload
                        + " bytes, this unit accepts at most " + maxPayloadBytes);
            }
            passed.accept("manifest");
            try {
                checkPolicy(manifest, passed);
                long expected = header.payloadOffset() + payload;
                long actual = channel.size();
                if (actual < expected) {
                    throw new PackageRejectedException(RejectReason.TRUNCATED, "the file has " + actual
                            + " bytes, the manifest declares " + expected);
                }
                if (actual > expected) {
                    throw new PackageRejectedException(RejectReason.TRAILING_DATA, "the file has "
                            + (actual - expected) + " bytes after the last declared file (" + actual + " bytes, "
                            + expected + " declared)");
                }
                passed.accept("size");
                long free = availableBytes.getAsLong();
                if (free < payload) {
                    throw new PackageRejectedException(RejectReason.NO_SPACE, "the files need " + payload
                            + " bytes, " + free + " are free for the inactive slot");
                }
                passed.accept("space");
                checkHashes(channel, header.payloadOffset(), manifest);
                passed.accept("hashes");
                return new VerifiedPackage(file, header.keyId(), header.payloadOffset(), manifest);
            } catch (PackageRejectedException e) {
                throw e.of(manifest.version());
            }
        } catch (IOException e) {
            throw new PackageRejectedException(RejectReason.IO_ERROR, "cannot read the package " + file.getFileName()
                    + ": " + e.getMessage(), e);
        }
    }

    private void checkPolicy(Manifest manifest, Consumer<String> passed) throws PackageRejectedException {
        if (hardwareId.isPresent() && !manifest.hardware().contains(hardwareId.get())) {
            throw new PackageRejectedException(RejectReason.WRONG_HARDWARE, "the package is for "
                    + manifest.hardware() + ", this unit is " + hardwareId.get());
        }
        passed.accept("hardware");
        InstalledRelease now = installed.get();
        if (manifest.version().compareTo(now.version()) <= 0) {
            throw new PackageRejectedException(RejectReason.NOT_NEWER, "version " + manifest.version()
                    + " is not newer than the installed " + now.version());
        }
        passed.accept("version");
        if (manifest.securityVersion() < now.securityVersionFloor()) {
            throw new PackageRejectedException(RejectReason.SECURITY_DOWNGRADE, "security version "
                    + manifest.securityVersion() + " is below the unit's " + now.securityVersionFloor());
        }
        passed.accept("security-version");
        if (!updatesAllowed.getAsBoolean()) {
            throw new PackageRejectedException(RejectReason.NOT_ENTITLED,
                    "the unit's subscription does not allow updates now");
        }
        passed.accept("entitlement");
    }

    private static boolean signatureValid(PublicKey key, PackageHeader header) {
        try {
            Signature s = Signature.getInstance("Ed25519");
            s.initVerify(key);
            s.update(header.manifestBytes());
            return s.verify(header.signature());
        } catch (GeneralSecurityException e) {
            return false; // a signature the provider cannot even decode is simply not valid
        }
    }

    private static void checkHashes(FileChannel channel, long offset, Manifest manifest)
            throws IOException, PackageRejectedException {
        ByteBuffer buffer = ByteBuffer.allocate(64 * 1024);
        long position = offset;
        for (ManifestFile f : manifest.files()) {
            MessageDigest digest = sha256();
            long left = f.size();
            while (left > 0) {
                buffer.clear().limit((int) Math.min(buffer.capacity(), left));
                int n = channel.read(buffer, position);
                if (n < 0) {
                    throw new PackageRejectedException(RejectReason.TRUNCATED, "the file ended inside " + f.path());
                }
                digest.update(buffer.array(), 0, n);
                position += n;
                left -= n;
            }
            if (!MessageDigest.isEqual(digest.digest(), f.sha256Bytes())) {
                throw new PackageRejectedException(RejectReason.HASH_MISMATCH, "the bytes of " + f.path()
                        + " do not match its SHA-256 in the manifest");
            }
        }
    }

    static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java has SHA-256", e);
        }
    }
}
