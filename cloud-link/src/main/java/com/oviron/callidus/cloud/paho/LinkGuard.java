package com.oviron.callidus.cloud.paho;

import java.io.IOException;
import java.io.InputStream;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.function.LongSupplier;
import javax.net.SocketFactory;
import javax.net.ssl.SSLSocketFactory;
import org.tinylog.Logger;

/**
 * What the link knows about its socket, below any MQTT client library: when the broker last sent a byte (for
 * the silence watchdog), a way to cut the socket at once (a frozen broker, a connect without CONNACK), the
 * bound on incoming messages ({@link MqttInboundFilter}), the bytes each way, and what became of the last connect
 * ({@link Attempt}: whether the CONNECT went out, whether the broker answered, its CONNACK code). Its socket
 * factories hand the client sockets whose input passes through the filter and whose output passes
 * {@link MqttOutboundFilter} (which adds MQTT 5's Maximum Packet Size to the CONNECT); a TLS socket stays an
 * {@link javax.net.ssl.SSLSocket}.
 *
 * <p>A message too large to read reaches the client with a marker as its payload: 16 random bytes of this
 * guard followed by a running number. {@link #dropped(byte[])} recognises it, so the receiver never mistakes
 * it for a real message.
 */
final class LinkGuard {
    /** Told about an incoming message that was too large and dropped unread; on the socket's reading thread. */
    interface OversizedListener {
        void dropped(String topic, int qos, long payloadBytes);
    }

    private static final int PREFIX_BYTES = 16;

    private final int maxPayload;
    private volatile boolean mqtt5;
    private volatile long maximumPacketSize;
    private final LongSupplier nanoTime;
    private final java.util.concurrent.atomic.AtomicLong bytesIn = new java.util.concurrent.atomic.AtomicLong();
    private final java.util.concurrent.atomic.AtomicLong bytesOut = new java.util.concurrent.atomic.AtomicLong();
    private volatile Attempt attempt = new Attempt();
    private final OversizedListener listener;
    private final byte[] prefix = new byte[PREFIX_BYTES];
    private long markers;
    private volatile long lastInboundNanos;
    private volatile Abortable current;

    /** A socket that can be cut at once, whatever a reader or writer is blocked in. */
    interface Abortable {
        void abort();
    }

    /** What happened on the socket of one connect attempt (written by the socket's threads). */
    static final class Attempt {
        volatile boolean tcpConnected;
        volatile long bytesOut;
        volatile long bytesIn;
        volatile int connackCode = -1;
        volatile long connackLength;

        /** The CONNECT (or at least its first bytes) went out. */
        boolean connectSent() {
            return bytesOut > 0;
        }

        /** The broker answered with a CONNACK. */
        boolean answered() {
            return connackCode >= 0;
        }

        @Override
        public String toString() {
            return "tcpConnected=" + tcpConnected + " bytesOut=" + bytesOut + " bytesIn=" + bytesIn
                    + " connack=" + (connackCode < 0 ? "none" : "0x" + Integer.toHexString(connackCode)
                    + "/" + connackLength);
        }
    }

    LinkGuard(int maxPayload, boolean mqtt5, LongSupplier nanoTime, OversizedListener listener) {
        this.maxPayload = maxPayload;
        this.mqtt5 = mqtt5;
        this.nanoTime = nanoTime;
        this.listener = listener;
        new SecureRandom().nextBytes(prefix);
        this.lastInboundNanos = nanoTime.getAsLong();
    }

    /** The sockets for the brokers of {@code tls}'s kind: TLS ones with the unit's identity, or plain TCP. */
    javax.net.SocketFactory sockets(java.util.Optional<com.oviron.callidus.cloud.TlsSettings> tls)
            throws java.security.GeneralSecurityException, IOException {
        return tls.isPresent() ? tlsSockets(TlsContexts.socketFactory(tls.get())) : plainSockets();
    }

    /** For plain TCP brokers. */
    SocketFactory plainSockets() {
        return new GuardedSocketFactory(this);
    }

    /** For TLS brokers: the sockets of {@code tls}, with their input guarded. */
    SSLSocketFactory tlsSockets(SSLSocketFactory tls) {
        return new GuardedSslSocketFactory(tls, this);
    }

    /**
     * What the next connection speaks: MQTT 5 PUBLISH headers have properties; an MQTT 5 CONNECT gets
     * {@code maximumPacketSize} (0: none).
     */
    void expect(boolean speaksMqtt5, long maximumPacketSize) {
        this.mqtt5 = speaksMqtt5;
        this.maximumPacketSize = speaksMqtt5 ? maximumPacketSize : 0;
    }

    /** A connect attempt starts: until it opens a socket, nothing is known about it. */
    void newAttempt() {
        attempt = new Attempt();
    }

    /** The socket of the last connect attempt, as far as it got. */
    Attempt lastAttempt() {
        return attempt;
    }

    /** Bytes read from the broker since start (after TLS: MQTT bytes). */
    long bytesIn() {
        return bytesIn.get();
    }

    /** Bytes written to the broker since start (after TLS: MQTT bytes). */
    long bytesOut() {
        return bytesOut.get();
    }

    /** The largest payload an incoming message may have. */
    int maxPayload() {
        return maxPayload;
    }

    /** A new socket is the link's socket from now on (the older one is gone). */
    void opened(Abortable socket) {
        current = socket;
        attempt = new Attempt();
        lastInboundNanos = nanoTime.getAsLong();
    }

    /** The socket's TCP connection is up (before any TLS handshake). */
    void tcpConnected() {
        attempt.tcpConnected = true;
    }

    /** The socket's output, counted, with the maximum packet size added to an MQTT 5 CONNECT. */
    java.io.OutputStream guard(java.io.OutputStream raw) {
        Attempt on = attempt;
        return new MqttOutboundFilter(raw, maximumPacketSize, bytes -> {
            bytesOut.addAndGet(bytes);
            on.bytesOut += bytes;
        });
    }

    InputStream guard(InputStream raw) {
        Attempt on = attempt;
        return new MqttInboundFilter(raw, maxPayload, mqtt5, new MqttInboundFilter.Monitor() {
            @Override
            public void inbound() {
                lastInboundNanos = nanoTime.getAsLong();
            }

            @Override
            public void inbound(int bytes) {
                lastInboundNanos = nanoTime.getAsLong();
                bytesIn.addAndGet(bytes);
                on.bytesIn += bytes;
            }

            @Override
            public void connack(int code, long remainingLength) {
                on.connackLength = remainingLength;
                on.connackCode = code;
            }

            @Override
            public byte[] oversized(String topic, int qos, int packetId, long payloadBytes) {
                listener.dropped(topic, qos, payloadBytes);
                return marker();
            }
        });
    }

    /** {@code System.nanoTime()} of the last byte from the broker (or of the socket's creation). */
    long lastInboundNanos() {
        return lastInboundNanos;
    }

    /** Cuts the current socket, if there is one: the client's reads and writes fail at once. */
    boolean abort() {
        Abortable socket = current;
        if (socket == null) {
            return false;
        }
        socket.abort();
        return true;
    }

    /** Whether this payload is the marker of a message this guard dropped. */
    boolean dropped(byte[] payload) {
        return payload.length == PREFIX_BYTES + Long.BYTES
                && Arrays.equals(payload, 0, PREFIX_BYTES, prefix, 0, PREFIX_BYTES);
    }

    private synchronized byte[] marker() {
        byte[] marker = Arrays.copyOf(prefix, PREFIX_BYTES + Long.BYTES);
        long n = ++markers;
        for (int i = 0; i < Long.BYTES; i++) {
            marker[PREFIX_BYTES + i] = (byte) (n >>> (56 - 8 * i));
        }
        return marker;
    }

    static void closeQuietly(java.io.Closeable c) {
        try {
            c.close();
        } catch (IOException e) {
            Logger.debug("mqtt socket close failed error={}", e.getMessage());
        }
    }
}
