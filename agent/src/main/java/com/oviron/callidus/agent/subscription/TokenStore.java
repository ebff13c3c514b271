package com.oviron.callidus.agent.subscription;

import com.oviron.callidus.agent.subscription.TokenRejectedException.Reason;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;
import org.tinylog.Logger;

/**
 * The installed subscription token, cached in one small file (the compact JWS and a newline) so that the
 * unit knows its entitlement without the cloud. Writes are atomic ({@link AtomicFile}). A token replaces the
 * installed one only with a higher token serial. At start the file is verified again like a token from the
 * cloud: a file that is unreadable, too large or no longer verifies (damaged, another unit's, its key
 * unpinned by a rotation) counts as no token, is logged and kept aside as {@code <file>.rejected}.
 * Thread-safe.
 */
public final class TokenStore {
    static final int MAX_FILE_BYTES = TokenVerifier.MAX_TOKEN_CHARS + 2;

    private final Path file;
    private Optional<VerifiedToken> current;

    /** Opens the cache; never fails: a bad file is set aside (see the class comment). */
    public TokenStore(Path file, TokenVerifier verifier) {
        this.file = Objects.requireNonNull(file, "file");
        this.current = load(file, verifier);
    }

    /** The installed token, if any. */
    public synchronized Optional<VerifiedToken> current() {
        return current;
    }

    public Path file() {
        return file;
    }

    /**
     * Writes {@code token} and makes it the installed one.
     *
     * @throws TokenRejectedException {@link Reason#OLDER_SERIAL} when its serial is not higher than the installed
     *     token's; {@link Reason#NOT_STORED} when it cannot be written (the installed token is then unchanged)
     */
    public synchronized void install(VerifiedToken token) throws TokenRejectedException {
        Objects.requireNonNull(token, "token");
        if (current.isPresent() && token.claims().tokenSerial() <= current.get().claims().tokenSerial()) {
            throw new TokenRejectedException(Reason.OLDER_SERIAL, "token serial " + token.claims().tokenSerial()
                    + " is not newer than the installed " + current.get().claims().tokenSerial());
        }
        try {
            AtomicFile.write(file, (token.compact() + "\n").getBytes(StandardCharsets.US_ASCII));
        } catch (IOException e) {
            Logger.error("subscription token not stored file={} error={}", file, e.getMessage());
            throw new TokenRejectedException(Reason.NOT_STORED, "the token could not be written to " + file + ": "
                    + e.getMessage(), e);
        }
        current = Optional.of(token);
    }

    private static Optional<VerifiedToken> load(Path file, TokenVerifier verifier) {
        String text;
        try {
            text = new String(AtomicFile.read(file, MAX_FILE_BYTES), StandardCharsets.US_ASCII);
        } catch (NoSuchFileException e) {
            Logger.info("no subscription token stored yet file={}", file);
            return Optional.empty();
        } catch (IOException e) {
            setAside(file, "unreadable: " + e.getMessage());
            return Optional.empty();
        }
        try {
            VerifiedToken token = verifier.verify(text);
            Logger.info("subscription token loaded tsn={} kid={} file={}", token.claims().tokenSerial(), token.keyId(),
                    file);
            return Optional.of(token);
        } catch (TokenRejectedException e) {
            setAside(file, e.reason().wire() + ": " + e.getMessage());
            return Optional.empty();
        }
    }

    private static void setAside(Path file, String why) {
        try {
            Path aside = Files.exists(file) ? AtomicFile.moveAside(file, "rejected") : file;
            Logger.error("stored subscription token not usable, treated as no token and kept aside file={} keptAs={}"
                    + " reason={}", file, aside, why);
        } catch (IOException e) {
            Logger.error("stored subscription token not usable, treated as no token; it could not be moved aside"
                    + " file={} reason={} error={}", file, why, e.getMessage());
        }
    }
}
