package com.oviron.callidus.cloud.paho;

import com.oviron.callidus.cloud.TlsSettings;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collection;
import java.util.List;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocketFactory;
import javax.net.ssl.TrustManagerFactory;

/**
 * Builds the TLS socket factory for the broker session from {@link TlsSettings}: trust only the configured
 * CA, present the unit's certificate, TLS 1.3 or 1.2. Uses the JDK only: PEM certificates through
 * {@link CertificateFactory}, PKCS#8 keys through {@link KeyFactory} (RSA, EC or Ed25519). Public for the one
 * other TLS client of ours, {@code tools remote-console} (an Oviron engineer's identity instead of a unit's).
 */
public final class TlsContexts {
    private static final char[] IN_MEMORY_PASSWORD = "callidus".toCharArray();

    private TlsContexts() {
    }

    public static SSLSocketFactory socketFactory(TlsSettings tls) throws GeneralSecurityException, IOException {
        KeyStore trust = KeyStore.getInstance(KeyStore.getDefaultType());
        trust.load(null, null);
        int i = 0;
        for (Certificate ca : certificates(tls.caCertificate())) {
            trust.setCertificateEntry("ca-" + i++, ca);
        }
        if (i == 0) {
            throw new GeneralSecurityException("no certificate in " + tls.caCertificate());
        }
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trust);

        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        if (tls.pkcs12().isPresent()) {
            KeyStore store = KeyStore.getInstance("PKCS12");
            char[] password = tls.pkcs12Password().orElse("").toCharArray();
            try (InputStream in = Files.newInputStream(tls.pkcs12().get())) {
                store.load(in, password);
            }
            kmf.init(store, password);
        } else if (tls.clientCertificate().isPresent()) {
            KeyStore identity = KeyStore.getInstance(KeyStore.getDefaultType());
            identity.load(null, null);
            List<Certificate> chain = new ArrayList<>(certificates(tls.clientCertificate().get()));
            if (chain.isEmpty()) {
                throw new GeneralSecurityException("no certificate in " + tls.clientCertificate().get());
            }
            identity.setKeyEntry("unit", privateKey(tls.clientKey().orElseThrow()), IN_MEMORY_PASSWORD,
                    chain.toArray(new Certificate[0]));
            kmf.init(identity, IN_MEMORY_PASSWORD);
        } else {
            kmf.init(null, null);
        }
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(kmf.getKeyManagers(), tmf.getTrustManagers(), null);
        return new ProtocolLimitedSocketFactory(context.getSocketFactory(), new String[] {"TLSv1.3", "TLSv1.2"});
    }

    private static Collection<? extends Certificate> certificates(Path pem) throws GeneralSecurityException,
            IOException {
        try (InputStream in = Files.newInputStream(pem)) {
            return CertificateFactory.getInstance("X.509").generateCertificates(in);
        }
    }

    private static PrivateKey privateKey(Path pem) throws GeneralSecurityException, IOException {
        String text = Files.readString(pem, StandardCharsets.US_ASCII);
        if (!text.contains("-----BEGIN PRIVATE KEY-----")) {
            throw new GeneralSecurityException(pem + " must hold a PKCS#8 key (-----BEGIN PRIVATE KEY-----); convert"
                    + " with: openssl pkcs8 -topk8 -nocrypt -in old.key -out new.key");
        }
        String base64 = text.substring(text.indexOf("-----BEGIN PRIVATE KEY-----") + 27,
                text.indexOf("-----END PRIVATE KEY-----")).replaceAll("\\s", "");
        PKCS8EncodedKeySpec spec = new PKCS8EncodedKeySpec(Base64.getDecoder().decode(base64));
        GeneralSecurityException last = null;
        for (String algorithm : new String[] {"RSA", "EC", "Ed25519"}) {
            try {
                return KeyFactory.getInstance(algorithm).generatePrivate(spec);
            } catch (GeneralSecurityException e) {
                last = e;
            }
        }
        throw new GeneralSecurityException("unsupported private key in " + pem + " (RSA, EC or Ed25519)", last);
    }
}
