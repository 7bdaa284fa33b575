package io.portico.plugins.auth.token;

import com.nimbusds.jose.EncryptionMethod;
import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWEAlgorithm;
import com.nimbusds.jose.JWEHeader;
import com.nimbusds.jose.crypto.DirectDecrypter;
import com.nimbusds.jose.crypto.DirectEncrypter;
import com.nimbusds.jwt.EncryptedJWT;
import com.nimbusds.jwt.JWTClaimsSet;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.text.ParseException;
import java.time.Instant;
import java.util.Date;
import org.jspecify.annotations.Nullable;

/**
 * Seals cookie contents as a JWE with direct AES-256-GCM (authenticated encryption: a cookie that
 * was changed or made with another secret does not open). The key is the SHA-256 of a label and the
 * configured secret. Every sealed value carries an {@code exp}; an expired one does not open.
 * Thread-safe.
 */
final class SessionCodec {

  private final byte[] key;

  SessionCodec(String secret) {
    try {
      MessageDigest sha = MessageDigest.getInstance("SHA-256");
      sha.update("portico openid-connect session\0".getBytes(StandardCharsets.UTF_8));
      this.key = sha.digest(secret.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is always available", e);
    }
  }

  /** Encrypts {@code claims}, which must carry an expiration time. */
  String seal(JWTClaimsSet claims) {
    try {
      EncryptedJWT jwt =
          new EncryptedJWT(new JWEHeader(JWEAlgorithm.DIR, EncryptionMethod.A256GCM), claims);
      jwt.encrypt(new DirectEncrypter(key));
      return jwt.serialize();
    } catch (JOSEException e) {
      throw new IllegalStateException("AES-256-GCM is always available", e);
    }
  }

  /** The claims of a sealed value, or null when it does not open or has expired. */
  @Nullable JWTClaimsSet open(String value, Instant now) {
    try {
      EncryptedJWT jwt = EncryptedJWT.parse(value);
      if (!JWEAlgorithm.DIR.equals(jwt.getHeader().getAlgorithm())
          || !EncryptionMethod.A256GCM.equals(jwt.getHeader().getEncryptionMethod())) {
        return null;
      }
      jwt.decrypt(new DirectDecrypter(key));
      JWTClaimsSet claims = jwt.getJWTClaimsSet();
      Date exp = claims.getExpirationTime();
      return exp == null || !exp.toInstant().isAfter(now) ? null : claims;
    } catch (ParseException | JOSEException | RuntimeException e) {
      return null;
    }
  }
}
