package com.oviron.callidus.cloud;

import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;

/**
 * Mutual TLS to the broker: the broker's certificate is verified against {@code caCertificate} (and its host
 * name against the broker URI, unless {@code hostnameVerification} is off), and the unit proves itself with
 * a client certificate, given either as PEM files (certificate chain + PKCS#8 private key) or as a PKCS#12
 * store. TLS 1.3 and 1.2 only.
 *
 * @param caCertificate        PEM file with the CA certificate(s) the broker's certificate must chain to
 * @param clientCertificate    PEM file with the unit's certificate (and chain), if not in a PKCS#12 store
 * @param clientKey            PEM file with the unit's PKCS#8 private key ("BEGIN PRIVATE KEY")
 * @param pkcs12               a PKCS#12 store with the unit's key and certificate, instead of the PEM files
 * @param pkcs12Password       the store's password (never logged)
 * @param hostnameVerification whether the broker's certificate must name the host of the broker URI
 */
public record TlsSettings(Path caCertificate, Optional<Path> clientCertificate, Optional<Path> clientKey,
                          Optional<Path> pkcs12, Optional<String> pkcs12Password, boolean hostnameVerification) {
    public TlsSettings {
        Objects.requireNonNull(caCertificate, "caCertificate");
        Objects.requireNonNull(clientCertificate, "clientCertificate");
        Objects.requireNonNull(clientKey, "clientKey");
        Objects.requireNonNull(pkcs12, "pkcs12");
        Objects.requireNonNull(pkcs12Password, "pkcs12Password");
        if (clientCertificate.isPresent() != clientKey.isPresent()) {
            throw new IllegalArgumentException("a client certificate needs its key, and a key its certificate");
        }
        if (pkcs12.isPresent() && clientCertificate.isPresent()) {
            throw new IllegalArgumentException("give the client identity either as PEM files or as PKCS#12, not both");
        }
    }

    @Override
    public String toString() {
        return "TlsSettings[ca=" + caCertificate + ", clientCertificate=" + clientCertificate + ", clientKey="
                + clientKey + ", pkcs12=" + pkcs12 + ", pkcs12Password=" + (pkcs12Password.isPresent() ? "***" : "none")
                + ", hostnameVerification=" + hostnameVerification + "]";
    }
}
