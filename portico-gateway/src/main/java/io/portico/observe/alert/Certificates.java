package io.portico.observe.alert;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.security.GeneralSecurityException;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * When the certificates of PEM files expire: the earliest {@code notAfter} of each file's chain,
 * read again only when the file changes. Used on the evaluator thread only.
 */
final class Certificates {

  private static final Logger log = LoggerFactory.getLogger(Certificates.class);

  private record Read(FileTime modified, @Nullable Instant notAfter) {}

  private final Map<Path, Read> cache = new HashMap<>();

  /** The earliest expiry in {@code file}, or null when it cannot be read. */
  @Nullable Instant notAfter(Path file) {
    FileTime modified;
    try {
      modified = Files.getLastModifiedTime(file);
    } catch (IOException e) {
      return null;
    }
    Read r = cache.get(file);
    if (r != null && r.modified().equals(modified)) {
      return r.notAfter();
    }
    Instant earliest = null;
    try (InputStream in = Files.newInputStream(file)) {
      for (Certificate c : CertificateFactory.getInstance("X.509").generateCertificates(in)) {
        if (c instanceof X509Certificate x) {
          Instant at = x.getNotAfter().toInstant();
          if (earliest == null || at.isBefore(earliest)) {
            earliest = at;
          }
        }
      }
    } catch (IOException | GeneralSecurityException e) {
      log.warn("certificate {} cannot be read for its expiry: {}", file, e.toString());
    }
    cache.put(file, new Read(modified, earliest));
    return earliest;
  }
}
