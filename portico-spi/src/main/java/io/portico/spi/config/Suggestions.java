package io.portico.spi.config;

import java.util.Collection;
import java.util.Locale;
import org.jspecify.annotations.Nullable;

/**
 * "Did you mean" for unknown keys and names: the closest candidate by edit distance, or else the
 * one candidate that is the input with a word added ({@code origins} for {@code allow-origins}, as
 * other gateways' CORS configs write it).
 */
public final class Suggestions {

  private Suggestions() {}

  /** The candidate closest to {@code input}, or null when none is close enough to help. */
  public static @Nullable String closest(String input, Collection<String> candidates) {
    @Nullable String best = null;
    int bestDistance = Integer.MAX_VALUE;
    String lower = input.toLowerCase(Locale.ROOT).replace('_', '-');
    int allowed = Math.max(1, Math.min(3, input.length() / 3));
    for (String c : candidates) {
      String other = c.toLowerCase(Locale.ROOT);
      if (Math.abs(other.length() - lower.length()) > allowed) {
        continue; // at least that many edits apart: too far to suggest
      }
      int d = distance(lower, other);
      if (d < bestDistance) {
        bestDistance = d;
        best = c;
      }
    }
    return bestDistance <= allowed ? best : widened(lower, candidates);
  }

  /**
   * The only candidate that is {@code lower} with a word before or after it, joined by {@code -};
   * null when none or several are.
   */
  private static @Nullable String widened(String lower, Collection<String> candidates) {
    if (lower.length() < 4) {
      return null; // "id", "key": too short to say which longer name was meant
    }
    @Nullable String found = null;
    for (String c : candidates) {
      String other = c.toLowerCase(Locale.ROOT);
      if (other.endsWith("-" + lower) || other.startsWith(lower + "-")) {
        if (found != null) {
          return null;
        }
        found = c;
      }
    }
    return found;
  }

  /**
   * Edit distance counting an insertion, a deletion, a substitution or a swap of two adjacent
   * characters as one edit (optimal string alignment), so that {@code pahts} is one edit from
   * {@code paths}.
   */
  static int distance(String a, String b) {
    int[][] d = new int[a.length() + 1][b.length() + 1];
    for (int i = 0; i <= a.length(); i++) {
      d[i][0] = i;
    }
    for (int j = 0; j <= b.length(); j++) {
      d[0][j] = j;
    }
    for (int i = 1; i <= a.length(); i++) {
      for (int j = 1; j <= b.length(); j++) {
        int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
        int best = Math.min(Math.min(d[i][j - 1] + 1, d[i - 1][j] + 1), d[i - 1][j - 1] + cost);
        if (i > 1
            && j > 1
            && a.charAt(i - 1) == b.charAt(j - 2)
            && a.charAt(i - 2) == b.charAt(j - 1)) {
          best = Math.min(best, d[i - 2][j - 2] + 1);
        }
        d[i][j] = best;
      }
    }
    return d[a.length()][b.length()];
  }
}
