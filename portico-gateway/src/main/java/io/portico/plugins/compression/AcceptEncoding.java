package io.portico.plugins.compression;

import java.util.List;
import java.util.Locale;
import org.jspecify.annotations.Nullable;

/**
 * Reads a request's {@code Accept-Encoding} (RFC 9110, section 12.5.3): codings with their
 * q-values, {@code *} for any other, {@code q=0} refusing one. Stateless.
 */
final class AcceptEncoding {

  private AcceptEncoding() {}

  /**
   * The coding of {@code offered} (in the gateway's order of preference) the client weighs highest,
   * or null for none (no header, nothing acceptable, or identity preferred).
   */
  static @Nullable String choose(@Nullable String header, List<String> offered) {
    if (header == null || header.isBlank()) {
      return null;
    }
    String best = null;
    double bestQ = 0;
    double identityQ = -1;
    double starQ = -1;
    double[] q = new double[offered.size()];
    java.util.Arrays.fill(q, -1);
    for (String part : header.split(",")) {
      String[] pieces = part.split(";");
      String coding = pieces[0].trim().toLowerCase(Locale.ROOT);
      double weight = 1;
      for (int i = 1; i < pieces.length; i++) {
        String p = pieces[i].trim();
        if (p.length() > 2 && (p.charAt(0) == 'q' || p.charAt(0) == 'Q') && p.charAt(1) == '=') {
          try {
            weight = Double.parseDouble(p.substring(2).trim());
          } catch (NumberFormatException e) {
            weight = 0;
          }
        }
      }
      if (coding.equals("*")) {
        starQ = weight;
      } else if (coding.equals("identity")) {
        identityQ = weight;
      } else {
        int i = offered.indexOf(coding.equals("x-gzip") ? "gzip" : coding);
        if (i >= 0) {
          q[i] = Math.max(q[i], weight);
        }
      }
    }
    for (int i = 0; i < offered.size(); i++) {
      double w = q[i] >= 0 ? q[i] : starQ;
      if (w > bestQ) {
        bestQ = w;
        best = offered.get(i);
      }
    }
    // identity is acceptable unless refused; it wins only when weighed higher than any coding.
    if (best != null && identityQ > bestQ) {
      return null;
    }
    return best;
  }
}
