package io.jenet;

import java.io.IOException;
import java.io.StringReader;
import java.nio.file.Path;
import java.security.KeyFactory;
import java.security.NoSuchAlgorithmException;
import java.security.PrivateKey;
import java.security.spec.InvalidKeySpecException;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Base64;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** PEM private keys for {@link TlsOptions#loadPrivateKey}. */
final class PemKeys {
    private PemKeys() {}

    private static final Pattern BLOCK = Pattern.compile("-----BEGIN ([A-Z0-9 ]+)-----([^-]*)-----END \\1-----");
    private static final String[] ALGORITHMS = {"RSA", "EC", "Ed25519", "Ed448", "RSASSA-PSS", "DSA"};

    static PrivateKey read(Path file, String text) throws IOException {
        Matcher m = BLOCK.matcher(text);
        while (m.find()) {
            String type = m.group(1);
            switch (type) {
                case "PRIVATE KEY":
                    return pkcs8(file, Base64.getMimeDecoder().decode(m.group(2)));
                case "RSA PRIVATE KEY":
                case "EC PRIVATE KEY":
                    return viaBouncyCastle(file, text, type);
                case "ENCRYPTED PRIVATE KEY":
                    throw new IOException(file + " holds an encrypted key; decrypt it first "
                            + "(openssl pkcs8 -topk8 -nocrypt -in KEY -out KEY.pk8)");
                default:
                    // EC PARAMETERS and similar blocks precede the key; skip them.
            }
        }
        throw new IOException(file + " holds no PEM private key (BEGIN PRIVATE KEY, RSA PRIVATE KEY or EC PRIVATE KEY)");
    }

    private static PrivateKey pkcs8(Path file, byte[] der) throws IOException {
        for (String algorithm : ALGORITHMS) {
            try {
                return KeyFactory.getInstance(algorithm).generatePrivate(new PKCS8EncodedKeySpec(der));
            } catch (NoSuchAlgorithmException | InvalidKeySpecException e) {
                // not this algorithm; try the next
            }
        }
        throw new IOException(file + ": unsupported or malformed PKCS#8 private key");
    }

    private static PrivateKey viaBouncyCastle(Path file, String text, String type) throws IOException {
        try {
            return BouncyCastlePem.privateKey(text);
        } catch (NoClassDefFoundError e) {
            throw new IOException(file + " holds a " + type + " key, which the JDK cannot read: add "
                    + "org.bouncycastle:bcpkix-jdk18on to the class path, or convert the key to PKCS#8 "
                    + "(openssl pkcs8 -topk8 -nocrypt -in KEY -out KEY.pk8)", e);
        } catch (RuntimeException e) {
            throw new IOException(file + ": malformed " + type + " key: " + e.getMessage(), e);
        }
    }

    /** Only loaded when a PKCS#1 or SEC1 key is read, so BouncyCastle stays optional. */
    private static final class BouncyCastlePem {
        static PrivateKey privateKey(String text) throws IOException {
            try (org.bouncycastle.openssl.PEMParser parser = new org.bouncycastle.openssl.PEMParser(new StringReader(text))) {
                org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter converter = new org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter();
                for (Object o = parser.readObject(); o != null; o = parser.readObject()) {
                    if (o instanceof org.bouncycastle.openssl.PEMKeyPair pair) {
                        // Only the private part: SEC1 keys may omit the optional public key.
                        return converter.getPrivateKey(pair.getPrivateKeyInfo());
                    }
                    if (o instanceof org.bouncycastle.asn1.pkcs.PrivateKeyInfo info) {
                        return converter.getPrivateKey(info);
                    }
                }
            }
            throw new IOException("no private key in the PEM text");
        }
    }
}
