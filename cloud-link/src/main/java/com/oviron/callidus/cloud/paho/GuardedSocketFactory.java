package com.oviron.callidus.cloud.paho;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import javax.net.SocketFactory;

/** Plain TCP sockets whose input passes through the {@link LinkGuard}. */
final class GuardedSocketFactory extends SocketFactory {
    private final LinkGuard guard;

    GuardedSocketFactory(LinkGuard guard) {
        this.guard = guard;
    }

    /** A plain socket with guarded input; {@code abort} is {@code close}, which wakes a blocked reader or writer. */
    static final class GuardedSocket extends Socket implements LinkGuard.Abortable {
        private final LinkGuard guard;
        private InputStream input;
        private java.io.OutputStream output;

        GuardedSocket(LinkGuard guard) {
            this.guard = guard;
        }

        @Override
        public void connect(java.net.SocketAddress endpoint, int timeout) throws IOException {
            super.connect(endpoint, timeout);
            guard.tcpConnected();
        }

        @Override
        public synchronized java.io.OutputStream getOutputStream() throws IOException {
            if (output == null) {
                output = guard.guard(super.getOutputStream());
            }
            return output;
        }

        @Override
        public synchronized InputStream getInputStream() throws IOException {
            if (input == null) {
                input = guard.guard(super.getInputStream());
            }
            return input;
        }

        @Override
        public void abort() {
            LinkGuard.closeQuietly(this);
        }
    }

    @Override
    public Socket createSocket() {
        GuardedSocket socket = new GuardedSocket(guard);
        guard.opened(socket);
        return socket;
    }

    @Override
    public Socket createSocket(String host, int port) throws IOException {
        return connected(new InetSocketAddress(host, port));
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
        return connected(new InetSocketAddress(host, port));
    }

    @Override
    public Socket createSocket(InetAddress address, int port, InetAddress localAddress, int localPort)
            throws IOException {
        Socket s = createSocket();
        s.bind(new InetSocketAddress(localAddress, localPort));
        s.connect(new InetSocketAddress(address, port));
        return s;
    }

    private Socket connected(InetSocketAddress to) throws IOException {
        Socket s = createSocket();
        s.connect(to);
        return s;
    }
}
