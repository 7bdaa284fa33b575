package io.portico.plugins.builtin;

import io.portico.spi.config.ConfigNode;
import io.portico.spi.config.Problems;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;
import org.jspecify.annotations.Nullable;

/**
 * The origins {@code cors} accepts, compiled from its {@code allow-origins} list.
 *
 * <p>An entry is {@code *} (any origin), {@code ~<regex>} (a regular expression that must match the
 * whole {@code Origin}, case-insensitively), or {@code [scheme://]host[:port]} where the host may
 * start with {@code *.} to stand for one or more DNS labels. Without a scheme, {@code http} and
 * {@code https} both match; without a port, only the scheme's default port (browsers omit it from
 * {@code Origin}) matches. Exact entries are looked up in a set; wildcards become regexes.
 *
 * @param any whether every origin is allowed
 * @param exact lower-case origins as browsers send them ({@code https://app.example.com})
 * @param patterns wildcard and regex entries
 */
public record AllowedOrigins(boolean any, Set<String> exact, List<Pattern> patterns) {

  static final String RULE =
      "an origin such as https://app.example.com, *.example.com, * or ~regex";

  private static final Pattern ENTRY =
      Pattern.compile(
          "(?:([A-Za-z][A-Za-z0-9+.-]*)://)?(\\*\\.)?"
              + "([A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*"
              + "|\\[[0-9A-Fa-f:.]+\\])"
              + "(?::([0-9]{1,5}))?");

  public AllowedOrigins {
    exact = Set.copyOf(exact);
    patterns = List.copyOf(patterns);
  }

  /** Compiles the entries, reporting each invalid one; returns null when one was invalid. */
  public static @Nullable AllowedOrigins compile(List<ConfigNode> entries, Problems problems) {
    boolean any = false;
    boolean valid = true;
    Set<String> exact = new HashSet<>();
    List<Pattern> patterns = new ArrayList<>();
    for (ConfigNode node : entries) {
      String entry = node.scalarText().trim();
      if (entry.equals("*")) {
        any = true;
      } else if (entry.startsWith("~")) {
        try {
          patterns.add(Pattern.compile(entry.substring(1), Pattern.CASE_INSENSITIVE));
        } catch (PatternSyntaxException e) {
          problems.expected(
              node, "a valid regular expression after ~ (" + e.getDescription() + ")");
          valid = false;
        }
      } else if (!addHostEntry(entry, exact, patterns)) {
        problems.expected(node, RULE);
        valid = false;
      }
    }
    return valid ? new AllowedOrigins(any, exact, patterns) : null;
  }

  private static boolean addHostEntry(String entry, Set<String> exact, List<Pattern> patterns) {
    Matcher m = ENTRY.matcher(entry);
    if (!m.matches()) {
      return false;
    }
    String scheme = m.group(1) == null ? null : m.group(1).toLowerCase(Locale.ROOT);
    boolean wildcard = m.group(2) != null;
    String host = m.group(3).toLowerCase(Locale.ROOT);
    int port = -1;
    if (m.group(4) != null) {
      port = Integer.parseInt(m.group(4));
      if (port < 1 || port > 65535) {
        return false;
      }
    }
    if (wildcard && host.startsWith("[")) {
      return false;
    }
    List<String> schemes = scheme == null ? List.of("http", "https") : List.of(scheme);
    for (String s : schemes) {
      boolean defaultPort = (port == 80 && s.equals("http")) || (port == 443 && s.equals("https"));
      String authority = port < 0 || defaultPort ? host : host + ":" + port;
      if (wildcard) {
        patterns.add(
            Pattern.compile(
                Pattern.quote(s + "://")
                    + "(?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?\\.)+"
                    + Pattern.quote(authority),
                Pattern.CASE_INSENSITIVE));
      } else {
        exact.add(s + "://" + authority);
      }
    }
    return true;
  }

  /** Whether the request's {@code Origin} value is allowed. */
  public boolean allows(String origin) {
    if (any) {
      return true;
    }
    if (!exact.isEmpty() && exact.contains(origin.toLowerCase(Locale.ROOT))) {
      return true;
    }
    for (Pattern pattern : patterns) {
      if (pattern.matcher(origin).matches()) {
        return true;
      }
    }
    return false;
  }
}
