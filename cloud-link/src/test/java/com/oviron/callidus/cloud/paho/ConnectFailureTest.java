package com.oviron.callidus.cloud.paho;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.EOFException;
import java.io.IOException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.security.cert.CertPathValidatorException;
import java.security.cert.CertificateException;
import java.security.cert.CertificateExpiredException;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLHandshakeException;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.junit.jupiter.api.Test;

class ConnectFailureTest {
    private static final String BROKER = "ssl://broker.oviron.example:8883";

    private static String describe(Throwable t) {
        return ConnectFailure.describe(t, BROKER);
    }

    /** As Paho reports a socket's failure: an MqttException with a code and the socket's exception as cause. */
    private static MqttException paho(int code, Throwable cause) {
        return new MqttException(code, cause);
    }

    private static SSLHandshakeException handshake(String message, Throwable cause) {
        SSLHandshakeException e = new SSLHandshakeException(message);
        e.initCause(cause);
        return e;
    }

    @Test
    void an_unknown_host_is_named_as_a_dns_problem_with_the_host() {
        String text = describe(paho(MqttException.REASON_CODE_SERVER_CONNECT_ERROR,
                new UnknownHostException("broker.oviron.example")));
        assertTrue(text.startsWith("broker host 'broker.oviron.example' not found (DNS): check the host name in"
                + " mqtt.brokerUri"), text);
        assertTrue(text.contains("[MqttException"), text);
        assertTrue(text.contains("cause UnknownHostException: broker.oviron.example]"), text);
    }

    @Test
    void a_refused_connection_names_host_and_port() {
        String text = describe(paho(MqttException.REASON_CODE_SERVER_CONNECT_ERROR,
                new ConnectException("Connection refused")));
        assertTrue(text.startsWith("connection refused by broker.oviron.example:8883: nothing accepts"), text);
    }

    @Test
    void no_route_points_at_the_network() {
        assertTrue(describe(paho(MqttException.REASON_CODE_SERVER_CONNECT_ERROR, new NoRouteToHostException("x")))
                .startsWith("no route to broker.oviron.example: check the unit's network"));
    }

    @Test
    void a_socket_timeout_and_a_paho_timeout_are_timeouts() {
        assertTrue(describe(paho(MqttException.REASON_CODE_SERVER_CONNECT_ERROR,
                new SocketTimeoutException("connect timed out"))).startsWith("timed out waiting for"
                + " broker.oviron.example:8883"));
        assertTrue(describe(new MqttException(MqttException.REASON_CODE_CLIENT_TIMEOUT))
                .startsWith("timed out waiting for broker.oviron.example:8883"));
    }

    @Test
    void a_broker_certificate_from_another_ca_is_not_trusted() {
        // what the JDK reports: SSLHandshakeException < ValidatorException < SunCertPathBuilderException
        Throwable validator = new CertificateException("PKIX path building failed",
                new CertPathValidatorException("unable to find valid certification path to requested target"));
        String text = describe(paho(MqttException.REASON_CODE_CONNECTION_LOST,
                handshake("PKIX path building failed", validator)));
        assertTrue(text.startsWith("TLS failure: the broker's certificate is not trusted: it is not signed by the CA"
                + " of mqtt.tls.caCertificate"), text);
    }

    @Test
    void a_broker_certificate_for_another_host_is_a_host_name_mismatch() {
        String text = describe(paho(0, handshake("No subject alternative names matching IP address 10.0.0.1 found",
                new CertificateException("No subject alternative names matching IP address 10.0.0.1 found"))));
        assertTrue(text.startsWith("TLS failure: the broker's certificate is not made out to 'broker.oviron.example'"
                + " (host name mismatch)"), text);
        assertTrue(describe(handshake("x", new CertificateException("No name matching broker.oviron.example found")))
                .contains("(host name mismatch)"));
    }

    @Test
    void an_expired_certificate_points_at_the_clock() {
        String text = describe(handshake("x", new CertificateExpiredException("NotAfter: Tue Jan 01 2019")));
        assertTrue(text.startsWith("TLS failure: a certificate is expired or not yet valid"), text);
        assertTrue(text.contains("unit's clock"), text);
    }

    @Test
    void a_refused_client_certificate_points_at_the_units_certificate() {
        for (String alert : new String[] {"Received fatal alert: bad_certificate",
                "Received fatal alert: certificate_required", "Received fatal alert: unknown_ca"}) {
            String text = describe(paho(MqttException.REASON_CODE_CONNECTION_LOST, new SSLException(alert)));
            assertTrue(text.startsWith("TLS failure: the broker refused the unit's certificate; check"
                    + " mqtt.tls.clientCertificate"), text);
        }
    }

    @Test
    void another_handshake_failure_is_named_as_one() {
        String text = describe(paho(MqttException.REASON_CODE_CONNECTION_LOST,
                new SSLHandshakeException("Remote host terminated the handshake")));
        assertTrue(text.startsWith("TLS handshake with broker.oviron.example:8883 failed"), text);
    }

    @Test
    void the_brokers_refusals_are_named() {
        assertTrue(describe(new MqttException(MqttException.REASON_CODE_NOT_AUTHORIZED))
                .startsWith("not authorised by the broker: it refused this unit"));
        assertTrue(describe(new MqttException(MqttException.REASON_CODE_FAILED_AUTHENTICATION))
                .startsWith("not authorised by the broker: bad user name or password"));
        assertTrue(describe(new MqttException(MqttException.REASON_CODE_INVALID_CLIENT_ID))
                .startsWith("the broker refused the client id"));
        assertTrue(describe(new MqttException(MqttException.REASON_CODE_BROKER_UNAVAILABLE))
                .startsWith("the broker at broker.oviron.example:8883 answered but is unavailable"));
        assertTrue(describe(paho(MqttException.REASON_CODE_CONNECTION_LOST, new EOFException()))
                .startsWith("the broker closed the connection"));
    }

    @Test
    void anything_else_keeps_the_librarys_words() {
        assertEquals("IOException: disk on fire", describe(new IOException("disk on fire")));
        assertEquals("unknown", describe(null));
    }
}
