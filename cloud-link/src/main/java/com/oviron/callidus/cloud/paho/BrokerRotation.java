package com.oviron.callidus.cloud.paho;

import com.oviron.callidus.cloud.MqttProtocol;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.tinylog.Logger;

/**
 * Which broker and which MQTT version the next connect attempt uses (docs/adr/0024). Not thread-safe: the
 * connection's own thread owns it. No MQTT client in it.
 *
 * <p>Failover: the first attempt goes to the first broker of the list; the unit stays on a broker while its session
 * works; when the session is lost or an attempt fails, the next attempt goes to the next broker of the list
 * (round the list), after the usual backoff. The list's order is only where a unit starts.
 *
 * <p>The version, under {@link MqttProtocol#AUTO}: MQTT 5 first. A broker that refuses version 5 in its CONNACK
 * (3.1.1's return code 1 "unacceptable protocol version", or MQTT 5's 0x84 "unsupported protocol version") is
 * spoken to in 3.1.1 from then on. A broker that closes the connection on the version-5 CONNECT without a byte of
 * answer (RabbitMQ 3.10's MQTT plugin cannot parse it) gets a 3.1.1 attempt next; if that one connects, or the
 * broker answers it with a CONNACK of any code (it reads 3.1.1), 3.1.1 is kept for it; if it fails without an
 * answer, the next attempt tries 5 again. Both go to the same broker (not round the list), at once
 * ({@link #failed} says so) the first time a broker shows it: a broker that keeps closing both versions unanswered
 * is asked again after the usual backoff, so the version probe never doubles a unit's rate of attempts. What is
 * learnt is kept per broker URI until the agent restarts.
 */
final class BrokerRotation {
    /** A broker and the version to speak to it. */
    record Choice(String uri, boolean mqtt5) {
        String protocolName() {
            return mqtt5 ? "5" : "3.1.1";
        }
    }

    /** What a failed attempt showed about the broker's MQTT version. */
    enum Evidence {
        /** Nothing about the version (refused TCP connection, TLS failure, timeout). */
        NONE,
        /** The broker's CONNACK refused the protocol version. */
        VERSION_REFUSED,
        /** The broker answered with a CONNACK that refused something else: it reads the version it was spoken. */
        ANSWERED,
        /** The broker closed the connection after the CONNECT without answering anything. */
        CLOSED_ON_CONNECT;

        /** Reads the socket's record of an attempt that failed; {@code cut}: the watchdog ended it. */
        static Evidence of(LinkGuard.Attempt attempt, boolean cut) {
            if (attempt.answered()) {
                boolean v311Refusal = attempt.connackLength == 2 && attempt.connackCode == 0x01;
                return v311Refusal || attempt.connackCode == 0x84 ? VERSION_REFUSED : ANSWERED;
            }
            if (!cut && attempt.connectSent() && attempt.bytesIn == 0) {
                return CLOSED_ON_CONNECT;
            }
            return NONE;
        }
    }

    private final List<String> uris;
    private final MqttProtocol protocol;
    private final Set<String> speaks311 = new HashSet<>();
    private final Set<String> trying311 = new HashSet<>();
    private final Set<String> probedAtOnce = new HashSet<>();
    private int index;

    BrokerRotation(List<String> uris, MqttProtocol protocol) {
        if (uris.isEmpty()) {
            throw new IllegalArgumentException("no broker");
        }
        this.uris = List.copyOf(uris);
        this.protocol = protocol;
    }

    /** The broker and version of the next attempt. */
    Choice next() {
        String uri = uris.get(index);
        boolean mqtt5 = switch (protocol) {
            case MQTT_5 -> true;
            case MQTT_3_1_1 -> false;
            case AUTO -> !speaks311.contains(uri) && !trying311.contains(uri);
        };
        return new Choice(uri, mqtt5);
    }

    /** The attempt connected: the unit stays on this broker. */
    void connected(Choice choice) {
        if (protocol == MqttProtocol.AUTO && !choice.mqtt5() && trying311.remove(choice.uri())
                && speaks311.add(choice.uri())) {
            Logger.info("mqtt broker closed the connection on an MQTT 5 CONNECT and took 3.1.1: 3.1.1 from now on"
                    + " broker={}", choice.uri());
        }
    }

    /**
     * The attempt failed: the next one goes to the next broker, or, to learn its version, to the same one.
     *
     * @return whether the next attempt should go at once rather than after the backoff: the same broker in 3.1.1,
     *         the first time this broker refused or closed a version-5 CONNECT
     */
    boolean failed(Choice choice, Evidence evidence) {
        if (protocol == MqttProtocol.AUTO) {
            String uri = choice.uri();
            if (choice.mqtt5() && evidence == Evidence.VERSION_REFUSED) {
                speaks311.add(uri);
                Logger.info("mqtt broker refused MQTT 5: 3.1.1 from now on broker={}", uri);
                return probedAtOnce.add(uri);
            }
            if (choice.mqtt5() && evidence == Evidence.CLOSED_ON_CONNECT) {
                trying311.add(uri);
                boolean atOnce = probedAtOnce.add(uri);
                Logger.info("mqtt broker closed the connection on an MQTT 5 CONNECT without answering: trying 3.1.1 {}"
                        + " broker={}", atOnce ? "at once" : "after the backoff", uri);
                return atOnce;
            }
            if (!choice.mqtt5() && evidence == Evidence.ANSWERED && trying311.remove(uri) && speaks311.add(uri)) {
                Logger.info("mqtt broker closed the connection on an MQTT 5 CONNECT and answered 3.1.1: 3.1.1 from now"
                        + " on broker={}", uri);
            }
            trying311.remove(uri);
        }
        advance();
        return false;
    }

    /** The session was lost: the next attempt goes to the next broker. */
    void lost() {
        advance();
    }

    /** Whether the unit speaks 3.1.1 to this broker because it did not take 5 (under {@code auto}). */
    boolean fellBackTo311(String uri) {
        return speaks311.contains(uri);
    }

    private void advance() {
        index = (index + 1) % uris.size();
    }
}
