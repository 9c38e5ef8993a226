package io.jenet;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;

/**
 * DTLS settings for {@link ENetConnection#dtlsServerSetup} and {@link ENetConnection#dtlsClientSetup},
 * as Godot's {@code TLSOptions}: {@link #client}, {@link #clientUnsafe} and {@link #server}. Keys and
 * certificates load from PEM files with {@link #loadCertificates} and {@link #loadPrivateKey}.
 *
 * <p>Thread-safety: immutable; may be shared between connections and threads.
 */
public final class TlsOptions {
    private final boolean server;
    private final boolean verify;
    private final List<X509Certificate> certificates;
    private final PrivateKey privateKey;
    private final String commonNameOverride;

    private TlsOptions(boolean server, boolean verify, List<X509Certificate> certificates, PrivateKey privateKey,
                       String commonNameOverride) {
        this.server = server;
        this.verify = verify;
        this.certificates = certificates == null ? null : List.copyOf(certificates);
        this.privateKey = privateKey;
        this.commonNameOverride = commonNameOverride;
    }

    /**
     * A verifying client trusting the JDK's default certificate authorities.
     *
     * @return the options
     */
    public static TlsOptions client() {
        return new TlsOptions(false, true, null, null, null);
    }

    /**
     * A verifying client: the server's chain must lead to one of {@code trustedChain} (or, if null,
     * to the JDK's default authorities) and name the host given to
     * {@link ENetConnection#dtlsClientSetup} (or {@code commonNameOverride} if not null).
     *
     * @param trustedChain certificates to trust, or null for the JDK's defaults
     * @param commonNameOverride the name to verify instead of the host name, or null
     * @return the options
     */
    public static TlsOptions client(List<X509Certificate> trustedChain, String commonNameOverride) {
        if (trustedChain != null && trustedChain.isEmpty()) {
            throw new IllegalArgumentException("trustedChain is empty: pass null to trust the JDK's default authorities");
        }
        return new TlsOptions(false, true, trustedChain, null, commonNameOverride);
    }

    /**
     * A client that does not verify the server's certificate or name (Godot's
     * {@code client_unsafe}); for tests and development only.
     *
     * @param trustedChain ignored for verification, accepted for Godot parity; may be null
     * @return the options
     */
    public static TlsOptions clientUnsafe(List<X509Certificate> trustedChain) {
        return new TlsOptions(false, false, trustedChain, null, null);
    }

    /**
     * A server presenting {@code certificateChain} (its own certificate first).
     *
     * @param privateKey the key of the first certificate
     * @param certificateChain the chain, leaf first
     * @return the options
     */
    public static TlsOptions server(PrivateKey privateKey, List<X509Certificate> certificateChain) {
        Objects.requireNonNull(privateKey, "privateKey");
        if (certificateChain == null || certificateChain.isEmpty()) {
            throw new IllegalArgumentException("a server needs a certificate chain");
        }
        return new TlsOptions(true, true, certificateChain, privateKey, null);
    }

    /** @return true for {@link #server} options */
    public boolean isServer() {
        return server;
    }

    /** @return false only for {@link #clientUnsafe} */
    public boolean verifiesPeer() {
        return verify;
    }

    /** @return the name verified instead of the host name, or null */
    public String commonNameOverride() {
        return commonNameOverride;
    }

    /**
     * Reads every X.509 certificate of a PEM file, in order.
     *
     * @param pem the file
     * @return the certificates
     * @throws IOException if the file cannot be read or holds no certificate
     */
    public static List<X509Certificate> loadCertificates(Path pem) throws IOException {
        try (InputStream in = Files.newInputStream(pem)) {
            Collection<? extends java.security.cert.Certificate> all = CertificateFactory.getInstance("X.509").generateCertificates(in);
            List<X509Certificate> out = new ArrayList<>();
            for (java.security.cert.Certificate c : all) {
                out.add((X509Certificate) c);
            }
            if (out.isEmpty()) {
                throw new IOException(pem + " holds no certificate");
            }
            return out;
        } catch (CertificateException e) {
            throw new IOException("cannot read certificates from " + pem + ": " + e.getMessage(), e);
        }
    }

    /**
     * Reads a private key from a PEM file: PKCS#8 ({@code BEGIN PRIVATE KEY}, RSA, EC, Ed25519) with
     * the JDK alone; PKCS#1 ({@code BEGIN RSA PRIVATE KEY}) and SEC1 ({@code BEGIN EC PRIVATE KEY})
     * with BouncyCastle's {@code bcpkix-jdk18on} on the class path. Encrypted keys are not supported.
     *
     * @param pem the file
     * @return the key
     * @throws IOException if the file cannot be read or parsed
     */
    public static PrivateKey loadPrivateKey(Path pem) throws IOException {
        return PemKeys.read(pem, Files.readString(pem, StandardCharsets.US_ASCII));
    }

    /**
     * The JDK {@code DTLSv1.2} context these options describe: the server's key, or the client's
     * trust (the JDK's default authorities, the given chain, or none for {@link #clientUnsafe}).
     * A new context each call.
     *
     * @return the context
     * @throws IllegalArgumentException if the key or certificates are unusable
     */
    public SSLContext sslContext() {
        try {
            SSLContext context = SSLContext.getInstance("DTLSv1.2");
            if (server) {
                KeyStore ks = KeyStore.getInstance("PKCS12");
                ks.load(null, null);
                char[] password = new char[0];
                ks.setKeyEntry("jenet", privateKey, password, certificates.toArray(new X509Certificate[0]));
                KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
                kmf.init(ks, password);
                context.init(kmf.getKeyManagers(), null, null);
            } else if (!verify) {
                context.init(null, new TrustManager[] {new TrustEverything()}, null);
            } else {
                TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
                if (certificates == null) {
                    tmf.init((KeyStore) null);
                } else {
                    KeyStore ks = KeyStore.getInstance("PKCS12");
                    ks.load(null, null);
                    for (int i = 0; i < certificates.size(); i++) {
                        ks.setCertificateEntry("trusted-" + i, certificates.get(i));
                    }
                    tmf.init(ks);
                }
                context.init(null, tmf.getTrustManagers(), null);
            }
            return context;
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalArgumentException("cannot set up DTLS: " + e.getMessage(), e);
        }
    }

    @Override
    public String toString() {
        return server ? "TlsOptions.server" : verify ? "TlsOptions.client" : "TlsOptions.clientUnsafe";
    }
}
