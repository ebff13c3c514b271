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
 * the silence watchdog), a way to cut the socket at once (a frozen broker, a connect without CONNACK), and the
 * bound on incoming messages ({@link MqttInboundFilter}). Its socket factories hand the client sockets whose
 * input passes through the filter; a TLS socket stays an {@link javax.net.ssl.SSLSocket}.
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
    private final boolean mqtt5;
    private final LongSupplier nanoTime;
    private final OversizedListener listener;
    private final byte[] prefix = new byte[PREFIX_BYTES];
    private long markers;
    private volatile long lastInboundNanos;
    private volatile Abortable current;

    /** A socket that can be cut at once, whatever a reader or writer is blocked in. */
    interface Abortable {
        void abort();
    }

    LinkGuard(int maxPayload, boolean mqtt5, LongSupplier nanoTime, OversizedListener listener) {
        this.maxPayload = maxPayload;
        this.mqtt5 = mqtt5;
        this.nanoTime = nanoTime;
        this.listener = listener;
        new SecureRandom().nextBytes(prefix);
        this.lastInboundNanos = nanoTime.getAsLong();
    }

    /** For plain TCP brokers. */
    SocketFactory plainSockets() {
        return new GuardedSocketFactory(this);
    }

    /** For TLS brokers: the sockets of {@code tls}, with their input guarded. */
    SSLSocketFactory tlsSockets(SSLSocketFactory tls) {
        return new GuardedSslSocketFactory(tls, this);
    }

    /** The largest payload an incoming message may have. */
    int maxPayload() {
        return maxPayload;
    }

    /** A new socket is the link's socket from now on (the older one is gone). */
    void opened(Abortable socket) {
        current = socket;
        lastInboundNanos = nanoTime.getAsLong();
    }

    InputStream guard(InputStream raw) {
        return new MqttInboundFilter(raw, maxPayload, mqtt5, new MqttInboundFilter.Monitor() {
            @Override
            public void inbound() {
                lastInboundNanos = nanoTime.getAsLong();
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
