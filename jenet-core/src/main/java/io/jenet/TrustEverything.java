package io.jenet;

import java.net.Socket;
import java.security.cert.X509Certificate;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedTrustManager;

/** The trust manager of {@link TlsOptions#clientUnsafe}: accepts any server certificate, as Godot's unsafe client. */
final class TrustEverything extends X509ExtendedTrustManager {
    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket) {
        // accepts all
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket) {
        // accepts all
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine) {
        // accepts all
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine) {
        // accepts all
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType) {
        // accepts all
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType) {
        // accepts all
    }

    @Override
    public X509Certificate[] getAcceptedIssuers() {
        return new X509Certificate[0];
    }
}
