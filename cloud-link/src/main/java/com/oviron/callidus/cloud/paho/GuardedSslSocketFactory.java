package com.oviron.callidus.cloud.paho;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import javax.net.ssl.SSLSocketFactory;

/**
 * TLS sockets whose decrypted input passes through the {@link LinkGuard}. The client library gets an
 * {@link javax.net.ssl.SSLSocket} (Paho casts to it), layered on a plain TCP socket that the guard can cut at
 * once (closing a TLS socket first tries to write a close_notify, which blocks when a frozen broker's buffers
 * are full).
 */
final class GuardedSslSocketFactory extends SSLSocketFactory {
    private final SSLSocketFactory tls;
    private final LinkGuard guard;

    GuardedSslSocketFactory(SSLSocketFactory tls, LinkGuard guard) {
        this.tls = tls;
        this.guard = guard;
    }

    @Override
    public String[] getDefaultCipherSuites() {
        return tls.getDefaultCipherSuites();
    }

    @Override
    public String[] getSupportedCipherSuites() {
        return tls.getSupportedCipherSuites();
    }

    @Override
    public Socket createSocket() {
        GuardedSslSocket socket = new GuardedSslSocket(tls, guard, new Socket());
        guard.opened(socket);
        return socket;
    }

    @Override
    public Socket createSocket(Socket s, String host, int port, boolean autoClose) throws IOException {
        GuardedSslSocket socket = new GuardedSslSocket(tls, guard, s);
        guard.opened(socket);
        if (s.isConnected()) {
            guard.tcpConnected();
        }
        socket.layer(host, port, autoClose);
        return socket;
    }

    @Override
    public Socket createSocket(String host, int port) throws IOException {
        Socket s = createSocket();
        s.connect(new InetSocketAddress(host, port));
        return s;
    }

    @Override
    public Socket createSocket(String host, int port, InetAddress localHost, int localPort) throws IOException {
        Socket s = createSocket();
        s.bind(new InetSocketAddress(localHost, localPort));
        s.connect(new InetSocketAddress(host, port));
        return s;
    }

    @Override
    public Socket createSocket(InetAddress host, int port) throws IOException {
        Socket s = createSocket();
        s.connect(new InetSocketAddress(host, port));
        return s;
    }

    @Override
    public Socket createSocket(InetAddress address, int port, InetAddress localAddress, int localPort)
            throws IOException {
        Socket s = createSocket();
        s.bind(new InetSocketAddress(localAddress, localPort));
        s.connect(new InetSocketAddress(address, port));
        return s;
    }
}
