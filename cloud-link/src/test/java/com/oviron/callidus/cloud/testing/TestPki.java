package com.oviron.callidus.cloud.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Certificates for TLS tests, made by Debian's openssl in a folder: a CA, server certificates for chosen
 * names, client certificates and PKCS#12 stores. Keys are RSA 2048, PKCS#8 PEM.
 */
public final class TestPki {
    private final Path dir;

    public TestPki(Path dir) throws IOException {
        this.dir = Files.createDirectories(dir);
    }

    /** A self-signed CA: {@code <name>.pem} and {@code <name>.key}. */
    public Path ca(String name) throws IOException {
        openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", name + ".key", "-out", name + ".pem",
                "-days", "2", "-subj", "/CN=" + name);
        return dir.resolve(name + ".pem");
    }

    /** A certificate signed by the CA, with the subject alternative names given (e.g. "IP:127.0.0.1"). */
    public Path signed(String ca, String name, String subjectAltNames) throws IOException {
        openssl("req", "-newkey", "rsa:2048", "-nodes", "-keyout", name + ".key", "-out", name + ".csr",
                "-subj", "/CN=" + name);
        List<String> args = new ArrayList<>(List.of("x509", "-req", "-in", name + ".csr", "-CA", ca + ".pem",
                "-CAkey", ca + ".key", "-CAcreateserial", "-out", name + ".pem", "-days", "2"));
        if (!subjectAltNames.isEmpty()) {
            Files.writeString(dir.resolve(name + ".ext"), "subjectAltName=" + subjectAltNames + "\n");
            args.addAll(List.of("-extfile", name + ".ext"));
        }
        openssl(args.toArray(new String[0]));
        return dir.resolve(name + ".pem");
    }

    /** The PKCS#8 key of a certificate made here. */
    public Path key(String name) {
        return dir.resolve(name + ".key");
    }

    /** A PKCS#12 store with the certificate and key of {@code name}. */
    public Path pkcs12(String name, String password) throws IOException {
        openssl("pkcs12", "-export", "-in", name + ".pem", "-inkey", name + ".key", "-out", name + ".p12",
                "-passout", "pass:" + password);
        return dir.resolve(name + ".p12");
    }

    private void openssl(String... args) throws IOException {
        List<String> command = new ArrayList<>();
        command.add("openssl");
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
        try {
            byte[] out = p.getInputStream().readAllBytes();
            if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
                throw new IOException("openssl " + String.join(" ", args) + " failed: " + new String(out));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
    }
}
