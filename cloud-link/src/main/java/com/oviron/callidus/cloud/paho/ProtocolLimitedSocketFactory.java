package com.oviron.callidus.cloud.paho;

import java.io.IOException;
import java.net.InetAddress;
import java.net.Socket;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.SSLSocketFactory;

/** Hands out TLS sockets that speak only the given protocol versions. */
final class ProtocolLimitedSocketFactory extends SSLSocketFactory {
    private final SSLSocketFactory inner;
    private final String[] protocols;

    ProtocolLimitedSocketFactory(SSLSocketFactory inner, String[] protocols) {
        this.inner = inner;
        this.protocols = protocols.clone();
    }

    private Socket limit(Socket socket) {
        if (socket instanceof SSLSocket ssl) {
            ssl.setEnabledProtocols(protocols);
        }
        return socket;
    }

    @Override
    public String[] getDefaultCipherSuites() {
        return inner.getDefaultCipherSuites();
    }

    @Override
    public String[] getSupportedCipherSuites() {
        return inner.getSupportedCipherSuites();
    }

    @Override
    public Socket createSocket() throws IOException {
        return limit(inner.createSocket());
    }

    @Override
    public Socket createSocket(Socket s, String host, int port, boolean autoClose) throws IOException {
        return limit(inner.createSocket(s, host, port, autoClose));
    }

    @Override
    public Socket createSocket(String host, int port) throws IOException {
        return limit(inner.createSocket(host, port));
    }

    @Override
    public Socket createSocket(String host, int port, InetAddress localHost, int localPort) throws IOException {
        return limit(inner.createSocket(host, port, localHost, localPort));
    }

    @Override
    public Socket createSocket(InetAddress host, int port) throws IOException {
        return limit(inner.createSocket(host, port));
    }

    @Override
    public Socket createSocket(InetAddress address, int port, InetAddress localAddress, int localPort)
            throws IOException {
        return limit(inner.createSocket(address, port, localAddress, localPort));
    }
}
