package com.oviron.callidus.agent.systemd;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.SocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.newsclub.net.unix.AFUNIXDatagramSocket;
import org.newsclub.net.unix.AFUNIXSocketAddress;
import org.tinylog.Logger;

/**
 * The notify socket over junixsocket (ADR 0018): the JDK opens unix sockets only as streams, and systemd's
 * socket takes datagrams. {@code NOTIFY_SOCKET} is a file path, or {@code @name} in the abstract namespace.
 */
final class UnixDatagramNotify implements SystemdNotify {
    private final String socketName;
    private final SocketAddress address;
    private final AFUNIXDatagramSocket socket;
    private String lastError = "";

    private UnixDatagramNotify(String socketName, SocketAddress address, AFUNIXDatagramSocket socket) {
        this.socketName = socketName;
        this.address = address;
        this.socket = socket;
    }

    /** Opens an unbound datagram socket that sends to {@code notifySocket}. */
    static UnixDatagramNotify open(String notifySocket) throws IOException {
        SocketAddress address = notifySocket.startsWith("@")
                ? AFUNIXSocketAddress.inAbstractNamespace(notifySocket.substring(1))
                : AFUNIXSocketAddress.of(Path.of(notifySocket));
        return new UnixDatagramNotify(notifySocket, address, AFUNIXDatagramSocket.newInstance());
    }

    @Override
    public synchronized boolean send(String message) {
        byte[] bytes = message.getBytes(StandardCharsets.UTF_8);
        try {
            socket.send(new DatagramPacket(bytes, bytes.length, address));
            lastError = "";
            return true;
        } catch (IOException | RuntimeException e) {
            String error = String.valueOf(e.getMessage());
            if (!error.equals(lastError)) {
                lastError = error;
                Logger.warn("systemd notify failed socket={} error={}", socketName, error);
            }
            return false;
        }
    }

    @Override
    public synchronized void close() {
        socket.close();
    }
}
