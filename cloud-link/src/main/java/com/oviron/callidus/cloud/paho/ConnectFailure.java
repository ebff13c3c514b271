package com.oviron.callidus.cloud.paho;

import java.io.EOFException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.UnknownHostException;
import java.security.cert.CertPathValidatorException;
import java.security.cert.CertificateExpiredException;
import java.security.cert.CertificateNotYetValidException;
import java.util.Locale;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLHandshakeException;
import org.eclipse.paho.client.mqttv3.MqttException;

/**
 * Why a broker connection failed or ended, in words a field technician can act on: the broker's name not
 * found (DNS), the connection refused, no route, a timeout, a TLS failure (certificate not trusted, made out
 * to another host, expired, the unit's certificate refused, handshake), or the broker's refusal (not
 * authorised, bad user name or password). Paho reports most of these as {@code MqttException} with a code and
 * the socket's exception as its cause; the whole cause chain is read. The library's own words follow in
 * brackets, for the developer the technician forwards the log to.
 */
final class ConnectFailure {
    private ConnectFailure() {
    }

    /** The cause in a technician's words, for the broker at {@code brokerUri}. */
    static String describe(Throwable cause, String brokerUri) {
        if (cause == null) {
            return "unknown";
        }
        URI uri = URI.create(brokerUri);
        String host = uri.getHost();
        String hostPort = host + ":" + uri.getPort();
        String words = words(cause, host, hostPort);
        String raw = raw(cause);
        return words == null ? raw : words + " [" + raw + "]";
    }

    private static String words(Throwable cause, String host, String hostPort) {
        Throwable certificate = null;
        Throwable handshake = null;
        Throwable tls = null;
        for (Throwable t = cause; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof UnknownHostException) {
                return "broker host '" + host + "' not found (DNS): check the host name in mqtt.brokerUri and the"
                        + " unit's network and DNS settings";
            }
            if (t instanceof ConnectException) {
                return "connection refused by " + hostPort + ": nothing accepts connections there; check the port"
                        + " in mqtt.brokerUri and that the broker runs";
            }
            if (t instanceof NoRouteToHostException) {
                return "no route to " + host + ": check the unit's network cable, gateway and firewall";
            }
            if (t instanceof SocketTimeoutException) {
                return timeout(hostPort);
            }
            if (t instanceof CertificateExpiredException || t instanceof CertificateNotYetValidException) {
                return "TLS failure: a certificate is expired or not yet valid (" + t.getMessage() + "); check the"
                        + " unit's clock and the certificates' dates";
            }
            if (certificate == null && isCertificateProblem(t)) {
                certificate = t;
            }
            if (handshake == null && t instanceof SSLHandshakeException) {
                handshake = t;
            }
            if (tls == null && t instanceof SSLException) {
                tls = t;
            }
        }
        if (certificate != null) {
            String m = String.valueOf(certificate.getMessage()).toLowerCase(Locale.ROOT);
            if (m.contains("no subject alternative") || m.contains("no name matching")) {
                return "TLS failure: the broker's certificate is not made out to '" + host + "' (host name mismatch);"
                        + " use in mqtt.brokerUri the name the certificate names";
            }
            return "TLS failure: the broker's certificate is not trusted: it is not signed by the CA of"
                    + " mqtt.tls.caCertificate";
        }
        if (handshake != null || tls != null) {
            String m = String.valueOf((handshake != null ? handshake : tls).getMessage()).toLowerCase(Locale.ROOT);
            if (m.contains("bad_certificate") || m.contains("certificate_required") || m.contains("unknown_ca")
                    || m.contains("certificate_unknown") || m.contains("access_denied")) {
                return "TLS failure: the broker refused the unit's certificate; check mqtt.tls.clientCertificate and"
                        + " mqtt.tls.clientKey (or pkcs12) and that Oviron's CA signed them";
            }
            return "TLS handshake with " + hostPort + " failed: check that the port speaks TLS (ssl://) and the"
                    + " mqtt.tls files";
        }
        if (cause instanceof MqttException m) {
            return switch (m.getReasonCode()) {
                case MqttException.REASON_CODE_NOT_AUTHORIZED -> "not authorised by the broker: it refused this unit"
                        + " (client id, certificate or the broker's policy for it)";
                case MqttException.REASON_CODE_FAILED_AUTHENTICATION -> "not authorised by the broker: bad user name"
                        + " or password (mqtt.username, mqtt.password)";
                case MqttException.REASON_CODE_INVALID_CLIENT_ID -> "the broker refused the client id (device.id)";
                case MqttException.REASON_CODE_BROKER_UNAVAILABLE -> "the broker at " + hostPort + " answered but"
                        + " is unavailable; it may be starting or overloaded";
                case MqttException.REASON_CODE_CLIENT_TIMEOUT -> timeout(hostPort);
                case MqttException.REASON_CODE_CONNECTION_LOST -> cause.getCause() instanceof EOFException
                        ? "the broker closed the connection" : null;
                default -> null;
            };
        }
        if (cause instanceof org.eclipse.paho.mqttv5.common.MqttException m) {
            // MQTT 5: the CONNACK's reason code
            return switch (m.getReasonCode()) {
                case 0x87 -> "not authorised by the broker: it refused this unit (client id, certificate or the"
                        + " broker's policy for it)";
                case 0x86, 0x8C -> "not authorised by the broker: bad user name or password (mqtt.username,"
                        + " mqtt.password)";
                case 0x85 -> "the broker refused the client id (device.id)";
                case 0x88, 0x89 -> "the broker at " + hostPort + " answered but is unavailable or busy; it may be"
                        + " starting or overloaded";
                case 0x84 -> "the broker at " + hostPort + " does not speak MQTT 5 (mqtt.protocol \"auto\" or"
                        + " \"3.1.1\" connect to it)";
                case 0x9D, 0x9C -> "the broker at " + hostPort + " sends this unit to another server; give that one"
                        + " in mqtt.brokerUris";
                default -> null;
            };
        }
        return null;
    }

    private static String timeout(String hostPort) {
        return "timed out waiting for " + hostPort + ": a firewall may drop the connection, or the network or"
                + " the broker is slow";
    }

    private static boolean isCertificateProblem(Throwable t) {
        String name = t.getClass().getName();
        return t instanceof CertPathValidatorException || t instanceof java.security.cert.CertificateException
                || name.endsWith("SunCertPathBuilderException") || name.endsWith("ValidatorException");
    }

    /** The library's words: the exception and its innermost cause. */
    private static String raw(Throwable cause) {
        Throwable root = cause;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String outer = cause.getClass().getSimpleName() + ": " + cause.getMessage();
        return root == cause ? outer : outer + "; cause " + root.getClass().getSimpleName() + ": " + root.getMessage();
    }
}
